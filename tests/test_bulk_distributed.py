"""Scale-out on real services: `dakscan worker` processes on a real broker (RabbitMQ, Redis)
with the register on a real PostgreSQL and one shared archive, fed by
`dakscan bulk --distributed`. A worker killed with SIGKILL mid-run loses nothing: its
unacknowledged document is delivered again and every document is registered exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from record_room import make_room
from sqlalchemy import create_engine, text

DAKSCAN = str(Path(sys.executable).parent / "dakscan")


@pytest.fixture
def cluster(tmp_path: Path, pg_url: str) -> dict:
    """Environment every machine of the cluster shares: register, archive, queue."""
    return {**os.environ, "DAKSCAN_HOME": str(tmp_path / "shared-home"),
            "DAKSCAN_DATABASE_URL": pg_url, "DAKSCAN_QUEUE": f"dakscan-test-{uuid.uuid4().hex}",
            "DAKSCAN_WORKERS": "1"}


class Worker:
    def __init__(self, env: dict, log: Path) -> None:
        self.log = log
        self.proc = subprocess.Popen([DAKSCAN, "worker", "--concurrency", "1"], env=env,
                                     stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log.read_text(errors="replace"):
                return
            assert self.proc.poll() is None, self.log.read_text(errors="replace")
            time.sleep(0.3)
        raise AssertionError(f"worker not ready: {self.log.read_text(errors='replace')}")

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once: a machine that dies."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)


def registered(pg_url: str) -> list[tuple]:
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT sha256, serial, source_name FROM dak")).all()
    engine.dispose()
    return rows


def settled(pg_url: str) -> int:
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM bulk_item WHERE status IN "
                              "('registered', 'duplicate', 'failed')")).scalar()
    engine.dispose()
    return n or 0


def run_cluster(env: dict, room: Path, workers: list[Worker], pg_url: str,
                kill_after: int | None) -> tuple[subprocess.CompletedProcess, int]:
    """Run `bulk --distributed`; with `kill_after`, SIGKILL the first worker once that many
    documents are settled. Returns the bulk command's outcome and the count at the kill."""
    for w in workers:
        w.wait_ready()
    bulk = subprocess.Popen([DAKSCAN, "bulk", str(room), "--distributed"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if kill_after is not None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and bulk.poll() is None:
            if _has_journal(pg_url) and settled(pg_url) >= kill_after:
                break
            time.sleep(0.2)
        workers[0].kill()
    cut = settled(pg_url) if kill_after is not None else 0
    out, err = bulk.communicate(timeout=900)
    return subprocess.CompletedProcess(bulk.args, bulk.returncode, out, err), cut


def _has_journal(pg_url: str) -> bool:
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT to_regclass('bulk_item')")).scalar()
    engine.dispose()
    return found is not None


def test_two_workers_one_killed_every_document_once(tmp_path: Path, pg_url: str,
                                                    amqp_url: str, cluster: dict) -> None:
    env = {**cluster, "DAKSCAN_BROKER_URL": amqp_url}
    files = make_room(tmp_path / "room", 60)
    workers = [Worker(env, tmp_path / f"worker-{i}.log") for i in range(2)]
    try:
        done, cut = run_cluster(env, tmp_path / "room", workers, pg_url, kill_after=8)
    finally:
        for w in workers:
            w.kill()
    assert done.returncode == 0, done.stderr
    assert 8 <= cut < 50, "the kill must land mid-run"
    assert workers[0].proc.returncode == -signal.SIGKILL
    rows = registered(pg_url)
    assert len(rows) == 60 == len(files)
    assert len({r.sha256 for r in rows}) == 60
    assert sorted(r.serial for r in rows) == list(range(1, 61))
    assert {r.source_name for r in rows} == {
        f.relative_to(tmp_path / "room").as_posix() for f in files}
    assert settled(pg_url) == 60
    summary = next(line for line in done.stdout.splitlines() if "registered / दर्ज" in line)
    assert [c.strip() for c in summary.split("│")[2:4]] == ["60", "60"]  # this time, whole run
    # both workers did part of the work
    for w in workers:
        assert "succeeded" in w.log.read_text(errors="replace")

    status = subprocess.run([DAKSCAN, "bulk-status", "--json"], env=env, capture_output=True,
                            text=True, timeout=60)
    (run,) = json.loads(status.stdout)
    assert (run["distributed"], run["total"], run["registered"], run["failed"]) == (
        True, 60, 60, 0)
    assert run["finished_at"]


def test_redis_broker_and_a_rerun_that_adds_nothing(tmp_path: Path, pg_url: str,
                                                    redis_url: str, cluster: dict) -> None:
    env = {**cluster, "DAKSCAN_BROKER_URL": redis_url}
    make_room(tmp_path / "room", 6)
    worker = Worker(env, tmp_path / "worker.log")
    try:
        first, _ = run_cluster(env, tmp_path / "room", [worker], pg_url, kill_after=None)
        assert first.returncode == 0, first.stderr
        assert len(registered(pg_url)) == 6
        again, _ = run_cluster(env, tmp_path / "room", [worker], pg_url, kill_after=None)
        assert again.returncode == 0, again.stderr
        assert len(registered(pg_url)) == 6
        assert "6" in again.stdout.split("done earlier")[1].split("\n")[0]
    finally:
        worker.kill()
