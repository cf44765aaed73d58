"""`dakscan watch` as a real process on real folders, real OCR and the real SQLite register:
slow writes, a burst of 200 files, SIGKILL in the middle of a burst, polling, a poisoned file.

Registrations are counted in the register's `dak` table (sha256 unique) and every original
is looked for in the desk folder afterwards: none lost, none twice, none left in processing/.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from letters import HINDI_LETTER, render_page, save, save_multipage

DAKSCAN = str(Path(sys.executable).parent / "dakscan")
pytestmark = pytest.mark.filterwarnings("ignore:Corrupt EXIF")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    return json.dumps(str(v), ensure_ascii=False)


class Watch:
    """A `dakscan watch --config` process with its own DAKSCAN_HOME and console log."""

    def __init__(self, root: Path, desks: dict[str, dict], **watch: object) -> None:
        self.root = root
        self.home = root / "home"
        self.cfg = root / "watch.toml"
        self.out = root / "watch.out"
        self.desks = {}
        lines = ["[watch]"] + [f"{k} = {toml_value(v)}" for k, v in watch.items()]
        for name, table in desks.items():
            folder = root / table.pop("dir", name)
            folder.mkdir(parents=True, exist_ok=True)
            self.desks[name] = folder
            lines += ["", f"[desks.{json.dumps(name, ensure_ascii=False)}]",
                      f"folder = {toml_value(folder)}"]
            lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
        self.cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DAKSCAN_DATABASE_URL", "DAKSCAN_WORKERS")}
        self.env["DAKSCAN_HOME"] = str(self.home)
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        with open(self.out, "ab") as fh:
            self.proc = subprocess.Popen([DAKSCAN, "watch", "--config", str(self.cfg)],
                                         env=self.env, stdout=fh, stderr=subprocess.STDOUT)
        self.starts += 1
        wait_for(lambda: self.text().count("watch started") >= self.starts
                 and self.text().count(" watching ") >= self.starts * len(self.desks),
                 60, "watcher start", self)

    def text(self) -> str:
        return self.out.read_text(encoding="utf-8") if self.out.exists() else ""

    def children(self) -> list[int]:
        """Worker processes of the running watcher (from /proc)."""
        kids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    kids.append(int(entry))
        return kids

    def kill(self) -> None:
        """SIGKILL, as a crash or power cut; its workers must die with it."""
        kids = self.children()
        assert kids, "watcher has no worker processes"
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        wait_for(lambda: not any(_alive(k) for k in kids), 10, "workers to die")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=90)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def daks(self) -> list[dict]:
        db = self.home / "register.sqlite"
        if not db.exists():
            return []
        con = sqlite3.connect(db, timeout=30)
        con.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in con.execute(
                "SELECT sha256, source_name, desk, unit, delivery_mode, pages, serial, diary_no "
                "FROM dak")]
        except sqlite3.OperationalError:  # schema not made yet
            return []
        finally:
            con.close()

    def failures(self) -> list[dict]:
        con = sqlite3.connect(self.home / "register.sqlite", timeout=30)
        con.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in con.execute("SELECT desk, source_name, code FROM failure")]
        finally:
            con.close()

    def status(self) -> list[dict]:
        run = subprocess.run([DAKSCAN, "status", "--config", str(self.cfg), "--json"],
                             env=self.env, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(cond, timeout: float, what: str, watch: Watch | None = None) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not cond():
        if watch is not None and watch.proc is not None and watch.proc.poll() is not None:
            pytest.fail(f"watcher exited ({watch.proc.returncode}) waiting for {what}:\n"
                        + watch.text()[-3000:])
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n" + (watch.text()[-3000:] if watch
                                                              else ""))
        time.sleep(0.2)


@pytest.fixture
def watch_factory(tmp_path: Path):
    made: list[Watch] = []

    def make(desks: dict[str, dict], **watch: object) -> Watch:
        w = Watch(tmp_path, desks, **watch)
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


# -- scans ------------------------------------------------------------------------------------

def small_page(i: int, tag: str):
    """A 600x300 scrap of a letter at 300 dpi: fast to OCR, distinct per number."""
    return render_page([f"पत्र क्रमांक {i:03d}/{tag}", f"Letter No. {i:03d} {tag}"], size=34,
                       page=(600, 300), margin=30)


def scan_bytes(i: int, tag: str, staging: Path) -> tuple[str, bytes]:
    """(file name, bytes) of good scan number i: PNG/JPEG/TIFF/PDF, a few of two pages."""
    kind = ("png", "jpg", "tif", "pdf")[i % 4]
    name = f"पत्र-{i:03d}.{kind}" if i % 5 == 0 else f"scan_{tag}_{i:03d}.{kind}"
    path = staging / f"{tag}-{i}.{kind}"
    if i % 23 == 0 and kind in ("tif", "pdf"):
        save_multipage([small_page(i, tag), small_page(i + 1000, tag)], path)
    else:
        save(small_page(i, tag), path)
    return name, path.read_bytes()


def broken_scans(staging: Path, tag: str) -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, expected error code)."""
    pdf = save_multipage([small_page(900, tag)], staging / f"{tag}-b.pdf").read_bytes()
    jpg = save(small_page(901, tag), staging / f"{tag}-b.jpg").read_bytes()
    png = save(small_page(902, tag), staging / f"{tag}-b.png").read_bytes()
    locked = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.save(locked, encryption=pikepdf.Encryption(owner="o", user="secret"))
    return {
        f"cut_{tag}.pdf": (pdf[: len(pdf) * 2 // 3], "truncated"),
        f"cut_{tag}.jpg": (jpg[: len(jpg) // 2], "truncated"),
        f"कटा_{tag}.png": (png[: len(png) // 2], "truncated"),
        f"notes_{tag}.pdf": (b"minutes of the meeting, typed\n" * 40, "not_a_scan"),
        f"empty_{tag}.tif": (b"", "empty"),
        f"locked_{tag}.pdf": (locked.getvalue(), "encrypted"),
    }


def ignored_scans(staging: Path) -> dict[str, bytes]:
    """Good scans under names a scanner uses while writing: never to be taken."""
    names = [".hidden.pdf", "~$scan.pdf", "scan.pdf.tmp", "incoming.part"]
    return {n: save(small_page(950 + k, "ign"), staging / f"ign{k}.png").read_bytes()
            for k, n in enumerate(names)}


def drop(folder: Path, files: dict[str, bytes], staging: Path) -> None:
    """Half copied in (written in place), half renamed in (appear complete at once)."""
    for k, (name, data) in enumerate(files.items()):
        if k % 2:
            tmp = staging / f"drop-{k}-{sha(data)[:8]}"
            tmp.write_bytes(data)
            os.rename(tmp, folder / name)
        else:
            (folder / name).write_bytes(data)


def folder_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()
            and not p.name.startswith(".") and not p.name.endswith(".error.txt")}


def settled(w: Watch, expected: dict[str, int]) -> bool:
    """Every desk's inbox down to ignored names, processing/ empty, done+failed as expected."""
    for name, folder in w.desks.items():
        inbox = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(
            (".", "~")) and not p.name.endswith((".tmp", ".part"))]
        if inbox or folder_files(folder / "processing"):
            return False
        if len(folder_files(folder / "done")) + len(folder_files(folder / "failed")) \
                != expected[name]:
            return False
    return True


def check_failed(folder: Path, broken: dict[str, tuple[bytes, str]]) -> None:
    failed = folder_files(folder / "failed")
    assert {n: sha(b) for n, b in failed.items()} == {n: sha(b) for n, (b, _) in broken.items()}
    for name, (_, code) in broken.items():
        note = (folder / "failed" / f"{name}.error.txt").read_text(encoding="utf-8")
        assert f"code: {code}" in note, note
        assert "कारण:" in note and "Reason:" in note and re.search("[\u0900-\u097f]{4}", note)


# -- tests ------------------------------------------------------------------------------------

def test_slowly_written_files_are_taken_once_when_complete(watch_factory, tmp_path: Path) -> None:
    w = watch_factory({"inward": {"unit": "INW", "stability_seconds": 1, "give_up_seconds": 60}},
                      workers=2)
    staging = tmp_path / "staging"
    staging.mkdir()
    whole = {}
    for suffix in ("pdf", "tif"):
        pages = [render_page([HINDI_LETTER[0], f"धीमा स्कैन पृष्ठ {k + 1} {suffix}"], size=34,
                             page=(900, 300), margin=30) for k in range(3)]
        whole[f"feeder.{suffix}"] = save_multipage(pages, staging / f"f.{suffix}").read_bytes()
    w.start()
    inbox = w.desks["inward"]
    handles = {n: open(inbox / n, "wb") for n in whole}  # noqa: SIM115 - the scanner's handle
    try:
        for step in range(5):  # five pieces, each pause longer than the stability time
            for name, data in whole.items():
                assert (inbox / name).exists(), f"{name} taken after piece {step}"
                cut = len(data) * step // 5, len(data) * (step + 1) // 5
                handles[name].write(data[cut[0]:cut[1]])
                handles[name].flush()
            if step < 4:
                time.sleep(1.8)
                assert w.daks() == [] and not folder_files(inbox / "failed")
    finally:
        for h in handles.values():
            h.close()
    wait_for(lambda: settled(w, {"inward": 2}), 90, "slow files", w)
    rows = w.daks()
    assert sorted((r["source_name"], r["sha256"], r["pages"]) for r in rows) == sorted(
        (n, sha(b), 3) for n, b in whole.items())
    assert {n: sha(b) for n, b in folder_files(inbox / "done").items()} == {
        n: sha(b) for n, b in whole.items()}
    assert w.text().count("status=registered") == 2 and "status=failed" not in w.text()
    assert w.stop() == 0


def test_burst_of_200_mixed_files(watch_factory, tmp_path: Path) -> None:
    w = watch_factory({
        "inward": {"unit": "INW", "delivery_mode": "by_hand", "stability_seconds": 0.5,
                   "give_up_seconds": 3},
        "डाक": {"dir": "post", "unit": "DAK", "delivery_mode": "speed_post", "poll": True,
                "poll_interval": 1, "stability_seconds": 0.5, "give_up_seconds": 3},
    }, workers=2, rescan_seconds=30)
    staging = tmp_path / "staging"
    staging.mkdir()
    broken = {"inward": broken_scans(staging, "a"), "डाक": broken_scans(staging, "b")}
    good: dict[str, dict[str, bytes]] = {"inward": {}, "डाक": {}}
    for i in range(200 - 12):
        name, data = scan_bytes(i, "burst", staging)
        good["inward" if i % 5 < 3 else "डाक"][name] = data
    ignored = ignored_scans(staging)
    w.start()
    t0 = time.monotonic()
    for desk, folder in w.desks.items():
        drop(folder, {**good[desk], **{n: b for n, (b, _) in broken[desk].items()}}, staging)
    drop(w.desks["inward"], ignored, staging)
    expected = {d: len(good[d]) + len(broken[d]) for d in w.desks}
    assert sum(expected.values()) == 200
    wait_for(lambda: settled(w, expected), 400, "the burst", w)
    seconds = time.monotonic() - t0
    print(f"\nburst: 200 files in {seconds:.1f} s = {200 / seconds * 60:.0f} files/min "
          "(2 workers)")
    rows = w.daks()
    shas = [r["sha256"] for r in rows]
    assert len(shas) == len(set(shas)) == 188
    want = {sha(b): (n, d) for d in good for n, b in good[d].items()}
    assert {r["sha256"]: (r["source_name"], r["desk"]) for r in rows} == want
    units = {"inward": ("INW", "by_hand"), "डाक": ("DAK", "speed_post")}
    assert all((r["unit"], r["delivery_mode"]) == units[r["desk"]] for r in rows)
    assert sorted(r["serial"] for r in rows if r["unit"] == "INW") == list(
        range(1, len(good["inward"]) + 1))
    for desk, folder in w.desks.items():
        assert {n: sha(b) for n, b in folder_files(folder / "done").items()} == {
            n: sha(b) for n, b in good[desk].items()}
        check_failed(folder, broken[desk])
    assert Counter((f["desk"], f["code"]) for f in w.failures()) == Counter(
        (d, code) for d in broken for _, code in broken[d].values())
    left = {p.name: p.read_bytes() for p in w.desks["inward"].iterdir() if p.is_file()}
    assert left == ignored  # temp names untouched
    log = w.text()
    assert log.count("status=registered") == 188 and log.count("status=failed") == 12
    status = {r["desk"]: r for r in w.status()}
    assert status["inward"]["done_today"] == len(good["inward"])
    assert status["डाक"]["failed"] == 6 and status["डाक"]["waiting"] == 0
    assert w.stop() == 0


def test_sigkill_three_times_during_a_burst(watch_factory, tmp_path: Path) -> None:
    w = watch_factory({"inward": {"unit": "INW", "stability_seconds": 0.5,
                                  "give_up_seconds": 2}}, workers=2)
    staging = tmp_path / "staging"
    staging.mkdir()
    first = dict(scan_bytes(i, "kill", staging) for i in range(70))
    later = dict(scan_bytes(i, "kill", staging) for i in range(70, 100))
    broken = {n: v for n, v in broken_scans(staging, "k").items()
              if v[1] in ("truncated", "not_a_scan")}
    inbox = w.desks["inward"]
    w.start()
    drop(inbox, {**first, **{n: b for n, (b, _) in broken.items()}}, staging)
    for kills, at in enumerate((8, 25, 50), start=1):
        wait_for(lambda at=at: len(w.daks()) >= at, 200, f"{at} registrations", w)
        w.kill()
        if kills == 2:  # dropped while nobody watches: found by the scan at start
            drop(inbox, later, staging)
        w.start()
    good = {**first, **later}
    wait_for(lambda: settled(w, {"inward": len(good) + len(broken)}), 300, "the rest", w)
    rows = w.daks()
    shas = [r["sha256"] for r in rows]
    assert len(shas) == len(set(shas)) == len(good)
    assert {r["sha256"]: r["source_name"] for r in rows} == {sha(b): n for n, b in good.items()}
    assert sorted(r["serial"] for r in rows) == list(range(1, len(good) + 1))  # no gap, no twin
    # none lost, none twice: each original is now in done/ or failed/, exactly once
    kept = Counter(sha(b) for sub in ("done", "failed")
                   for b in folder_files(inbox / sub).values())
    assert kept == Counter([sha(b) for b in good.values()] + [sha(b) for b, _ in broken.values()])
    assert folder_files(inbox / "processing") == {}
    assert {n: sha(b) for n, b in folder_files(inbox / "done").items()} == {
        n: sha(b) for n, b in good.items()}
    check_failed(inbox, broken)
    assert Counter(f["source_name"] for f in w.failures()) == Counter(list(broken))
    assert w.text().count("recovering") >= 1
    assert w.stop() == 0


def test_polling_desk_uses_the_polling_observer(watch_factory, tmp_path: Path) -> None:
    w = watch_factory({
        "post": {"unit": "DAK", "delivery_mode": "post", "poll": True, "poll_interval": 0.5,
                 "stability_seconds": 0.5},
        "inward": {"unit": "INW", "delivery_mode": "by_hand", "stability_seconds": 0.5},
    }, workers=2, rescan_seconds=0)  # no periodic rescan: only the observers can see files
    staging = tmp_path / "staging"
    staging.mkdir()
    w.start()
    log = w.text()
    assert re.search(r"desk=post watching \S+ with PollingObserver every 0.5 s", log)
    assert re.search(r"desk=inward watching \S+ with InotifyObserver\n", log)
    files = {"post": scan_bytes(1, "poll", staging), "inward": scan_bytes(2, "poll", staging)}
    for desk, (name, data) in files.items():
        (w.desks[desk] / name).write_bytes(data)
    wait_for(lambda: settled(w, {"post": 1, "inward": 1}), 60, "both files", w)
    rows = {r["desk"]: r for r in w.daks()}
    assert rows["post"]["sha256"] == sha(files["post"][1])
    assert (rows["post"]["unit"], rows["post"]["delivery_mode"]) == ("DAK", "post")
    assert (rows["inward"]["unit"], rows["inward"]["delivery_mode"]) == ("INW", "by_hand")
    assert w.status() == [
        {"desk": d, "folder": str(w.desks[d]), "found": True, "waiting": 0, "processing": 0,
         "done_today": 1, "failed": 0} for d in ("post", "inward")]
    table = subprocess.run([DAKSCAN, "status", "--config", str(w.cfg)], env=w.env,
                           capture_output=True, text=True, timeout=60)
    assert table.returncode == 0 and "post" in table.stdout and "inward" in table.stdout
    # the running watcher's queue reaches /metrics of a service over the same home
    from dakscan.service.config import Settings
    from dakscan.service.metrics import render
    from dakscan.watch_folders.queue_file import read_queue

    idle = {"waiting": 0, "processing": 0}
    wait_for(lambda: read_queue(w.home) == {"post": idle, "inward": idle}, 20, "queue file", w)
    text = render(Settings(home=w.home)).decode()
    assert 'dakscan_files_queued{desk="post",source="watch",state="waiting"} 0.0' in text, text
    assert w.stop() == 0
    assert "watch stopped" in w.text()
    logged = (w.home / "logs" / "dakscan.log").read_text(encoding="utf-8")
    for desk, (name, _) in files.items():  # the per-file line in the log under DAKSCAN_HOME
        assert re.search(rf"desk={desk} file={re.escape(name)} status=registered "
                         rf"diary_no=1/\d{{4}}/{rows[desk]['unit']} kept=done/\S+ "
                         r"seconds=\d+\.\d", logged), logged


def test_a_poisoned_file_times_out_and_blocks_nobody(watch_factory, tmp_path: Path) -> None:
    w = watch_factory({"inward": {"stability_seconds": 0.5}}, workers=2, file_timeout=12,
                      page_timeout=0)
    staging = tmp_path / "staging"
    staging.mkdir()
    # 40 full A4 pages take well over 12 s to read (~1-2.4 s a page on an idle core)
    poison = save_multipage([render_page(HINDI_LETTER)] * 40,
                            staging / "poison.tif").read_bytes()
    small = dict(scan_bytes(i, "poison", staging) for i in range(6))
    w.start()
    inbox = w.desks["inward"]
    (inbox / "मोटी-फ़ाइल.tif").write_bytes(poison)
    time.sleep(1.5)  # the poison is taken first
    drop(inbox, small, staging)
    wait_for(lambda: settled(w, {"inward": 7}), 120, "all files", w)
    assert {r["source_name"] for r in w.daks()} == set(small)
    check_failed(inbox, {"मोटी-फ़ाइल.tif": (poison, "timeout")})
    log = w.text().splitlines()
    poisoned = next(k for k, line in enumerate(log) if "मोटी-फ़ाइल.tif status=failed" in line)
    first_small = next(k for k, line in enumerate(log) if "status=registered" in line)
    assert first_small < poisoned, "a small file waited for the poisoned one"
    assert re.search(r"code=timeout .* seconds=1[2-9]\.\d", log[poisoned])
    assert [f["code"] for f in w.failures()] == ["timeout"]
    assert w.stop() == 0
    shutil.rmtree(staging)
