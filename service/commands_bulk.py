"""`dakscan bulk`, `dakscan worker` and `dakscan bulk-status`: record rooms, locally or on
Celery workers, with a journal that lets any run be stopped and run again."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from dakscan.service import bulk_journal as journal
from dakscan.service.bulk import Tally, job_for, run_local
from dakscan.service.bulk_walk import GROUPINGS, documents
from dakscan.service.cli import setup_logging
from dakscan.service.config import Settings, get_settings
from dakscan.service.store import now as store_now

err = Console(stderr=True)
STALL_HINT_S = 120


def bulk(
    src: Annotated[Path, typer.Argument(help="Folder (or file) of scans to convert.")],
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: cores).")]
    = None,
    unit: Annotated[str | None, typer.Option(help="Unit for the numbers (default: the "
                                             "dak or record unit).")] = None,
    as_record: Annotated[bool, typer.Option("--as-record/--as-dak", help="Register as legacy "
                                            "records (own numbering) or as dak.")] = False,
    group: Annotated[str, typer.Option(help="files: each file is a document; folders: the "
                                       "page images in one folder are one document.")]
    = "files",
    distributed: Annotated[bool, typer.Option(help="Queue the documents for `dakscan worker`s "
                                              "on the broker instead of converting here.")]
    = False,
    report: Annotated[Path | None, typer.Option(help="CSV report (default: under "
                                                "DAKSCAN_HOME/bulk).")] = None,
) -> None:
    """Convert a record room: every document registered once; stop and rerun to resume."""
    if group not in GROUPINGS:
        _refuse(f"--group चुनें: {' / '.join(GROUPINGS)}", f"--group must be one of "
                f"{', '.join(GROUPINGS)}")
    if not src.exists():
        _refuse(f"फ़ोल्डर नहीं मिला: {src}", f"No such folder: {src}")
    setup_logging()
    settings = get_settings()
    kind = "record" if as_record else "dak"
    run_id = journal.open_run(settings.db_url, src, kind, group, unit, distributed)
    with err.status("गिनती / counting documents…"):
        total = sum(1 for _ in documents(src, group, (settings.home,)))
    journal.set_total(settings.db_url, run_id, total)
    tally = Tally(total=total)
    try:
        with _progress() as progress:
            task = progress.add_task(f"run {run_id}", total=total, ppm="0")

            def show(t: Tally) -> None:
                progress.update(task, completed=t.settled, ppm=f"{t.pages_per_minute:.0f}")

            if distributed:
                since = store_now()
                _enqueue(settings, run_id, src, kind, unit, group, tally, show)
                _wait(settings, run_id, tally, show, since)
            else:
                run_local(settings, run_id, documents(src, group, (settings.home,)), kind, unit,
                          workers or settings.worker_count, tally, show)
    except KeyboardInterrupt:
        err.print("[yellow]रोका गया। वही आदेश फिर चलाएँ, काम वहीं से आगे चलेगा।\n"
                  "Stopped. Run the same command again to continue where it stopped.[/]")
        raise typer.Exit(130) from None
    journal.finish_run(settings.db_url, run_id)
    dest = journal.write_report(settings.db_url, run_id,
                                report or Path(settings.home) / "bulk" / f"run-{run_id}.csv")
    _summary(settings, run_id, tally, dest)


def _refuse(hindi: str, english: str) -> None:
    err.print(f"[red]{hindi}\n{english}[/]")
    raise typer.Exit(2)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[ppm]} pages/min"), TextColumn("ETA"),
                    TimeRemainingColumn(), console=err)


def _enqueue(settings: Settings, run_id: int, src: Path, kind: str, unit: str | None,
             group: str, tally: Tally, show) -> None:  # noqa: ANN001
    from dakscan.service.tasks import register_document

    for doc in documents(src, group, (settings.home,)):
        item_id = journal.claim(settings.db_url, run_id, doc, status="queued")
        if item_id is None:
            tally.skipped += 1
            show(tally)
            continue
        job = job_for(doc, item_id, run_id, kind, unit, settings.max_attempts)
        register_document.apply_async(args=[job], queue=settings.queue)


def _wait(settings: Settings, run_id: int, tally: Tally, show,  # noqa: ANN001
          since: datetime) -> None:
    """Follow the journal until every document of the run is settled by some worker; lines
    settled after `since` are this invocation's work. A run with no worker would wait in
    silence; after STALL_HINT_S without progress the user is told to start one."""
    last, moved, hinted = -1, time.monotonic(), False
    while True:
        mine = journal.counts(settings.db_url, run_id, since)
        tally.counts = {k: mine.get(k, 0) for k in journal.SETTLED}
        tally.pages = mine["pages"]
        show(tally)
        whole = journal.counts(settings.db_url, run_id)
        settled = sum(whole.get(k, 0) for k in journal.SETTLED)
        if settled >= tally.total:
            return
        if settled != last:
            last, moved, hinted = settled, time.monotonic(), False
        elif not hinted and time.monotonic() - moved > STALL_HINT_S:
            err.print(f"[yellow]{STALL_HINT_S // 60} मिनट से कोई दस्तावेज़ पूरा नहीं हुआ: क्या "
                      "worker चल रहे हैं? / No document settled for "
                      f"{STALL_HINT_S // 60} minutes: is a `dakscan worker` running against "
                      "this broker and database? (Ctrl-C stops waiting; the run resumes "
                      "later.)[/]")
            hinted = True
        time.sleep(1.0)


def _summary(settings: Settings, run_id: int, tally: Tally, report: Path) -> None:
    run = journal.counts(settings.db_url, run_id)
    table = Table(title=f"dakscan bulk run {run_id}")
    table.add_column("")
    table.add_column("this time / इस बार", justify="right")
    table.add_column("whole run / पूरा", justify="right")
    for key, label in (("registered", "registered / दर्ज"), ("duplicate", "duplicate / दोहरी"),
                       ("failed", "failed / विफल")):
        table.add_row(label, str(tally.counts.get(key, 0)), str(run.get(key, 0)))
    table.add_row("done earlier / पहले हो चुके", str(tally.skipped), "")
    table.add_row("pages / पृष्ठ", str(tally.pages), str(run["pages"]))
    table.add_row("pages/min", f"{tally.pages_per_minute:.1f}", "")
    Console().print(table)
    for code, n in journal.failures_by_reason(settings.db_url, run_id):
        Console().print(f"failed: {n} × {code}")
    Console().print(f"report: {report}", soft_wrap=True)


def worker(
    concurrency: Annotated[int | None, typer.Option(help="Documents at once (default: "
                                                    "cores).")] = None,
    loglevel: Annotated[str, typer.Option(help="Celery log level.")] = "INFO",
) -> None:
    """A Celery worker that converts queued documents (`dakscan bulk --distributed`)."""
    from dakscan.service.tasks import celery_app

    settings = get_settings()
    n = concurrency or settings.worker_count
    celery_app.worker_main(["worker", f"--concurrency={n}", f"--loglevel={loglevel}",
                            "--queues", settings.queue, "--hostname", f"dakscan-{os.getpid()}@%h",
                            "--without-gossip", "--without-mingle"])


def bulk_status(
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """Progress of bulk runs (local or distributed), newest first."""
    runs = journal.runs(get_settings().db_url)
    if as_json:
        sys.stdout.write(json.dumps(runs, ensure_ascii=False) + "\n")
        return
    table = Table(title="dakscan bulk runs")
    for col in ("run", "source", "kind", "settled", "registered", "duplicate", "failed",
                "pages", "finished"):
        table.add_column(col)
    for r in runs:
        table.add_row(str(r["id"]), r["source"], r["kind"], f"{r['settled']}/{r['total']}",
                      str(r["registered"]), str(r["duplicate"]), str(r["failed"]),
                      str(r["pages"]), r["finished_at"] or "running / चल रहा")
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add this concern's commands to the main app."""
    app.command()(bulk)
    app.command()(worker)
    app.command("bulk-status")(bulk_status)
