"""Watch config, file names, desk folder moves and the failure note: the parts under the
watcher, on real files and a real SQLite register (no OCR here; the process tests do that)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dakscan.ingest.errors import InputError
from dakscan.service.config import get_settings
from dakscan.service.db import session_scope
from dakscan.service.models import Failure
from dakscan.watch_folders.config import ConfigError, load_config, parse_config
from dakscan.watch_folders.folders import DeskFolder, FolderError
from dakscan.watch_folders.names import free_name, ignored
from dakscan.watch_folders.settle import error_note, settle
from dakscan.watch_folders.status import desk_status

EXAMPLE = Path(__file__).resolve().parents[1] / "watch_folders" / "example.toml"


def test_example_config_parses_with_hindi_desk() -> None:
    cfg = load_config(EXAMPLE)
    names = [d.name for d in cfg.desks]
    assert names == ["inward", "डाक-शाखा"]
    inward, post = cfg.desks
    assert (inward.unit, inward.delivery_mode, inward.poll) == ("INW", "by_hand", False)
    assert (post.poll, post.poll_interval, post.stability_seconds) == (True, 2, 5)
    assert cfg.workers == 2 and cfg.limit_for(None) == 180 and cfg.limit_for(10) == 720


def test_relative_folder_and_desk_list_form(tmp_path: Path) -> None:
    cfg = parse_config({"desks": [{"name": "आवक", "folder": "scans/in"}]}, base=tmp_path)
    assert cfg.desks[0].folder == tmp_path / "scans/in"
    assert cfg.desks[0].stability_seconds == 3.0 and cfg.desks[0].poll is False


@pytest.mark.parametrize("text, fragment", [
    ('[desks.a]\nfolder = "x"\nunit = "A"\npol = true\n', "pol"),
    ('[desks.a]\nfolder = "x"\ndelivery_mode = "pigeon"\n', "delivery mode"),
    ('[desks.a]\nunit = "A"\n', "folder"),
    ('[watch]\nworkers = 2\n', "no desks"),
    ('[desks.a]\nfolder = "x"\n[desks.b]\nfolder = "x"\n', "two desks"),
    ('[desks.a\nfolder = "x"\n', "cannot read"),
    ('[desk.a]\nfolder = "x"\n', "unknown section"),
])
def test_bad_config_is_a_plain_error(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "watch.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert fragment in str(info.value)


def test_scanner_temp_names_are_ignored() -> None:
    for name in (".scan.pdf", "~$scan.pdf", "scan.pdf.tmp", "scan.TMP", "scan.part",
                 "letter.pdf.crdownload", "Thumbs.db", "~WRL0001.tmp"):
        assert ignored(name), name
    for name in ("scan.pdf", "पत्र-१.pdf", "IMG_0001.JPG", "scan (2).tif"):
        assert not ignored(name), name


def test_free_name_adds_a_suffix(tmp_path: Path) -> None:
    assert free_name(tmp_path, "पत्र.pdf") == tmp_path / "पत्र.pdf"
    (tmp_path / "पत्र.pdf").write_bytes(b"1")
    (tmp_path / "पत्र (2).pdf").write_bytes(b"2")
    assert free_name(tmp_path, "पत्र.pdf") == tmp_path / "पत्र (3).pdf"
    (tmp_path / "README").write_bytes(b"x")
    assert free_name(tmp_path, "README") == tmp_path / "README (2)"


def test_same_named_files_never_overwrite(tmp_path: Path) -> None:
    desk = DeskFolder(tmp_path)
    desk.prepare()
    kept = []
    for content in (b"first", b"second", b"third"):
        (tmp_path / "scan.pdf").write_bytes(content)
        claimed = desk.claim(tmp_path / "scan.pdf")
        kept.append(desk.to_done(claimed))
    assert [p.name for p in kept] == ["scan.pdf", "scan (2).pdf", "scan (3).pdf"]
    assert [p.read_bytes() for p in kept] == [b"first", b"second", b"third"]
    assert desk.in_processing() == [] and desk.waiting() == []


def test_missing_folder_and_second_watcher_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FolderError, match="not found"):
        DeskFolder(tmp_path / "nowhere").prepare()
    first, second = DeskFolder(tmp_path), DeskFolder(tmp_path)
    first.prepare()
    first.lock()
    try:
        with pytest.raises(FolderError, match="another watcher"):
            second.lock()
    finally:
        first.unlock()
    second.lock()
    second.unlock()


def test_failed_file_gets_a_bilingual_note_and_a_failure_row(home: Path, tmp_path: Path) -> None:
    desk = DeskFolder(tmp_path / "desk")
    desk.root.mkdir()
    desk.prepare()
    (desk.root / "पत्र.pdf").write_bytes(b"not a pdf at all")
    claimed = desk.claim(desk.root / "पत्र.pdf")
    result = InputError("not_a_scan").result()
    settings = get_settings()
    outcome = settle(desk, "आवक", claimed, "पत्र.pdf", result, settings.db_url,
                     settings.timezone)
    assert outcome.status == "failed" and outcome.code == "not_a_scan"
    kept = desk.failed / "पत्र.pdf"
    assert kept.read_bytes() == b"not a pdf at all"
    note = (desk.failed / "पत्र.pdf.error.txt").read_text(encoding="utf-8")
    assert "केवल PDF, TIFF, JPEG या PNG डालें" in note
    assert "This is not a scanned file" in note and "What to do" in note and "क्या करें" in note
    with session_scope(settings.db_url) as s:
        rows = s.query(Failure).all()
        assert [(r.desk, r.source_name, r.code, r.kept_at) for r in rows] == [
            ("आवक", "पत्र.pdf", "not_a_scan", str(kept))]
        assert rows[0].message_hi.startswith("यह स्कैन की हुई फ़ाइल नहीं है")
    rows = desk_status(parse_config({"desks": {"आवक": {"folder": str(desk.root)}}}, tmp_path),
                       settings)
    assert rows == [{"desk": "आवक", "folder": str(desk.root), "found": True, "waiting": 0,
                     "processing": 0, "done_today": 0, "failed": 1}]
    assert desk_status(None, settings)[0]["failed"] == 1


def test_error_note_without_messages_falls_back_to_the_code() -> None:
    note = error_note("desk", "a.pdf", "a.pdf", {"status": "failed", "error_code": "timeout"},
                      "Asia/Kolkata")
    assert "बहुत देर लगी" in note and "took too long" in note and "code: timeout" in note
