"""Shared fixtures: an isolated DAKSCAN_HOME per test, and real services where reachable.

A service that is unreachable skips its tests with the reason on a user's laptop; in CI
(CI=true) the same situation fails, so a missing PostgreSQL/Redis/RabbitMQ is never silent.
"""

from __future__ import annotations

import os
import socket
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from dakscan.service.config import reset_settings  # noqa: E402
from dakscan.service.db import dispose_engines  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def need_service(name: str, host: str, port: int) -> None:
    """Skip (laptop) or fail (CI) when a real service is not there."""
    if _reachable(host, port):
        return
    msg = f"{name} not reachable at {host}:{port}"
    if os.environ.get("CI"):
        pytest.fail(f"{msg}: CI machines run it, so this is a real failure")
    pytest.skip(f"{msg} (start it to run this test)")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh DAKSCAN_HOME with the default SQLite register."""
    h = tmp_path / "dakscan-home"
    monkeypatch.setenv("DAKSCAN_HOME", str(h))
    monkeypatch.delenv("DAKSCAN_DATABASE_URL", raising=False)
    reset_settings()
    dispose_engines()
    yield h
    dispose_engines()
    reset_settings()


@pytest.fixture
def pg_url(monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    need_service("PostgreSQL", "127.0.0.1", 5432)
    from sqlalchemy import create_engine

    name = f"dakscan_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    yield url
    dispose_engines()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def redis_url() -> str:
    need_service("Redis", "127.0.0.1", 6379)
    return "redis://127.0.0.1:6379/15"


@pytest.fixture
def amqp_url() -> str:
    need_service("RabbitMQ", "127.0.0.1", 5672)
    return "amqp://guest:guest@127.0.0.1:5672//"
