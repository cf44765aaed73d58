"""Diary numbers stay unique and gap-free when 8 uploaders register 200 dak at once through
the real HTTP service (uvicorn on loopback), on SQLite and on PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from test_api_support import PASSWORD, add_people, live_server, make_settings, tiny_scan

from dakscan.service.api import create_app
from dakscan.service.db import session_scope
from dakscan.service.models import Dak, DiaryCounter
from dakscan.service.search import Query, SearchDoc, catch_up, rank
from dakscan.service.store import broken_links

UPLOADERS = 8
DAK = 200


def run_uploads(settings) -> list[httpx.Response]:  # noqa: ANN001
    scans = [tiny_scan(f"डाक परीक्षण {i} मिश्रा") for i in range(DAK)]
    app = create_app(settings)
    with live_server(app) as base:
        token = httpx.post(f"{base}/api/v1/auth/token",
                           data={"username": "diarist", "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}

        def uploader(k: int) -> list[httpx.Response]:
            out = []
            with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
                for i in range(k, DAK, UPLOADERS):
                    out.append(client.post("/api/v1/dak",
                                           files={"file": (f"scan-{i}.png", scans[i])}))
            return out

        with ThreadPoolExecutor(UPLOADERS) as ex:
            return [r for batch in ex.map(uploader, range(UPLOADERS)) for r in batch]


def check_register(settings, responses: list[httpx.Response]) -> None:  # noqa: ANN001
    assert [r.status_code for r in responses] == [201] * DAK, \
        [r.text for r in responses if r.status_code != 201][:3]
    numbers = [r.json()["diary_no"] for r in responses]
    assert len(set(numbers)) == DAK
    serials = sorted(int(n.split("/")[0]) for n in numbers)
    assert serials == list(range(1, DAK + 1))  # unique and gap-free
    with session_scope(settings.db_url, readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(Dak)) == DAK
        counter = s.scalars(select(DiaryCounter)).one()
        assert counter.last_serial == DAK
        assert broken_links(s) == []
    assert catch_up(settings.db_url) == DAK  # the first search indexes the burst at once
    with session_scope(settings.db_url, readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(SearchDoc)) == DAK
        assert len(rank(s, Query.parse("मिश्रा"))) == DAK


def test_200_dak_8_uploaders_sqlite(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", workers=UPLOADERS)
    add_people(settings)
    check_register(settings, run_uploads(settings))


def test_200_dak_8_uploaders_postgresql(tmp_path: Path, pg_url: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAKSCAN_DATABASE_URL", pg_url)
    settings = make_settings(tmp_path / "home", pg_url, workers=UPLOADERS)
    add_people(settings)
    check_register(settings, run_uploads(settings))
