""""Try again" on a failed file, in the background so the inbox answers at once.

The file is the one the `failure` row kept (a watched desk's `failed/` folder, or an upload
the service kept); it is read again by the app's own pipeline. Registered (or found already
registered) → the failure is resolved; refused again → the row gets the new reason. One file
is read at a time per server process, leaving the other core to the watched folders.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import select

from dakscan.ingest.errors import MESSAGES
from dakscan.service import store
from dakscan.service.config import Settings
from dakscan.service.db import session_scope
from dakscan.service.models import Failure
from dakscan.service.pipeline import Intake, Pipeline

log = logging.getLogger("dakscan.web")


class Retries:
    """The server's background re-reader of failed files."""

    def __init__(self, settings: Settings, pipeline: Callable[[], Pipeline] | None = None) -> None:
        self.settings = settings
        self._own: Pipeline | None = None
        self._pipeline = pipeline or self._own_pipeline
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dakscan-retry")
        self._lock = threading.Lock()
        self.running: set[int] = set()

    def _own_pipeline(self) -> Pipeline:
        if self._own is None:
            self._own = Pipeline(self.settings)
        return self._own

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._own is not None:
            self._own.close()

    def is_running(self, failure_id: int) -> bool:
        with self._lock:
            return failure_id in self.running

    def submit(self, failure_id: int, actor: str) -> bool:
        """Queue a re-read; False when there is nothing to retry (gone, resolved, running)."""
        with session_scope(self.settings.db_url, readonly=True) as s:
            f = s.get(Failure, failure_id)
            if f is None or f.resolved or not retryable(f.kept_at):
                return False
            intake = Intake(desk=f.desk, actor=actor, source_name=f.source_name)
            kept = Path(f.kept_at or "")
        with self._lock:
            if failure_id in self.running:
                return False
            self.running.add(failure_id)
        self._pool.submit(self._run, failure_id, kept, intake)
        return True

    def _run(self, failure_id: int, path: Path, intake: Intake) -> None:
        try:
            result = self._pipeline().process(path, intake)
            settle(self.settings.db_url, failure_id, result)
            if result.get("status") == "registered" and result.get("dak"):
                index_now(self.settings.db_url, result["dak"]["id"])
        except Exception:  # noqa: BLE001 - a background job must never die silently
            log.exception("retry of failure %s", failure_id)
        finally:
            with self._lock:
                self.running.discard(failure_id)


def retryable(kept_at: str | None) -> bool:
    return bool(kept_at) and Path(kept_at or "").is_file()


def settle(db_url: str, failure_id: int, result: dict) -> None:
    """Resolved when registered (or already registered); otherwise the new reason."""
    with session_scope(db_url) as s:
        row = s.scalars(select(Failure).where(Failure.id == failure_id)).first()
        if row is None:
            return
        if result.get("status") in ("registered", "duplicate"):
            row.resolved = True
            return
        code = result.get("error_code") or "internal"
        hi, en = MESSAGES.get(code, MESSAGES["internal"])
        row.code = code
        row.message_hi = result.get("error_hi") or hi
        row.message_en = result.get("error") or en
        row.at = store.now()


def index_now(db_url: str, dak_id: int) -> None:
    """Search finds a retried letter at once, as it does an uploaded one."""
    from dakscan.service.models import Dak
    from dakscan.service.search import reindex

    with session_scope(db_url) as s:
        dak = s.get(Dak, dak_id)
        if dak is not None:
            reindex(s, dak)
