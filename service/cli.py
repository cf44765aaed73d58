"""The `dakscan` command. Each concern adds its own commands through a `register(app)`."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from dakscan.service.config import get_settings

app = typer.Typer(help="dakscan: scanned letters in, signed searchable PDF/A and registered "
                  "dak out.", no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Register database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
err = Console(stderr=True)


def setup_logging() -> None:
    settings = get_settings()
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(settings.log_dir / "dakscan.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, logging.FileHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the register's schema to the newest version."""
    from dakscan.service.db import upgrade

    settings = get_settings()
    upgrade(settings.db_url)
    err.print(f"database up to date: {_safe_url(settings.db_url)}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def process(
    paths: Annotated[list[Path], typer.Argument(help="Scanned files (PDF, TIFF, JPEG, PNG).")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per input per line.")]
    = False,
    unit: Annotated[str | None, typer.Option(help="Unit for diary numbers.")] = None,
    lang: Annotated[str | None, typer.Option(help="Tesseract languages, e.g. Devanagari.")]
    = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: cores).")]
    = None,
    delivery_mode: Annotated[str | None, typer.Option(help="by_hand, post, speed_post, email…")]
    = None,
) -> None:
    """Register each file as dak: upright, OCR'd, searchable PDF/A, signed, archived."""
    from dakscan.service.pipeline import Intake, Pipeline

    setup_logging()
    intake = Intake(unit=unit, lang=lang, delivery_mode=delivery_mode, actor="cli")
    paths = list(expand(paths, get_settings().home))
    failed = False
    results = []
    with Pipeline(workers=workers) as pipeline:
        threads = max(1, min(len(paths), pipeline.workers))
        with ThreadPoolExecutor(threads) as ex:
            for result in ex.map(lambda p: pipeline.process(p, intake), paths):
                failed |= result["status"] == "failed"
                if as_json:
                    sys.stdout.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
                    sys.stdout.flush()
                results.append(result)
    if not as_json:
        show_results(results)
    raise typer.Exit(1 if failed else 0)


def expand(paths: list[Path], home: Path) -> Iterator[Path]:
    """Files as given; a folder stands for the files under it (sorted; dot-files, temporary
    names and OS clutter skipped as a desk watcher skips them; never dakscan's own home: its
    archive is not to be registered again)."""
    from dakscan.watch_folders.names import ignored

    home = home.resolve()
    for p in paths:
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and not ignored(f.name)
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)
                              and not f.resolve().is_relative_to(home))
        else:
            yield p


STATUS_WORDS = {"registered": "[green]दर्ज / registered[/]",
                "duplicate": "[cyan]पहले से दर्ज / duplicate[/]",
                "failed": "[red]विफल / failed[/]"}


def show_results(results: list[dict]) -> None:
    """One block per file, readable at any terminal width: the diary number and status first,
    then what the clerk checks (letter number, date, subject, sender) and where the PDF is."""
    console = Console(highlight=False)
    console.rule("dakscan: दर्ज डाक / registered dak")
    for r in results:
        status = STATUS_WORDS.get(r["status"], r["status"])
        if r["status"] == "failed":
            console.print(f"{status}  {escape(r['source'])}  ({r['seconds']:.1f} s)",
                          soft_wrap=True)
            console.print(f"    {r.get('error_hi', '')}\n    {escape(r.get('error', ''))}",
                          soft_wrap=True)
            continue
        dak = r.get("dak") or {}
        archive = r.get("archive") or {}
        sender = dak.get("sender") or {}
        console.print(f"[bold]{dak.get('diary_no', '')}[/]  {status}  {escape(r['source'])}  "
                      f"({archive.get('pages', '?')} पृष्ठ / pages, {r['seconds']:.1f} s)",
                      soft_wrap=True)
        rows = (("पत्र क्र. / letter no.", dak.get("letter_no")),
                ("दिनांक / date", dak.get("letter_date")),
                ("विषय / subject", dak.get("subject")),
                ("प्रेषक / sender", ", ".join(v for v in (sender.get("name"),
                                                         sender.get("designation")) if v)),
                ("PDF", archive.get("path")))
        for label, value in rows:
            console.print(f"    {label}: {escape(str(value)) if value else '—'}", soft_wrap=True)
        if dak.get("needs_review"):
            console.print("    [yellow]जाँच आवश्यक / needs review:[/] "
                          + escape("; ".join(dak.get("review_reasons") or [])), soft_wrap=True)
    done = sum(r["status"] != "failed" for r in results)
    console.rule(f"{done}/{len(results)} दर्ज / registered or duplicate")


def _register_commands() -> None:
    from dakscan.classify import commands as classify_commands
    from dakscan.ingest import commands as ingest_commands
    from dakscan.service import commands_bulk, commands_service
    from dakscan.watch_folders import commands as watch_commands

    for module in (ingest_commands, classify_commands, watch_commands, commands_service,
                   commands_bulk):
        module.register(app)


_register_commands()


def main() -> None:
    app()
