"""CLI: `dakscan cues audit FILES...` — which cues fired, and lines that look like a number,
date or subject but matched no cue, so an admin can extend the office's profile."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

cues_app = typer.Typer(help="Cue profiles for metadata extraction.", no_args_is_help=True)
out = Console(highlight=False)
NOT_FOUND = ("फ़ाइल नहीं मिली", "File not found")
NO_PROFILE = ("यह प्रोफ़ाइल नहीं मिली", "No such cue profile")


@cues_app.command("audit")
def audit(
    files: Annotated[list[Path], typer.Argument(help="Scanned letters to read.")],
    profile: Annotated[str | None, typer.Option(
        help="Cue profile name or TOML path (default: DAKSCAN_CUE_PROFILE).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file.")] = False,
) -> None:
    """Read each file with OCR and show what the cues found and what they missed."""
    from dakscan.classify.audit import audit_pages
    from dakscan.classify.profile import load_profile
    from dakscan.service.config import get_settings

    settings = get_settings()
    name = profile or settings.cue_profile
    try:
        prof = load_profile(name)
    except (OSError, ValueError) as exc:
        out.print(f"{NO_PROFILE[0]} / {NO_PROFILE[1]}: {escape(name)} ({escape(str(exc))})")
        raise typer.Exit(2) from None
    failed = False
    for path in files:
        pages = _read(path, settings)
        if isinstance(pages, str):
            failed = True
            _say(path, {"error": pages}, as_json)
            continue
        _say(path, audit_pages(pages, prof, datetime.now(UTC)), as_json)
    raise typer.Exit(1 if failed else 0)


def _read(path: Path, settings) -> list | str:  # noqa: ANN001
    """The OCR'd pages of a scan, or a Hindi / English reason it cannot be read."""
    from dakscan.ingest.errors import InputError
    from dakscan.ingest.pages import open_document
    from dakscan.ocr.recognise import PageOptions, recognise_page

    if not path.is_file():
        return f"{NOT_FOUND[0]} / {NOT_FOUND[1]}: {path}"
    try:
        doc = open_document(path, settings.max_pages, settings.max_pixels)
        opts = PageOptions(lang=settings.languages)
        return [recognise_page(ref, opts).text for ref in doc.pages]
    except InputError as exc:
        return f"{exc.hindi} / {exc.english}"


def _say(path: Path, report: dict, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"file": str(path), **report}, ensure_ascii=False))
        return
    out.rule(escape(str(path)))
    if "error" in report:
        out.print(f"[red]{escape(report['error'])}[/]")
        return
    out.print(f"profile: {report['profile']}")
    for ln in report["lines"]:
        if ln["cues"]:
            out.print(f"[green]fired[/] p{ln['page']}: {escape(ln['text'])}")
            for cue in ln["cues"]:
                out.print(f"        {escape(cue)}")
    for ln in report["unmatched"]:
        kinds = "/".join(ln["looks_like"])
        out.print(f"[yellow]unmatched {kinds}[/] p{ln['page']}: {escape(ln['text'])}")
    for name, value in sorted(report["fields"].items()):
        if value not in (None, "", [], False, "normal"):
            out.print(f"[cyan]{name}[/] = {escape(str(value))}")
    for reason in report["reasons"]:
        out.print(f"[red]review:[/] {escape(reason)}")


def register(app: typer.Typer) -> None:
    """Add this concern's commands to the main app."""
    app.add_typer(cues_app, name="cues")
