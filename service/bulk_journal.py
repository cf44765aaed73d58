"""The bulk journal: which documents of a run are done, so a stopped run resumes exactly.

A document is journalled before it is processed and settled after its dak is committed; a
run killed in between finds it unsettled and processes it again, and the pipeline's sha256
check makes that second pass a duplicate, never a second dak. A settled document is skipped
on a rerun unless its files changed (size or mtime).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from dakscan.service import store
from dakscan.service.bulk_walk import Document
from dakscan.service.db import session_scope
from dakscan.service.models import BulkItem, BulkRun

SETTLED = ("registered", "duplicate", "failed")
RETRIED = ("internal", "changed")  # failures a rerun tries again: not the file's own fault
REPORT_COLUMNS = ("document", "status", "diary_no", "pages", "seconds", "error_code", "error",
                  "sha256")


def open_run(db_url: str, source: Path, kind: str, grouping: str, unit: str | None,
             distributed: bool) -> int:
    """The run for this (source, kind, grouping): the earlier one resumed, or a new one."""
    source_key = str(Path(source).resolve())
    for _ in range(2):
        try:
            with session_scope(db_url) as s:
                run = s.scalars(select(BulkRun).where(
                    BulkRun.source == source_key, BulkRun.kind == kind,
                    BulkRun.grouping == grouping)).first()
                now = store.now()
                if run is None:
                    run = BulkRun(source=source_key, kind=kind, grouping=grouping, unit=unit,
                                  distributed=distributed, started_at=now, updated_at=now,
                                  total=0)
                    s.add(run)
                run.finished_at, run.updated_at, run.distributed = None, now, distributed
                s.flush()
                return run.id
        except IntegrityError:  # started at the same moment elsewhere: take that one
            continue
    raise RuntimeError("could not open the bulk run")


def set_total(db_url: str, run_id: int, total: int) -> None:
    with session_scope(db_url) as s:
        s.execute(update(BulkRun).where(BulkRun.id == run_id).values(total=total))


def finish_run(db_url: str, run_id: int) -> None:
    with session_scope(db_url) as s:
        now = store.now()
        s.execute(update(BulkRun).where(BulkRun.id == run_id)
                  .values(finished_at=now, updated_at=now))


def claim(db_url: str, run_id: int, doc: Document, status: str = "pending") -> int | None:
    """The journal line's id when `doc` still needs processing; None when it is settled."""
    with session_scope(db_url) as s:
        item = s.scalars(select(BulkItem).where(BulkItem.run_id == run_id,
                                                BulkItem.rel_path == doc.rel)).first()
        if item is None:
            item = BulkItem(run_id=run_id, rel_path=doc.rel, size=doc.size,
                            mtime_ns=doc.mtime_ns, status=status, attempts=0, pages=0,
                            seconds=0.0, updated_at=store.now())
            s.add(item)
        elif (item.status in SETTLED and item.error_code not in RETRIED
              and (item.size, item.mtime_ns) == (doc.size, doc.mtime_ns)):
            return None
        else:
            if item.status in SETTLED:  # tried again afresh: changed, or not its own fault
                item.attempts, item.error_code, item.error = 0, None, None
            item.size, item.mtime_ns, item.status = doc.size, doc.mtime_ns, status
            item.updated_at = store.now()
        s.flush()
        return item.id


def begin_attempt(db_url: str, item_id: int) -> tuple[str, int]:
    """Mark the line running; (its status before, attempts so far including this one)."""
    with session_scope(db_url) as s:
        item = s.get(BulkItem, item_id)
        if item is None:
            return "missing", 0
        before = item.status
        if before not in SETTLED:
            item.status, item.attempts = "running", item.attempts + 1
            item.updated_at = store.now()
        return before, item.attempts


