"""Bulk conversion of a record room: every document of a tree through the core pipeline.

One document is one job, whoever runs it: `process_document` is what a local worker
process and a Celery task both call. Locally, jobs go to the watch folders' worker pool
(one process per core, a time limit per document, a killed or stuck worker replaced), fed
from the lazy tree walk so that at most one job per worker is in memory.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dakscan.ingest.errors import InputError
from dakscan.service import bulk_journal as journal
from dakscan.service.bulk_walk import Document, bind
from dakscan.service.config import Settings, get_settings


@dataclass
class Tally:
    """What a run has settled so far, for the progress line and the summary."""

    total: int = 0
    skipped: int = 0  # settled by an earlier run
    pages: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def add(self, result: dict) -> None:
        self.counts[result["status"]] = self.counts.get(result["status"], 0) + 1
        self.pages += int(result.get("pages") or 0)

    @property
    def settled(self) -> int:
        return self.skipped + sum(self.counts.values())

    @property
    def pages_per_minute(self) -> float:
        minutes = (time.monotonic() - self.started) / 60
        return self.pages / minutes if minutes > 0 else 0.0


def job_for(doc: Document, item_id: int, run_id: int, kind: str, unit: str | None,
            max_attempts: int = 0) -> dict:
    """The JSON-ready job of one document (a Celery message carries the same).

    `max_attempts` (Celery only): deliveries before the document is set aside as poison. A
    local run has no such limit: its pool fails a crashing or stuck document at once, and a
    run stopped by its user (Ctrl-C) is no fault of the document it was reading.
    """
    return {"run_id": run_id, "item_id": item_id, "rel": doc.rel, "kind": kind, "unit": unit,
            "paths": [str(p) for p in doc.paths], "folder": doc.is_folder,
            "max_attempts": max_attempts}


def process_document(job: dict, settings: Settings | None = None, retries: int = 0) -> dict:
    """Register one document and settle its journal line; a small JSON-ready outcome.

    `retries`: Celery's own retries of this task after a transient error (database or file
    system away). They are not the document's fault, so only the deliveries beyond them —
    a worker killed while reading it — count towards setting it aside as poison.
    """
    settings = settings or get_settings()
    before, attempts = journal.begin_attempt(settings.db_url, job["item_id"])
    if before in journal.SETTLED:  # a redelivered task whose line a first delivery settled
        return {"status": before, "pages": 0, "settled": True, "redelivered": True}
    crashed = attempts - 1 - retries
    if job.get("max_attempts") and crashed >= job["max_attempts"]:
        result = InputError("poison", f"{crashed} tries").result()
    else:
        from dakscan.service.pipeline import worker_pipeline

        result = _register(worker_pipeline(settings), job, settings)
    journal.settle(settings.db_url, job["item_id"], result)
    return outcome(result)


def _register(pipeline, job: dict, settings: Settings) -> dict:  # noqa: ANN001
    from dakscan.service.pipeline import Intake

    intake = Intake(kind=job["kind"], unit=job.get("unit"), actor="bulk",
                    source_name=job["rel"])
    if not job["folder"]:
        return pipeline.process(job["paths"][0], intake)
    staging = Path(settings.home) / "bulk" / "bind"
    staging.mkdir(parents=True, exist_ok=True)
    bound = staging / f"{job['item_id']}-{os.getpid()}.tif"
    try:
        bind(tuple(Path(p) for p in job["paths"]), bound)
        return pipeline.process(bound, intake)
    except InputError as exc:
        return {"source": job["rel"], **exc.result()}
    finally:
        bound.unlink(missing_ok=True)  # the archive holds its own copy once registered


def outcome(result: dict) -> dict:
    dak = result.get("dak") or {}
    return {"status": result["status"], "diary_no": dak.get("diary_no"),
            "pages": (result.get("archive") or {}).get("pages") or 0,
            "error_code": result.get("error_code"), "error": result.get("error"),
            "settled": True}


def run_local(settings: Settings, run_id: int, docs: Iterator[Document], kind: str,
              unit: str | None, workers: int, tally: Tally,
              on_change: Callable[[Tally], None] = lambda t: None) -> None:
    """Every unsettled document through `workers` processes, one document each at a time."""
    from dakscan.watch_folders.pool import WorkerPool

    pool = WorkerPool(workers, timeout=settings.file_timeout_s, handler=process_document)
    pool.start()

    def collect(wait: float) -> None:
        for finished in pool.collect(wait):
            result = finished.result
            if not result.get("settled"):
                # made up by the pool (time limit, crashed worker): the worker settled nothing
                journal.settle(settings.db_url, finished.job_id, result)
            tally.add(result)
            on_change(tally)

    try:
        for doc in docs:
            item_id = journal.claim(settings.db_url, run_id, doc)
            if item_id is None:
                tally.skipped += 1
                on_change(tally)
                continue
            while pool.idle() == 0:
                collect(0.5)
            pool.submit(item_id, job_for(doc, item_id, run_id, kind, unit))
        while pool.busy():
            collect(0.5)
    finally:
        pool.close()
