"""The watch worker pool on real processes: a file over its time limit is killed with its
child processes and reported, a crashing worker is replaced, and neither holds up the rest."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from dakscan.watch_folders.pool import WorkerPool


def slow_or_quick(job: dict) -> dict:
    """Runs in a worker: 'hang' starts a child and sleeps, 'crash' exits hard, else answers."""
    if job["name"] == "hang":
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        Path(job["pidfile"]).write_text(str(child.pid))
        time.sleep(60)
    if job["name"] == "crash":
        os._exit(7)
    return {"status": "registered", "name": job["name"], "pid": os.getpid()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_time_limit_kills_the_worker_group_and_others_go_on(tmp_path: Path) -> None:
    pool = WorkerPool(2, timeout=3.0, handler=slow_or_quick)
    pool.start()
    pidfile = tmp_path / "child.pid"
    try:
        pool.submit("hang", {"name": "hang", "pidfile": str(pidfile)})
        results = {}
        quick = [f"q{i}" for i in range(6)]
        t0 = time.monotonic()
        while len(results) < 7 and time.monotonic() - t0 < 30:
            if quick and pool.idle():
                name = quick.pop(0)
                pool.submit(name, {"name": name})
            for f in pool.collect(0.1):
                results[f.job_id] = (f.result, f.seconds, time.monotonic() - t0)
        assert set(results) == {"hang", "q0", "q1", "q2", "q3", "q4", "q5"}
        hang, hang_seconds, hang_at = results["hang"]
        assert hang["status"] == "failed" and hang["error_code"] == "timeout"
        assert "बहुत देर" in hang["error_hi"] and 3.0 <= hang_seconds < 8
        # the quick jobs all finished while the hanging one still held its worker
        assert all(results[q][2] < hang_at for q in ("q0", "q1", "q2", "q3", "q4", "q5"))
        assert all(results[q][0]["status"] == "registered" for q in results if q != "hang")
        child = int(pidfile.read_text())
        deadline = time.monotonic() + 5
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child), "the killed worker's child process survived"
        assert pool.respawned == 1
        pool.submit("after", {"name": "after"})
        after = []
        while not after and time.monotonic() - t0 < 40:
            after = pool.collect(0.2)
        assert after[0].result["status"] == "registered"
    finally:
        pool.close()


def test_a_crashing_worker_is_replaced(tmp_path: Path) -> None:
    pool = WorkerPool(1, timeout=30.0, handler=slow_or_quick)
    pool.start()
    try:
        pool.submit("crash", {"name": "crash"})
        done = []
        t0 = time.monotonic()
        while not done and time.monotonic() - t0 < 20:
            done = pool.collect(0.2)
        assert done[0].result["error_code"] == "internal"
        assert "exit code 7" in done[0].result["error"]
        pool.submit("next", {"name": "next"})
        done = []
        while not done and time.monotonic() - t0 < 40:
            done = pool.collect(0.2)
        assert done[0].result == {"status": "registered", "name": "next",
                                  "pid": done[0].result["pid"]}
        pids = pool.pids()
    finally:
        pool.close()
    assert all(not _alive(p) for p in pids)


def test_workers_are_recycled_after_their_share_of_jobs() -> None:
    pool = WorkerPool(1, timeout=30.0, handler=slow_or_quick, recycle_after=2)
    pool.start()
    pids = []
    try:
        t0 = time.monotonic()
        for k in range(3):
            pool.submit(k, {"name": f"j{k}"})
            done = []
            while not done and time.monotonic() - t0 < 40:
                done = pool.collect(0.2)
            pids.append(done[0].result["pid"])
    finally:
        pool.close()
    assert pids[0] == pids[1] != pids[2]
    assert pool.respawned == 0  # a planned replacement is not counted as a lost worker
