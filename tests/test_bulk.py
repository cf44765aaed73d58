"""`dakscan bulk` on a real record-room tree, run as users run it (the CLI in a subprocess,
real Tesseract, real SQLite register): every document once, a rerun adds nothing, a killed
run resumes without duplicates or gaps, and folders of page images become one document."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image
from record_room import letter_lines, make_room
from sqlalchemy import func, select

from dakscan.service import bulk_journal as journal
from dakscan.service.config import get_settings
from dakscan.service.db import session_scope
from dakscan.service.models import BulkItem, Dak

from letters import render_page, save

DAKSCAN = str(Path(sys.executable).parent / "dakscan")


def bulk(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([DAKSCAN, "bulk", *args], capture_output=True, text=True,
                          timeout=600, env=os.environ, **kw)


def daks() -> list[Dak]:
    with session_scope(get_settings().db_url, readonly=True) as s:
        return list(s.scalars(select(Dak).order_by(Dak.id)))


def report_rows(stdout: str) -> dict[str, dict]:
    path = Path(stdout.rsplit("report: ", 1)[1].split()[0])
    with path.open(encoding="utf-8-sig") as fh:
        return {row["document"]: row for row in csv.DictReader(fh)}


def test_tree_with_bad_files_then_a_rerun_adds_nothing(home: Path, tmp_path: Path) -> None:
    room = tmp_path / "room"
    files = make_room(room, 5)
    broken = room / "1991" / "broken.jpg"
    broken.write_bytes((room / "1991" / "file-0001.jpg").read_bytes()[:900])
    (room / "1991" / "notes.txt").write_text("register of files 1991\n", encoding="utf-8")
    (room / "1991" / "Thumbs.db").write_bytes(b"\0" * 64)
    (room / "1991" / ".hidden.png").write_bytes(b"\0")
    before = {p: p.read_bytes() for p in room.rglob("*") if p.is_file()}

    first = bulk(str(room), "--workers", "2")
    assert first.returncode == 0, first.stderr
    rows = report_rows(first.stdout)
    assert set(rows) == {f.relative_to(room).as_posix() for f in files} | {
        "1991/broken.jpg", "1991/notes.txt"}
    assert rows["1991/broken.jpg"]["status"] == "failed"
    assert rows["1991/broken.jpg"]["error_code"] == "truncated"
    assert rows["1991/notes.txt"]["error_code"] == "not_a_scan"
    registered = daks()
    assert len(registered) == 5 == sum(r["status"] == "registered" for r in rows.values())
    assert len({d.sha256 for d in registered}) == 5
    assert {p: p.read_bytes() for p in before} == before  # nothing in the room was touched

    again = bulk(str(room), "--workers", "2")
    assert again.returncode == 0, again.stderr
    assert len(daks()) == 5
    assert "7" in again.stdout.split("done earlier")[1].split("\n")[0]

    save(render_page(letter_lines(4242), size=34, margin=60, page=(1240, 420)),
         room / "1991" / "late.png")
    third = bulk(str(room), "--workers", "2")
    assert third.returncode == 0, third.stderr
    assert len(daks()) == 6 and daks()[-1].source_name == "1991/late.png"


def test_a_folder_of_page_images_is_one_document(home: Path, tmp_path: Path) -> None:
    room = tmp_path / "room"
    bound = room / "1995" / "file-7781"  # a file scanned as one image per page
    bound.mkdir(parents=True)
    for p in (1, 2, 10):  # natural order: p2 before p10
        save(render_page(letter_lines(7780 + p), size=34, margin=60, page=(1240, 420)),
             bound / f"p{p}.png")
    done = bulk(str(room), "--group", "folders", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert report_rows(done.stdout)["1995/file-7781/"]["pages"] == "3"
    (dak,) = daks()
    assert dak.source_name == "1995/file-7781/" and dak.pages == 3
    pages = dak.ocr_text.split("\f")
    assert all(str(8780 + p) in page for p, page in zip((1, 2, 10), pages, strict=True))


def test_legacy_records_have_their_own_numbers(home: Path, tmp_path: Path) -> None:
    make_room(tmp_path / "room", 2)
    done = bulk(str(tmp_path / "room"), "--as-record", "--workers", "1")
    assert done.returncode == 0, done.stderr
    records = daks()
    year = records[0].year
    assert [(d.kind, d.diary_no) for d in records] == [
        ("record", f"1/{year}/REC"), ("record", f"2/{year}/REC")]


def settled(url: str) -> int:
    with session_scope(url, readonly=True) as s:
        return s.scalar(select(func.count()).select_from(BulkItem)
                        .where(BulkItem.status.in_(journal.SETTLED))) or 0


def test_a_killed_run_resumes_with_every_document_once(home: Path, tmp_path: Path) -> None:
    files = make_room(tmp_path / "room", 14)
    url = get_settings().db_url
    proc = subprocess.Popen([DAKSCAN, "bulk", str(tmp_path / "room"), "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if home.joinpath("register.sqlite").exists() and settled(url) >= 4:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the power goes: the CLI and its workers at once
    proc.wait(timeout=30)
    cut_at = settled(url)
    assert 4 <= cut_at < len(files), "the kill must land mid-run"

    rerun = bulk(str(tmp_path / "room"), "--workers", "2")
    assert rerun.returncode == 0, rerun.stderr
    registered = daks()
    assert len(registered) == len(files)
    assert len({d.sha256 for d in registered}) == len(files)
    assert sorted(d.serial for d in registered) == list(range(1, len(files) + 1))  # no gaps
    assert {d.source_name for d in registered} == {
        f.relative_to(tmp_path / "room").as_posix() for f in files}
    rows = report_rows(rerun.stdout)
    assert {r["status"] for r in rows.values()} == {"registered"}
    assert not list(home.glob("bulk/bind/*"))  # no bound copy left behind


def test_a_missing_source_is_a_clear_error(home: Path, tmp_path: Path) -> None:
    done = bulk(str(tmp_path / "no-such-room"))
    assert done.returncode == 2
    assert "फ़ोल्डर नहीं मिला" in done.stderr and "No such folder" in done.stderr
    assert "Traceback" not in done.stderr


def test_pages_of_a_bound_folder_keep_their_look(tmp_path: Path) -> None:
    from dakscan.service.bulk_walk import bind, documents

    folder = tmp_path / "f"
    folder.mkdir()
    Image.new("RGB", (300, 200), (200, 30, 30)).save(folder / "p1.jpg", dpi=(200, 200))
    Image.new("L", (200, 300), 90).save(folder / "p2.png", dpi=(300, 300))
    (doc,) = documents(tmp_path, "folders")
    out = bind(doc.paths, tmp_path / "bound.tif")
    again = bind(doc.paths, tmp_path / "again.tif")
    assert out.read_bytes() == again.read_bytes()  # same pages, same bytes: a rerun dedupes
    with Image.open(out) as tif:
        assert tif.n_frames == 2
        assert (tif.size, tif.mode, round(tif.info["dpi"][0])) == ((300, 200), "RGB", 200)
        tif.seek(1)
        assert (tif.size, tif.mode) == ((200, 300), "L")


def test_progress_of_runs_is_served_to_admin_and_commissioner(home: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from test_api_support import PASSWORD, add_people, login

    from dakscan.service.api import create_app

    make_room(tmp_path / "room", 2)
    assert bulk(str(tmp_path / "room"), "--workers", "1").returncode == 0
    settings = get_settings()
    add_people(settings, ("admin", "commissioner", "op_a"))
    with TestClient(create_app(settings)) as client:
        for who in ("admin", "commissioner"):
            r = client.get("/api/v1/bulk/runs", headers=login(client, who))
            assert r.status_code == 200, r.text
            (run,) = r.json()
            assert (run["total"], run["registered"], run["settled"]) == (2, 2, 2)
            assert run["source"] == str((tmp_path / "room").resolve())
        assert client.get("/api/v1/bulk/runs", headers=login(client, "op_a")).status_code == 403
        assert client.get("/api/v1/bulk/runs").status_code == 401
    with TestClient(create_app(settings)) as browser:  # the commissioner's dashboard, in Hindi
        r = browser.post("/login", data={"username": "commissioner", "password": PASSWORD},
                         follow_redirects=False)
        assert r.status_code == 303
        html = browser.get("/dashboard").text
        assert "पुराने अभिलेखों का रूपांतरण" in html and "पूरा" in html
        assert '<td data-metric="bulk_settled">2 / 2</td>' in html


def test_a_document_that_keeps_killing_workers_is_set_aside(home: Path, tmp_path: Path) -> None:
    """Each delivery counts an attempt in the journal before reading; a task delivered again
    and again (its worker killed each time) is failed as poison instead of read once more."""
    from dakscan.service.bulk import job_for, process_document
    from dakscan.service.bulk_walk import documents

    make_room(tmp_path / "room", 1)
    settings = get_settings()
    (doc,) = documents(tmp_path / "room")
    run_id = journal.open_run(settings.db_url, tmp_path / "room", "dak", "files", None, True)
    item_id = journal.claim(settings.db_url, run_id, doc, status="queued")
    for _ in range(settings.max_attempts):  # three deliveries whose workers died mid-read
        journal.begin_attempt(settings.db_url, item_id)
    result = process_document(job_for(doc, item_id, run_id, "dak", None, settings.max_attempts))
    assert (result["status"], result["error_code"]) == ("failed", "poison")
    assert daks() == []
    with session_scope(settings.db_url, readonly=True) as s:
        item = s.get(BulkItem, item_id)
        assert (item.status, item.error_code, item.attempts) == ("failed", "poison", 4)
    assert journal.claim(settings.db_url, run_id, doc) is None  # a rerun leaves it aside


def test_dakscans_own_home_inside_the_tree_is_never_read_back(tmp_path: Path) -> None:
    """`dakscan bulk .` or `dakscan process .` run where DAKSCAN_HOME lives: the archive's
    originals and signed PDFs are not scans to register again."""
    room = tmp_path / "room"
    make_room(room, 2)
    env = {**os.environ, "DAKSCAN_HOME": str(room / "dakscan-data")}
    env.pop("DAKSCAN_DATABASE_URL", None)
    for _ in range(2):
        done = subprocess.run([DAKSCAN, "bulk", str(room)], capture_output=True, text=True,
                              timeout=600, env=env)
        assert done.returncode == 0, done.stderr
        assert set(report_rows(done.stdout)) == {"1990/file-0000.png", "1991/file-0001.jpg"}
    again = subprocess.run([DAKSCAN, "process", "--json", str(room)], capture_output=True,
                           text=True, timeout=600, env=env)
    assert again.returncode == 0, again.stderr
    assert [line.count('"duplicate"') for line in again.stdout.splitlines()] == [1, 1]


def test_celery_retries_after_transient_errors_are_not_poison(home: Path, tmp_path: Path) -> None:
    """Deliveries that Celery itself retried (the database was away) are no fault of the
    document: after as many retries as the poison limit it is still read and registered."""
    from dakscan.service.bulk import job_for, process_document
    from dakscan.service.bulk_walk import documents

    make_room(tmp_path / "room", 1)
    settings = get_settings()
    (doc,) = documents(tmp_path / "room")
    run_id = journal.open_run(settings.db_url, tmp_path / "room", "dak", "files", None, True)
    item_id = journal.claim(settings.db_url, run_id, doc, status="queued")
    for _ in range(settings.max_attempts):  # three tries that ended in a retried OSError
        journal.begin_attempt(settings.db_url, item_id)
    job = job_for(doc, item_id, run_id, "dak", None, settings.max_attempts)
    result = process_document(job, retries=settings.max_attempts)
    assert result["status"] == "registered", result
    assert len(daks()) == 1