def settle(db_url: str, item_id: int, result: dict) -> None:
    """Record a document's outcome (a pipeline result or a made-up failure)."""
    dak = result.get("dak") or {}
    archive = result.get("archive") or {}
    with session_scope(db_url) as s:
        item = s.get(BulkItem, item_id)
        if item is None:
            return
        status = result["status"]
        if status == "duplicate" and (item.status == "registered" or (
                item.attempts > 1 and dak.get("source_name") == item.rel_path)):
            # An earlier attempt of this very line registered it and was cut off before
            # settling (killed worker, redelivered task): it is this run's registration.
            status = "registered"
        item.status = status
        item.diary_no = dak.get("diary_no")
        item.sha256 = archive.get("sha256")
        item.pages = archive.get("pages") or 0
        item.seconds = float(result.get("seconds") or 0.0)
        item.error_code = result.get("error_code")
        item.error = result.get("error")
        item.updated_at = store.now()


def counts(db_url: str, run_id: int, since: datetime | None = None) -> dict[str, int]:
    """Lines per status, plus 'pages' read so far; `since`: only lines settled after it."""
    query = (select(BulkItem.status, func.count(), func.sum(BulkItem.pages))
             .where(BulkItem.run_id == run_id).group_by(BulkItem.status))
    if since is not None:
        query = query.where(BulkItem.updated_at >= since)
    with session_scope(db_url, readonly=True) as s:
        rows = s.execute(query).all()
    out = {status: n for status, n, _ in rows}
    out["pages"] = sum(p or 0 for _, _, p in rows)
    return out


def unsettled(db_url: str, run_id: int) -> Iterator[tuple[int, str]]:
    """(id, rel_path) of lines not yet settled, in id order, a page of rows at a time."""
    last = 0
    while True:
        with session_scope(db_url, readonly=True) as s:
            rows = s.execute(select(BulkItem.id, BulkItem.rel_path)
                             .where(BulkItem.run_id == run_id, BulkItem.id > last,
                                    BulkItem.status.not_in(SETTLED))
                             .order_by(BulkItem.id).limit(1000)).all()
        if not rows:
            return
        yield from ((r.id, r.rel_path) for r in rows)
        last = rows[-1].id


def failures_by_reason(db_url: str, run_id: int) -> list[tuple[str, int]]:
    with session_scope(db_url, readonly=True) as s:
        rows = s.execute(select(BulkItem.error_code, func.count())
                         .where(BulkItem.run_id == run_id, BulkItem.status == "failed")
                         .group_by(BulkItem.error_code)).all()
    return sorted(((code or "internal", n) for code, n in rows), key=lambda r: -r[1])


def write_report(db_url: str, run_id: int, dest: Path) -> Path:
    """Every line of the run as CSV (streamed from the journal, UTF-8 with BOM for Excel)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("w", newline="", encoding="utf-8-sig") as fh, \
            session_scope(db_url, readonly=True) as s:
        out = csv.writer(fh)
        out.writerow(REPORT_COLUMNS)
        rows = s.execute(select(BulkItem).where(BulkItem.run_id == run_id)
                         .order_by(BulkItem.id).execution_options(yield_per=1000)).scalars()
        for item in rows:
            out.writerow([item.rel_path, item.status, item.diary_no or "", item.pages,
                          f"{item.seconds:.2f}", item.error_code or "", item.error or "",
                          item.sha256 or ""])
    return dest


def runs(db_url: str, limit: int = 50) -> list[dict]:
    """Recent runs with their progress, newest first (for `dakscan bulk-status` and the API)."""
    with session_scope(db_url, readonly=True) as s:
        found = s.scalars(select(BulkRun).order_by(BulkRun.id.desc()).limit(limit)).all()
    out = []
    for run in found:
        c = counts(db_url, run.id)
        done = sum(c.get(k, 0) for k in SETTLED)
        out.append({"id": run.id, "source": run.source, "kind": run.kind,
                    "grouping": run.grouping, "distributed": run.distributed,
                    "started_at": run.started_at.isoformat(),
                    "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                    "total": run.total, "settled": done, "pages": c["pages"],
                    **{k: c.get(k, 0) for k in ("registered", "duplicate", "failed")}})
    return out
