"""The register: gap-free diary numbers, dak rows, failures and the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import Integer, String, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from dakscan.service.models import AuditEntry, Base, DiaryCounter

GENESIS = "0" * 64
REGISTER_LOCK = 7_042_025  # one PostgreSQL advisory lock serialises numbering and the chain


def now() -> datetime:
    return datetime.now(UTC)


def serialise_writers(session: Session) -> None:
    """Make this transaction the only writer of numbers and audit rows until it ends.

    SQLite already is (BEGIN IMMEDIATE); PostgreSQL takes a transaction advisory lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": REGISTER_LOCK})


def next_serial(session: Session, kind: str, unit: str, year: int) -> int:
    """The next serial for (kind, unit, year); restarts at 1 each year. Caller holds the lock."""
    counter = session.get(DiaryCounter, (kind, unit, year))
    if counter is None:
        counter = DiaryCounter(kind=kind, unit=unit, year=year, last_serial=0)
        session.add(counter)
    counter.last_serial += 1
    session.flush()
    return counter.last_serial


def diary_number(serial: int, year: int, unit: str) -> str:
    return f"{serial}/{year}/{unit}"


def entry_hash(prev: str, at: datetime, actor: str, action: str, dak_id: int | None,
               detail: dict) -> str:
    body = json.dumps([prev, at.isoformat(), actor, action, dak_id, detail],
                      ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


class AuditHead(Base):
    """The chain's end as last written: catches rows cut off the end of the log, which the
    chain alone cannot (one row, id 1, updated in the same transaction as each append)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int | None] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)


def audit(session: Session, actor: str, action: str, dak_id: int | None,
          detail: dict | None = None) -> AuditEntry:
    """Append one chained audit row, under the writer lock (taken here too: re-entrant)."""
    serialise_writers(session)
    detail = json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str))
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    prev = last.hash if last else GENESIS
    at = now()
    row = AuditEntry(at=at, actor=actor, action=action, dak_id=dak_id, detail=detail,
                     prev_hash=prev, hash=entry_hash(prev, at, actor, action, dak_id, detail))
    session.add(row)
    session.flush()
    head = session.get(AuditHead, 1)
    if head is None:
        count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        head = AuditHead(id=1, entries=count - 1)
        session.add(head)
    head.last_id, head.last_hash, head.entries = row.id, row.hash, head.entries + 1
    session.flush()
    return row


def broken_links(session: Session) -> list[str]:
    """Every audit row whose chain does not hold (edited, deleted or inserted rows), and a
    log whose end or length is not what the head recorded (rows cut off the end)."""
    problems = []
    prev = GENESIS
    count, last = 0, None
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)
                           .execution_options(yield_per=2000))
    for row in rows:
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
        expect = entry_hash(prev, at, row.actor, row.action, row.dak_id, row.detail)
        if row.prev_hash != prev or row.hash != expect:
            problems.append(f"audit row {row.id} ({row.action}) does not chain")
        prev = row.hash
        count, last = count + 1, (row.id, row.hash)
    return problems + head_problems(session, count, last)


def head_problems(session: Session, count: int, last: tuple[int, str] | None) -> list[str]:
    head = session.get(AuditHead, 1)
    if head is None:
        return ["audit head is missing while the log has rows"] if count else []
    out = []
    if (head.last_id, head.last_hash) != (last or (None, GENESIS)):
        out.append(f"audit log ends at row {last[0] if last else 'none'}, but its head "
                   f"records row {head.last_id}: rows were cut off or added outside dakscan")
    if head.entries != count:
        out.append(f"audit log has {count} rows, its head counts {head.entries}")
    return out


def record_verification(settings, diary_no: str | None, file: str, ok: bool,  # noqa: ANN001
                        problems: list[str], actor: str = "cli") -> None:
    """Append a 'verify' row to the audit log (dak_id when the file is in the register)."""
    from dakscan.service.db import session_scope
    from dakscan.service.models import Dak

    with session_scope(settings.db_url) as s:
        serialise_writers(s)
        dak = s.scalars(select(Dak).where(Dak.diary_no == diary_no)).first() if diary_no else None
        audit(s, actor, "verify", dak.id if dak else None,
              {"file": file, "ok": ok, "problems": problems[:10]})
