"""Engine, sessions and schema upgrades for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

MIGRATIONS = str(Path(__file__).parent / "migrations")


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, a busy timeout and foreign keys, as a shared store needs."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            dbapi_conn.isolation_level = None  # transactions are begun explicitly below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # noqa: ANN001
            # IMMEDIATE takes the write lock up front: two registrations never interleave
            # their diary-number reads and writes, and never deadlock upgrading a read lock.
            # Read-only sessions begin deferred, so readers never wait on OCR'd writers.
            readonly = conn.get_execution_options().get("dakscan_readonly", False)
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


MIGRATE_LOCK = 7_042_026


def upgrade(url: str) -> None:
    """Bring the schema to the newest revision (creates it on an empty database).

    Many processes may start at once on an empty store (watch workers, Celery workers), so
    the upgrade runs under a lock: a file lock for SQLite, an advisory lock for PostgreSQL.
    """
    cfg = alembic_config(url)
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[-1])
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{path}.migrate-lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            command.upgrade(cfg, "head")
        return
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATE_LOCK})")
        try:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
        finally:
            conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATE_LOCK})")
    engine.dispose()


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine per URL per process, schema brought up to date on first use."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = make_engine(url)
            if not _is_current(engine):
                upgrade(url)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Drop pooled connections (after fork, or between tests)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _is_current(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as conn:
        if "alembic_version" not in inspect(conn).get_table_names():
            return False
        current = set(MigrationContext.configure(conn).get_current_heads())
    heads = set(ScriptDirectory.from_config(alembic_config(str(engine.url))).get_heads())
    return current == heads


@contextmanager
def session_scope(url: str, readonly: bool = False) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error.

    `readonly` sessions take no write lock on SQLite (many may run beside one writer).
    """
    engine = engine_for(url)
    if readonly:
        engine = engine.execution_options(dakscan_readonly=True)
    maker = sessionmaker(engine, expire_on_commit=False)
    with maker() as session, session.begin():
        yield session
