"""CLI: `dakscan watch --config FILE` (foreground) and `dakscan status [--config FILE]`."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

out = Console()
err = Console(stderr=True)

ConfigOption = Annotated[Path | None, typer.Option(
    "--config", help="Watch TOML (default: $DAKSCAN_WATCH_CONFIG, else "
    "$DAKSCAN_HOME/watch.toml).")]


def register(app: typer.Typer) -> None:
    """Add `watch` and `status` to the main app."""
    app.command("watch")(watch)
    app.command("status")(status)


def watch(
    config: Annotated[Path, typer.Option("--config", help="Watch TOML: one [desks.<name>] "
                                         "table per scanner folder.")],
    workers: Annotated[int | None, typer.Option(help="Worker processes for all desks "
                                                "(default: the config's, else cores).")] = None,
) -> None:
    """Watch the desks' scanner folders and register every finished file, until Ctrl-C/SIGTERM."""
    from dakscan.service.cli import setup_logging
    from dakscan.watch_folders.folders import FolderError
    from dakscan.watch_folders.watcher import Watcher

    cfg = _load(config)
    setup_logging()
    _log_to_stderr()
    watcher = Watcher(cfg, workers=workers)
    watcher.install_signal_handlers()
    try:
        watcher.run()
    except FolderError as exc:
        err.print(f"[red]cannot watch / निगरानी नहीं हो सकती:[/] {exc}")
        raise typer.Exit(2) from None


def status(
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON list of desk rows.")]
    = False,
) -> None:
    """Per desk: files waiting, in processing, registered today, failed."""
    from dakscan.service.config import get_settings
    from dakscan.watch_folders.config import default_config_path
    from dakscan.watch_folders.status import desk_status

    path = config or default_config_path()
    cfg = _load(path) if path is not None else None
    rows = desk_status(cfg, get_settings())
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title="dakscan desks / डेस्क")
    for col in ("desk / डेस्क", "waiting / प्रतीक्षा में", "processing / प्रक्रिया में",
                "done today / आज दर्ज", "failed / विफल", "folder / फ़ोल्डर"):
        table.add_column(col)
    for r in rows:
        folder = r["folder"] or ""
        if r["found"] is False:
            folder += " [red](not found / नहीं मिला)[/]"
        table.add_row(r["desk"], _n(r["waiting"]), _n(r["processing"]), str(r["done_today"]),
                      str(r["failed"]), folder)
    out.print(table)
    if cfg is None:
        out.print("no watch config: counts from the register only "
                  "(give --config FILE for the folders)")


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


def _load(path: Path):  # noqa: ANN202
    from dakscan.watch_folders.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as exc:
        err.print(f"[red]watch config / कॉन्फ़िगरेशन:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None


def _log_to_stderr() -> None:
    """The per-file lines also on the console when the watcher runs in a terminal/journal."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logging.getLogger("dakscan.watch").addHandler(handler)
