"""Worker processes for all desks, each file under a time limit.

A `ProcessPoolExecutor` cannot stop one task, so a poisoned file would hold a worker for
ever. Here each worker is its own process (and process group, so its Tesseract children go
with it): past the time limit the whole group is killed, the file is reported as timed out
and a fresh worker takes its place; the others never wait for it. Workers die with the
watcher (PR_SET_PDEATHSIG), so a killed watcher leaves no orphan still moving files.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from dakscan.ingest.errors import InputError

Handler = Callable[[dict], dict]


@dataclass
class Finished:
    """A job's outcome: the handler's result, or a failure the pool made up for it."""

    job_id: Any
    payload: dict
    result: dict
    seconds: float


@dataclass
class _Slot:
    process: Any = None
    conn: Connection | None = None
    job_id: Any = None
    payload: dict = field(default_factory=dict)
    started: float = 0.0
    limit: float = 0.0
    jobs: int = 0

    @property
    def busy(self) -> bool:
        return self.job_id is not None


class WorkerPool:
    """`size` worker processes running `handler(payload) -> dict`, one job each at a time.

    `timeout` is the default limit per job; `recycle_after` jobs a worker is replaced by a
    fresh one, so a long-running watcher does not grow with whatever the libraries leak.
    """

    def __init__(self, size: int, timeout: float, handler: Handler,
                 recycle_after: int = 500) -> None:
        self.size = max(1, size)
        self.timeout = timeout
        self.handler = handler
        self.recycle_after = recycle_after
        self._ctx = multiprocessing.get_context("spawn")  # the watcher has threads: never fork
        self._slots = [_Slot() for _ in range(self.size)]
        self.respawned = 0

    def start(self) -> None:
        for slot in self._slots:
            self._spawn(slot)

    def _spawn(self, slot: _Slot) -> None:
        parent_conn, child_conn = self._ctx.Pipe()
        proc = self._ctx.Process(target=_serve, args=(child_conn, self.handler, os.getpid()),
                                 name="dakscan-watch-worker", daemon=True)
        proc.start()
        child_conn.close()
        slot.process, slot.conn = proc, parent_conn
        slot.job_id, slot.payload, slot.jobs = None, {}, 0

    def idle(self) -> int:
        return sum(not s.busy for s in self._slots)

    def busy(self) -> int:
        return self.size - self.idle()

    def running(self) -> list[Any]:
        return [s.job_id for s in self._slots if s.busy]

    def pids(self) -> list[int]:
        return [s.process.pid for s in self._slots if s.process is not None]

    def submit(self, job_id: Any, payload: dict, limit: float | None = None) -> None:
        """Hand a job to an idle worker; `limit` seconds (default `timeout`) before it is killed."""
        slot = next(s for s in self._slots if not s.busy)
        try:
            slot.conn.send(payload)
        except OSError:  # the idle worker died meanwhile: a fresh one takes the job
            self._replace(slot)
            slot.conn.send(payload)
        slot.job_id, slot.payload, slot.started = job_id, payload, time.monotonic()
        slot.limit = limit or self.timeout

    def collect(self, timeout: float) -> list[Finished]:
        """Wait up to `timeout` for results; also ends jobs that ran out of time or crashed."""
        busy = [s for s in self._slots if s.busy]
        if busy:
            waitables = [s.conn for s in busy] + [s.process.sentinel for s in busy]
            wait(waitables, timeout=max(0.0, min(timeout, self._next_deadline(busy))))
        elif timeout > 0:
            time.sleep(timeout)
        done = []
        for slot in busy:
            finished = self._check(slot)
            if finished is not None:
                done.append(finished)
        return done

    def _next_deadline(self, busy: list[_Slot]) -> float:
        now = time.monotonic()
        return min(s.started + s.limit - now for s in busy)

    def _check(self, slot: _Slot) -> Finished | None:
        elapsed = time.monotonic() - slot.started
        result: dict | None = None
        try:
            if slot.conn.poll():
                result = slot.conn.recv()
        except (EOFError, OSError):
            result = None
        if result is None and slot.process.is_alive() and elapsed < slot.limit:
            return None
        job_id, payload = slot.job_id, slot.payload
        slot.jobs += 1
        if result is None:
            if slot.process.is_alive():
                limit = f"over the {slot.limit:g} s limit for this file"
                result = InputError("timeout", limit).result()
            else:
                code = slot.process.exitcode
                result = InputError("internal", f"worker process died (exit code {code})").result()
            self._replace(slot)
        elif slot.jobs >= self.recycle_after:
            self._retire(slot)
        finished = Finished(job_id, payload, result, round(elapsed, 2))
        slot.job_id, slot.payload = None, {}
        return finished

    def _retire(self, slot: _Slot) -> None:
        """Let an idle worker exit on its own, then start a fresh one in its place."""
        try:
            slot.conn.send(None)
            slot.process.join(timeout=5)
        except OSError:
            pass
        self._replace(slot, failed=False)

    def _replace(self, slot: _Slot, failed: bool = True) -> None:
        _kill(slot.process)
        slot.conn.close()
        self.respawned += failed  # counts workers lost to a timeout or crash
        self._spawn(slot)

    def close(self, grace: float = 0.0) -> list[Finished]:
        """Let running jobs finish for up to `grace` seconds, then stop every worker.

        Returns the jobs that finished meanwhile; jobs still running are abandoned (their
        files stay in processing/ and are taken again on the next start).
        """
        done: list[Finished] = []
        deadline = time.monotonic() + grace
        while any(s.busy for s in self._slots) and time.monotonic() < deadline:
            done += self.collect(min(0.5, deadline - time.monotonic()))
        for slot in self._slots:
            if slot.process is None:
                continue
            if not slot.busy:
                try:
                    slot.conn.send(None)
                except OSError:
                    pass
                slot.process.join(timeout=2)
            _kill(slot.process)
            slot.conn.close()
            slot.process = None
        return done


def _kill(proc: Any) -> None:
    """SIGKILL the worker's whole process group (it and its Tesseract children)."""
    if proc is None or proc.pid is None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.join(timeout=5)


def _serve(conn: Connection, handler: Handler, parent_pid: int) -> None:
    """A worker's loop: take a payload, run the handler, send back the result."""
    _die_with_parent(parent_pid)
    os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the watcher decides when workers stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            payload = conn.recv()
        except (EOFError, OSError):
            return
        if payload is None:
            return
        try:
            result = handler(payload)
        except Exception as exc:  # noqa: BLE001 - a bug must not take the worker down
            result = InputError("internal", type(exc).__name__).result()
        try:
            conn.send(result)
        except OSError:
            return


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the watcher died before the line above took effect
        os._exit(1)
