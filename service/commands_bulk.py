"""CLI commands of this concern, added to the `dakscan` app by `register`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this concern's commands to the main app."""
