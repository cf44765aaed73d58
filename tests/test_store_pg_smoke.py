"""The register schema comes up on a real SQLite file and a real PostgreSQL."""

from sqlalchemy import inspect

from dakscan.service.db import engine_for


def _tables(url: str) -> set[str]:
    with engine_for(url).connect() as conn:
        return set(inspect(conn).get_table_names())


def test_schema_on_sqlite_file(home):
    url = f"sqlite:///{home / 'reg.sqlite'}"
    assert {"dak", "diary_counter", "audit_log", "app_user", "failure"} <= _tables(url)
    assert (home / "reg.sqlite").stat().st_size > 0


def test_schema_on_postgresql(pg_url):
    assert {"dak", "diary_counter", "audit_log", "app_user", "failure"} <= _tables(pg_url)
