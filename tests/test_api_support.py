"""Shared helpers for the service tests: tiny real scans, settings over a fresh store, one user
per role, tokens, and a real uvicorn server on a loopback port. (No tests here.)"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dakscan.service import users
from dakscan.service.config import Settings

from letters import render_page

PASSWORD = "pass-word-123"
# name → (role, desk, section)
PEOPLE = {
    "op_a": ("operator", "A", None),
    "op_b": ("operator", "B", None),
    "diarist": ("diarist", None, None),
    "so_rev": ("section_officer", None, "revenue"),
    "so_edu": ("section_officer", None, "education"),
    "admin": ("admin", None, None),
    "commissioner": ("commissioner", None, None),
}


def make_settings(home: Path, db_url: str | None = None, **kw: object) -> Settings:
    """Settings over `home` (and PostgreSQL when given), independent of the environment."""
    return Settings(home=home, database_url=db_url, workers=kw.pop("workers", 1), **kw)


def add_people(settings: Settings, names: tuple[str, ...] | None = None) -> None:
    for name, (role, desk, section) in PEOPLE.items():
        if names is not None and name not in names:
            continue
        users.add_user(settings.db_url, name, role, PASSWORD, desk=desk, section=section,
                       full_name=f"{name} टेस्ट")


def tiny_scan(text: str, fmt: str = "PNG", size: tuple[int, int] = (600, 200)) -> bytes:
    """A real rendered scan of one short line (OCR ~0.1 s), as file bytes."""
    img = render_page([text], size=34, margin=30, page=size)
    buf = io.BytesIO()
    img.save(buf, fmt, dpi=(300, 300))
    return buf.getvalue()


def letter_scan(lines: list[str], fmt: str = "PNG") -> bytes:
    """A short letter: a few lines on a half page."""
    img = render_page(lines, size=34, margin=60, leading=1.7, page=(1600, 120 + 62 * len(lines)))
    buf = io.BytesIO()
    img.save(buf, fmt, dpi=(300, 300))
    return buf.getvalue()


def login(client, username: str, password: str = PASSWORD) -> dict[str, str]:  # noqa: ANN001
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer"
    return {"Authorization": f"Bearer {body['access_token']}"}


@contextmanager
def live_server(app) -> Iterator[str]:  # noqa: ANN001
    """The app under a real uvicorn on 127.0.0.1 (a free port); yields the base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
