"""How fast the desk pages answer over a real register (run by hand).

    DAKSCAN_HOME=./dakscan-data .venv/bin/python bench/web_latency.py [--rounds 20]

Uses the register under DAKSCAN_HOME (register some dak first, e.g. `dakscan process
samples/*`), adds a `bench-admin` user if missing, and prints the median and worst time of
each screen in milliseconds, in-process (no network): the inbox, its live part, the review
of the newest dak, a page picture (first rendering and cached), the register with a Hindi
search, and the dashboard with its chart.
"""

from __future__ import annotations

import argparse
import statistics
import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from dakscan.service import users
from dakscan.service.api import create_app
from dakscan.service.config import get_settings
from dakscan.service.db import session_scope
from dakscan.service.models import Dak
from dakscan.service.web import renderer

PASSWORD = "bench-pass-2025"


def timed(client: TestClient, path: str, rounds: int) -> tuple[float, float]:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return statistics.median(times), max(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    settings = get_settings()
    try:
        users.add_user(settings.db_url, "bench-admin", "admin", PASSWORD)
    except users.UserError:
        users.reset_password(settings.db_url, "bench-admin", PASSWORD)
    with session_scope(settings.db_url, readonly=True) as s:
        dak = s.scalars(select(Dak).order_by(Dak.id.desc()).limit(1)).first()
        count = s.query(Dak).count()
    if dak is None:
        raise SystemExit("no dak in this register: run `dakscan process samples/*` first")
    client = TestClient(create_app(settings))
    client.post("/login", data={"username": "bench-admin", "password": PASSWORD})
    word = (dak.subject or "पत्र").split()[0]
    print(f"register: {count} dak; newest {dak.diary_no} ({dak.pages} pages)")
    t0 = time.perf_counter()
    client.get(f"/dak/{dak.id}/page/1.png?w=1200")
    first = 1000 * (time.perf_counter() - t0)
    print(f"{'page picture, first rendering (1200 px)':45s} {first:7.1f} ms")
    for name, path in (("inbox (all desks)", "/inbox"), ("inbox live part", "/inbox/live"),
                       ("review", f"/dak/{dak.id}"),
                       ("page picture, cached", f"/dak/{dak.id}/page/1.png?w=1200"),
                       (f"register search '{word}'", f"/register?q={word}"),
                       ("register, latest", "/register"), ("dashboard", "/dashboard"),
                       ("chart.svg", "/dashboard/chart.svg")):
        med, worst = timed(client, path, args.rounds)
        print(f"{name:45s} {med:7.1f} ms median {worst:7.1f} ms worst")
    renderer._cache.clear()


if __name__ == "__main__":
    main()
