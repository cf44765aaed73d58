"""`dakscan bulk` pages/min for 1, 2, … N worker processes on the same record room, with the
speed-up over 1 worker and the peak memory (VmHWM) of each kind of process.

Every run starts from an empty DAKSCAN_HOME, so each one really reads every page. Run by
hand: `.venv/bin/python bench/bulk.py [--docs 24] [--pages 2] [--max-workers N]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from record_room import make_room  # noqa: E402

DAKSCAN = str(Path(sys.executable).parent / "dakscan")


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        out += [int(k) for k in kids]
        todo += [int(k) for k in kids]
    return out


def peak_kib(pid: int) -> tuple[str, int]:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "", 0
    hwm = next((int(line.split()[1]) for line in status.splitlines()
                if line.startswith("VmHWM:")), 0)
    kind = "tesseract" if "tesseract" in cmd else "worker" if "multiprocessing" in cmd \
        else "other"
    return kind, hwm


def watch_memory(root: int, peaks: dict[str, int], stop: threading.Event) -> None:
    while not stop.is_set():
        for pid in descendants(root):
            kind, hwm = peak_kib(pid)
            if kind:
                peaks[kind] = max(peaks.get(kind, 0), hwm)
        time.sleep(0.1)


def run(room: Path, workers: int) -> tuple[float, dict[str, int], int]:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "DAKSCAN_HOME": home}
        subprocess.run([DAKSCAN, "keys", "init"], env=env, capture_output=True, check=True)
        t0 = time.monotonic()
        proc = subprocess.Popen([DAKSCAN, "bulk", str(room), "--workers", str(workers)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True)
        peaks: dict[str, int] = {}
        stop = threading.Event()
        watcher = threading.Thread(target=watch_memory, args=(proc.pid, peaks, stop))
        watcher.start()
        out, _ = proc.communicate()
        stop.set()
        watcher.join()
        seconds = time.monotonic() - t0
        if proc.returncode != 0:
            raise SystemExit(f"bulk failed:\n{out}")
        registered = int(out.split("registered / दर्ज")[1].split("│")[1])
        return seconds, peaks, registered


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=24)
    ap.add_argument("--pages", type=int, default=2)
    ap.add_argument("--max-workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        room = Path(tmp) / "room"
        make_room(room, args.docs, pages=args.pages)
        pages = args.docs * args.pages
        print(f"{args.docs} documents, {pages} pages (small Hindi letters), "
              f"{os.cpu_count()} cores")
        print(f"{'workers':>7} {'seconds':>8} {'pages/min':>10} {'speed-up':>9} "
              f"{'peak worker MiB':>16} {'peak tesseract MiB':>19}")
        base = None
        for n in range(1, args.max_workers + 1):
            seconds, peaks, registered = run(room, n)
            assert registered == args.docs, registered
            ppm = pages / seconds * 60
            base = base or ppm
            print(f"{n:>7} {seconds:>8.1f} {ppm:>10.1f} {ppm / base:>8.2f}x "
                  f"{peaks.get('worker', 0) / 1024:>16.0f} "
                  f"{peaks.get('tesseract', 0) / 1024:>19.0f}", flush=True)


if __name__ == "__main__":
    main()
