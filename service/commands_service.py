"""CLI: `dakscan serve`, `dakscan users add/list/disable/enable/reset-password`,
`dakscan export`, `dakscan search`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dakscan.service.config import get_settings

users_app = typer.Typer(help="Users: e-Office ID, role, desk or section, password.",
                        no_args_is_help=True)
out = Console()
err = Console(stderr=True)
ROLE_HELP = "operator, diarist, section_officer, admin or commissioner"

UsernameOpt = Annotated[str | None, typer.Option("--username", "--user", "-u",
                                                 help="User name (the e-Office ID).")]
UsernameArg = Annotated[str | None, typer.Argument(help="User name (or use --username).",
                                                   show_default=False)]


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Run the HTTP service (API under /api/v1, /healthz, /readyz, /metrics) in the foreground."""
    import uvicorn

    from dakscan.service.api import create_app
    from dakscan.service.cli import setup_logging
    from dakscan.service.db import engine_for

    setup_logging()
    settings = get_settings()
    engine_for(settings.db_url)  # migrate before the first request, not during it
    err.print(f"dakscan serving on http://{host}:{port} (API /api/v1, OpenAPI /openapi.json)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level,
                proxy_headers=False)


def _name(arg: str | None, opt: str | None) -> str:
    name = opt or arg
    if not name:
        err.print("give the user name: --username NAME")
        raise typer.Exit(2)
    return name


def _fail(exc: Exception) -> None:
    from dakscan.service.users import UserError

    if isinstance(exc, UserError):
        err.print(f"[red]{exc.english}[/]\n{exc.hindi}")
        raise typer.Exit(1)
    raise exc


@users_app.command("add")
def users_add(
    username: UsernameOpt = None,
    role: Annotated[str, typer.Option("--role", "-r", help=ROLE_HELP)] = "",
    password: Annotated[str, typer.Option("--password", "-p",
                                          help="Password (at least 8 characters).")] = "",
    full_name: Annotated[str, typer.Option("--full-name", "--name", help="Full name.")] = "",
    desk: Annotated[str | None, typer.Option(help="Desk (operators see and upload to "
                                             "their own desk).")] = None,
    section: Annotated[str | None, typer.Option(help="Section (section officers see dak "
                                                "marked to it).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the user as JSON.")] = False,
) -> None:
    """Add a user with a role and password (no prompt)."""
    from dakscan.service import users

    try:
        user = users.add_user(get_settings().db_url, _name(None, username), role, password,
                              full_name=full_name, desk=desk, section=section, actor="cli")
    except Exception as exc:  # noqa: BLE001
        _fail(exc)
    if as_json:
        print(json.dumps(user, ensure_ascii=False))
    else:
        out.print(f"user {user['username']} added as {user['role']}")


@users_app.command("list")
def users_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """All users with role, desk, section and whether active."""
    from dakscan.service import users

    rows = users.list_users(get_settings().db_url)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title="dakscan users / उपयोगकर्ता")
    for col in ("user", "full name", "role", "desk", "section", "active"):
        table.add_column(col)
    for u in rows:
        table.add_row(u["username"], u["full_name"], u["role"], u["desk"] or "",
                      u["section"] or "", "yes" if u["active"] else "[red]disabled[/]")
    out.print(table)


@users_app.command("disable")
def users_disable(name: UsernameArg = None, username: UsernameOpt = None) -> None:
    """Disable a user: their tokens and sessions stop working at once."""
    _set_active(_name(name, username), False)


@users_app.command("enable")
def users_enable(name: UsernameArg = None, username: UsernameOpt = None) -> None:
    """Enable a disabled user again."""
    _set_active(_name(name, username), True)


def _set_active(username: str, active: bool) -> None:
    from dakscan.service import users

    try:
        users.set_active(get_settings().db_url, username, active)
    except Exception as exc:  # noqa: BLE001
        _fail(exc)
    out.print(f"user {username} {'enabled' if active else 'disabled'}")


@users_app.command("reset-password")
def users_reset_password(
    name: UsernameArg = None,
    username: UsernameOpt = None,
    password: Annotated[str, typer.Option("--password", "-p",
                                          help="New password (at least 8 characters).")] = "",
) -> None:
    """Set a new password; tokens issued under the old one stop working."""
    from dakscan.service import users

    try:
        users.reset_password(get_settings().db_url, _name(name, username), password)
    except Exception as exc:  # noqa: BLE001
        _fail(exc)
    out.print(f"password of {_name(name, username)} reset")


def export(
    format: Annotated[str, typer.Option("--format", "-f", help="csv or json.")] = "json",  # noqa: A002
    since: Annotated[str | None, typer.Option(help="Received on or after this day "
                                              "(YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Received on or before this day.")] = None,
    kind: Annotated[str, typer.Option(help="dak (default), record or all.")] = "dak",
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write here instead of stdout.")] = None,
) -> None:
    """e-Office receipts (diarise fields, diary no., PDF path, sha256) as JSON or CSV."""
    from dakscan.service import export as ex

    if format not in ("csv", "json") or kind not in ("dak", "record", "all"):
        err.print("--format must be csv or json; --kind dak, record or all")
        raise typer.Exit(2)
    try:
        start = ex.parse_day(since) if since else None
        end = ex.parse_day(until) if until else None
    except ValueError as exc:
        err.print(f"{exc} / तारीख YYYY-MM-DD में दें")
        raise typer.Exit(2) from None
    rows = ex.receipts(get_settings(), start, end, None if kind == "all" else kind)
    text = ex.to_csv(rows) if format == "csv" else ex.to_json(rows) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(("\ufeff" if format == "csv" else "") + text, encoding="utf-8")
        err.print(f"written: {output}")


def search(
    query: Annotated[str, typer.Argument(help="Words to find (Hindi or English).")],
    limit: Annotated[int, typer.Option(help="At most this many hits.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search the register as the API does (spelling variants meet), with snippets."""
    from dakscan.service.api_search import search_register
    from dakscan.service.auth import Principal

    found = search_register(get_settings(), Principal("cli", "admin"), query, [], limit)
    if found.get("note"):
        err.print(found["note"])
    if not found["keys"]:
        raise typer.Exit(2)
    if as_json:
        print(json.dumps(found, ensure_ascii=False, default=str))
        return
    for hit in found["items"]:
        snip = terminal_snippet(hit["snippet"])
        out.print(f"{hit['dak']['diary_no']}  ({hit['score']:.1f}, {hit['field']})  {snip}")
    out.print(f"{found['total']} found")


def search_index() -> None:
    """Make every registered dak searchable now (e.g. after a bulk conversion); searches
    otherwise index new dak a few seconds' worth at a time."""
    from dakscan.service.search import catch_up

    done = catch_up(get_settings().db_url)
    out.print(f"search index: {done} dak indexed")


def terminal_snippet(snippet: str) -> str:
    """An HTML snippet as rich markup: hits bold, the rest literal."""
    import html
    import re

    from rich.markup import escape

    parts = re.split(r"</?mark>", snippet)
    return "".join(f"[bold]{escape(html.unescape(p))}[/bold]" if i % 2 else
                   escape(html.unescape(p)) for i, p in enumerate(parts))


def register(app: typer.Typer) -> None:
    """Add this concern's commands to the main app."""
    app.command()(serve)
    app.add_typer(users_app, name="users")
    app.command()(export)
    app.command()(search)
    app.command("search-index")(search_index)
