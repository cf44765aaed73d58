"""The watcher: desk inboxes → stable files → claimed into processing/ → worker pool → settled.

One thread makes every decision (claim, dispatch, settle); watchdog's observer threads only
report paths, so no two moves of the same file can race. Work is claimed only when a
worker is free, so `waiting` in `dakscan status` is what the scanner has written and the
watcher has not yet taken. On start, files left in processing/ by a crash are processed
again (the sha256 duplicate check keeps their dak single) and the inboxes are scanned for
files dropped while the watcher was down.
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from dakscan.service.config import Settings, get_settings
from dakscan.service.db import engine_for
from dakscan.watch_folders.config import DeskConfig, WatchConfig
from dakscan.watch_folders.folders import DeskFolder
from dakscan.watch_folders.pool import Finished, Handler, WorkerPool
from dakscan.watch_folders.queue_file import write_queue
from dakscan.watch_folders.settle import settle
from dakscan.watch_folders.stability import StabilityTracker, page_count
from dakscan.watch_folders.worker import process_job

log = logging.getLogger("dakscan.watch")
TICK = 0.25
QUEUE_EVERY = 5.0  # seconds between snapshots of the queue for /metrics
RETRY_AFTER = 30.0
IGNORED_EVENTS = {"deleted", "opened", "closed_no_write"}


@dataclass
class Job:
    """A claimed file: it lives in processing/ until it is settled."""

    desk: str
    path: Path
    source_name: str
    pages: int | None = None  # from the stability check; counted again for recovered files


class _Inbox(FileSystemEventHandler):
    """Observer threads only hand paths over; the watcher thread decides."""

    def __init__(self, desk: str, events: queue.SimpleQueue) -> None:
        self.desk = desk
        self.events = events

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in IGNORED_EVENTS:
            return
        for path in (getattr(event, "dest_path", ""), event.src_path):
            if path:
                self.events.put((self.desk, Path(_text(path))))


def _text(path: str | bytes) -> str:
    return path.decode(errors="surrogateescape") if isinstance(path, bytes) else path


class Watcher:
    """Runs until `stop()` (SIGINT/SIGTERM in the CLI)."""

    def __init__(self, config: WatchConfig, settings: Settings | None = None,
                 handler: Handler = process_job, workers: int | None = None) -> None:
        self.config = config
        self.settings = settings or get_settings()
        self.desks: dict[str, DeskConfig] = {d.name: d for d in config.desks}
        self.folders = {d.name: DeskFolder(d.folder) for d in config.desks}
        self.events: queue.SimpleQueue = queue.SimpleQueue()
        self.tracker = StabilityTracker(self.settings.max_pages, self.settings.max_pixels)
        self.pending: deque[Job] = deque()
        self.retry: list[tuple[float, Job]] = []
        self.running: dict[str, Job] = {}
        self.pool = WorkerPool(workers or config.worker_count, config.file_timeout, handler)
        self.observers: list[BaseObserver] = []
        self.observer_of: dict[str, str] = {}
        self._stop = threading.Event()
        self._hurry = threading.Event()
        self._stability = {d.name: d.stability_seconds for d in config.desks}
        self._give_up = {d.name: d.give_up_seconds for d in config.desks}
        self.settled = 0
        self._queue_written = 0.0

    # -- life cycle -------------------------------------------------------------------------

    def run(self) -> None:
        """Prepare, recover, watch; returns after `stop()` once shutdown is complete."""
        for folder in self.folders.values():
            folder.prepare()
            folder.lock()
        try:
            engine_for(self.settings.db_url)  # schema up to date before any worker starts
            self.pool.start()
            log.info("watch started: %d desk(s), %d worker(s), time limit %g s per file "
                     "+ %g s per page", len(self.desks), self.pool.size,
                     self.config.file_timeout, self.config.page_timeout)
            self._recover()
            self._start_observers()
            self._scan_inboxes(time.monotonic())
            self._loop()
        finally:
            self._shutdown()

    def stop(self) -> None:
        """First call: finish running files (up to the grace time). Second: stop now."""
        if self._stop.is_set():
            self._hurry.set()
        self._stop.set()

    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop())

    def _recover(self) -> None:
        for name, folder in self.folders.items():
            left = folder.in_processing()
            if left:
                log.info("desk=%s recovering %d file(s) left in processing/", name, len(left))
            self.pending.extend(Job(name, p, p.name) for p in left)

    def _start_observers(self) -> None:
        native = [d for d in self.config.desks if not d.poll]
        if native:
            self._observe(Observer(), native)
        for desk in self.config.desks:
            if desk.poll:
                self._observe(PollingObserver(timeout=desk.poll_interval), [desk])

    def _observe(self, observer: BaseObserver, desks: list[DeskConfig]) -> None:
        for desk in desks:
            observer.schedule(_Inbox(desk.name, self.events), str(desk.folder), recursive=False)
        try:
            observer.start()
        except OSError as exc:  # e.g. inotify watch limit reached: poll instead of going blind
            log.warning("native file events unavailable (%s); polling instead", exc)
            for desk in desks:
                self._observe(PollingObserver(timeout=desk.poll_interval), [desk])
            return
        self.observers.append(observer)
        for desk in desks:
            kind = type(observer).__name__
            self.observer_of[desk.name] = kind
            interval = f" every {desk.poll_interval:g} s" if isinstance(
                observer, PollingObserver) else ""
            log.info("desk=%s watching %s with %s%s", desk.name, desk.folder, kind, interval)

    def _shutdown(self) -> None:
        for observer in self.observers:
            observer.stop()
        for observer in self.observers:
            observer.join(timeout=5)
        deadline = time.monotonic() + self.config.stop_grace_seconds
        while self.pool.busy() and time.monotonic() < deadline and not self._hurry.is_set():
            for finished in self.pool.collect(TICK):
                self._settle(finished)
        self.pool.close()
        self.tracker.close()
        left = sum(len(f.in_processing()) for f in self.folders.values())
        for folder in self.folders.values():
            folder.unlock()
        log.info("watch stopped; %d file(s) in processing/ will be taken again at next start",
                 left)

    # -- the loop ---------------------------------------------------------------------------

    def _loop(self) -> None:
        rescan = self.config.rescan_seconds
        next_rescan = time.monotonic() + rescan
        while not self._stop.is_set():
            try:
                now = time.monotonic()
                self._drain_events(now)
                if rescan and now >= next_rescan:
                    self._scan_inboxes(now)
                    next_rescan = now + rescan
                self.tracker.refresh(now)
                self._dispatch(now)
                for finished in self.pool.collect(TICK):
                    self._settle(finished)
                if now >= self._queue_written + QUEUE_EVERY:
                    self._write_queue()
                    self._queue_written = now
            except Exception:  # noqa: BLE001 - a share hiccup must not stop the desk
                log.exception("watch loop error; carrying on")
                time.sleep(1)

    def _write_queue(self) -> None:
        """Files seen but not yet taken, and files being read, per desk (for /metrics)."""
        desks = {name: {"waiting": 0, "processing": 0} for name in self.folders}
        def count(desk: str, queue_name: str) -> None:
            desks.setdefault(desk, {"waiting": 0, "processing": 0})[queue_name] += 1

        for cand in list(self.tracker.candidates.values()):
            count(cand.desk, "waiting")
        for job in [*self.pending, *(j for _, j in self.retry)]:
            count(job.desk, "waiting")
        for job in list(self.running.values()):
            count(job.desk, "processing")
        try:
            write_queue(self.settings.home, desks)
        except OSError:
            log.warning("cannot write the queue file under %s", self.settings.home)

    def _drain_events(self, now: float) -> None:
        while True:
            try:
                desk, path = self.events.get_nowait()
            except queue.Empty:
                return
            if self.folders[desk].owns(path):
                self.tracker.see(path, desk, now)

    def _scan_inboxes(self, now: float) -> None:
        """Files dropped while nobody watched, or whose events were lost."""
        for name, folder in self.folders.items():
            for path in folder.waiting():
                self.tracker.see(path, name, now)

    def _dispatch(self, now: float) -> None:
        due = [job for at, job in self.retry if at <= now]
        self.retry = [(at, job) for at, job in self.retry if at > now]
        self.pending.extend(due)
        while self.pool.idle() and self.pending:
            self._submit(self.pending.popleft())
        if not self.pool.idle():
            self.tracker.ready(now, self._stability, self._give_up)  # checks run ahead
            return
        for cand in self.tracker.ready(now, self._stability, self._give_up):
            if not self.pool.idle():
                break
            job = self._claim(cand.path, cand.desk, cand.pages, now)
            if job is not None:
                self._submit(job)

    def _claim(self, path: Path, desk: str, pages: int | None, now: float) -> Job | None:
        try:
            target = self.folders[desk].claim(path)
        except FileNotFoundError:
            self.tracker.forget(path)
            return None
        except OSError as exc:  # e.g. a share still holding the scanner's lock on the file
            log.warning("desk=%s file=%s cannot be taken yet: %s", desk, path.name, exc)
            cand = self.tracker.candidates.get(path)
            if cand is not None:
                cand.changed_at = now
            return None
        self.tracker.forget(path)
        return Job(desk, target, path.name, pages)

    def _submit(self, job: Job) -> None:
        if not job.path.exists():
            log.warning("desk=%s file=%s vanished from processing/", job.desk, job.path.name)
            return
        desk = self.desks[job.desk]
        payload = {"path": str(job.path), "desk": desk.name, "unit": desk.unit,
                   "delivery_mode": desk.delivery_mode, "kind": desk.kind,
                   "lang": desk.languages, "source_name": job.source_name}
        if job.pages is None:
            job.pages = page_count(job.path)
        self.running[str(job.path)] = job
        self.pool.submit(str(job.path), payload, self.config.limit_for(job.pages))

    def _settle(self, finished: Finished) -> None:
        job = self.running.pop(finished.job_id)
        result = finished.result
        try:
            outcome = settle(self.folders[job.desk], job.desk, job.path, job.source_name,
                             result, self.settings.db_url, self.settings.timezone)
        except Exception:  # noqa: BLE001 - the file stays in processing/ and is tried again
            log.exception("desk=%s file=%s could not be settled; retrying in %g s",
                          job.desk, job.source_name, RETRY_AFTER)
            self.retry.append((time.monotonic() + RETRY_AFTER, job))
            return
        self.settled += 1
        if outcome.status == "changed":
            log.warning("desk=%s file=%s changed while it was processed; taking it again",
                        job.desk, job.source_name)
            self.pending.append(job)
            return
        if outcome.status == "failed":
            log.info("desk=%s file=%s status=failed code=%s reason=%r kept=failed/%s "
                     "seconds=%.1f", job.desk, job.source_name, outcome.code, outcome.reason,
                     outcome.moved_to.name, finished.seconds)
        else:
            log.info("desk=%s file=%s status=%s diary_no=%s kept=done/%s seconds=%.1f",
                     job.desk, job.source_name, outcome.status, outcome.diary_no,
                     outcome.moved_to.name, finished.seconds)
