"""Per desk: files waiting in the inbox, in processing/, registered today, and in failed/.

Folders answer waiting/processing/failed (what an operator can see and act on); the
register answers "done today" (letters from the desk numbered since the office's midnight).
Without a config, only the register is known: desks that registered or failed something.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from dakscan.service.config import Settings
from dakscan.service.db import session_scope
from dakscan.service.models import Dak, Failure
from dakscan.watch_folders.config import WatchConfig
from dakscan.watch_folders.folders import DeskFolder


def start_of_today(timezone: str) -> datetime:
    """The office's midnight, in UTC (the register stores UTC)."""
    tz = ZoneInfo(timezone)
    return datetime.combine(datetime.now(tz).date(), time(0), tzinfo=tz).astimezone(UTC)


def register_counts(settings: Settings) -> tuple[dict[str, int], dict[str, int]]:
    """(dak registered today per desk, unresolved failures per desk)."""
    since = start_of_today(settings.timezone)
    with session_scope(settings.db_url, readonly=True) as s:
        done = dict(s.execute(
            select(Dak.desk, func.count()).where(Dak.received_at >= since,
                                                 Dak.desk.is_not(None)).group_by(Dak.desk)
        ).all())
        failed = dict(s.execute(
            select(Failure.desk, func.count()).where(Failure.resolved.is_(False),
                                                     Failure.desk.is_not(None))
            .group_by(Failure.desk)
        ).all())
    return done, failed


def desk_status(config: WatchConfig | None, settings: Settings) -> list[dict]:
    """One row per desk: desk, folder, found, waiting, processing, done_today, failed."""
    done, failures = register_counts(settings)
    if config is None:
        names = sorted(set(done) | set(failures))
        return [{"desk": n, "folder": None, "found": None, "waiting": None, "processing": None,
                 "done_today": done.get(n, 0), "failed": failures.get(n, 0)} for n in names]
    rows = []
    for desk in config.desks:
        folder = DeskFolder(desk.folder)
        rows.append({
            "desk": desk.name, "folder": str(desk.folder), "found": desk.folder.is_dir(),
            "waiting": len(folder.waiting()), "processing": len(folder.in_processing()),
            "done_today": done.get(desk.name, 0), "failed": len(folder.failed_files()),
        })
    return rows
