"""Monitoring figures per desk per day from a real SQLite register, on the office's days."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from dakscan.service import dashboard
from dakscan.service.config import get_settings
from dakscan.service.db import session_scope
from dakscan.service.i18n import Translator
from dakscan.service.models import Dak, Failure

IST = ZoneInfo("Asia/Kolkata")
TODAY = date(2025, 7, 15)


def ist(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=IST).astimezone(UTC)


def dak(n: int, desk: str | None, at: datetime, pages: int = 1, seconds: float = 0.0,
        **kw) -> Dak:  # noqa: ANN003
    values = dict(kind="dak", diary_no=f"{n}/2025/DAK", serial=n, year=2025, unit="DAK",
                  sha256=f"{n:064x}", received_at=at, source_name=f"{n}.pdf", desk=desk,
                  original_path="x", pdf_path="x", pdf_sha256="0" * 64, pages=pages,
                  language="hi", page_info=[], meta={}, status="registered", seconds=seconds)
    values.update(kw)
    return Dak(**values)


def seed(rows: list) -> None:
    with session_scope(get_settings().db_url) as s:
        s.add_all(rows)


def failure(desk: str, at: datetime, resolved: bool = False) -> Failure:
    return Failure(at=at, source_name="x.jpg", desk=desk, code="truncated", message_hi="ख",
                   message_en="x", resolved=resolved)


def figures(desk: str | None = None) -> list[dashboard.DeskDay]:
    with session_scope(get_settings().db_url, readonly=True) as s:
        return dashboard.desk_days(s, IST, 30, TODAY, desk)


def test_per_desk_per_day_on_office_days(home: Path) -> None:
    yesterday = TODAY - timedelta(days=1)
    seed([
        dak(1, "A", ist(TODAY, 10), pages=3, seconds=9.0, needs_review=True,
            status="needs_review"),
        dak(2, "A", ist(TODAY, 0, 20), pages=1, seconds=3.0),  # 18:50 UTC the day before
        dak(3, "A", ist(yesterday, 23, 50), pages=2, seconds=0.0, status="confirmed",
            confirmed_at=ist(TODAY, 9), confirmed_by="c"),
        dak(4, "B", ist(TODAY, 11), pages=2, seconds=5.0, status="held"),
        dak(5, None, ist(TODAY, 12), pages=1, seconds=2.0, kind="record"),  # not dak
        dak(6, "A", ist(TODAY - timedelta(days=40), 12)),  # outside the 30 days
        failure("A", ist(TODAY, 8)), failure("A", ist(TODAY, 9), resolved=True),
        failure("B", ist(yesterday, 22)),
    ])
    rows = {(r.day, r.desk): r for r in figures()}
    a = rows[(TODAY, "A")]
    assert (a.received, a.pending_review, a.confirmed, a.failed, a.pages) == (2, 1, 1, 2, 4)
    assert a.seconds_per_page == 12.0 / 4
    b = rows[(TODAY, "B")]
    assert (b.received, b.pending_review, b.confirmed, b.failed) == (1, 1, 0, 0)
    a_before = rows[(yesterday, "A")]
    assert (a_before.received, a_before.confirmed, a_before.pages) == (1, 0, 2)
    assert a_before.seconds_per_page is None  # no reading time recorded: not "0 s"
    assert rows[(yesterday, "B")].failed == 1
    assert len(rows) == 4
    today = dashboard.total(figures(), TODAY)
    assert (today.received, today.pending_review, today.confirmed, today.failed) == (3, 2, 1, 2)
    only_b = figures("B")
    assert {r.desk for r in only_b} == {"B"}
    with session_scope(get_settings().db_url, readonly=True) as s:
        assert dashboard.desks_seen(s) == ["A", "B"]


def test_newest_day_first(home: Path) -> None:
    seed([dak(i, "A", ist(TODAY - timedelta(days=i), 12)) for i in range(1, 5)])
    days = [r.day for r in figures()]
    assert days == sorted(days, reverse=True) and len(days) == 4


def test_chart_is_plain_accessible_svg(home: Path) -> None:
    seed([dak(i, "A", ist(TODAY - timedelta(days=i % 7), 12)) for i in range(1, 15)]
         + [failure("A", ist(TODAY, 9))])
    t = Translator("hi")
    svg = dashboard.chart_svg(figures(), t, 30, TODAY)
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.get("role") == "img"
    assert root.find("s:title", ns).text == "पिछले 30 दिनों की डाक"
    bars = root.findall("s:g", ns)
    assert len(bars) == 30
    labels = [g.find("s:title", ns).text for g in bars]
    assert labels[-1] == "15.07: प्राप्त 2, विफल 1, पुष्टि 0"
    assert "<script" not in svg and "http://www.w3.org/2000/svg" in svg
    polyline = root.find("s:polyline", ns)
    assert len(polyline.get("points").split()) == 30
    assert dashboard.chart_svg([], Translator("en"), 30, TODAY).count("<rect") == 1 + 3


def test_nice_axis_tops() -> None:
    assert [dashboard._nice_max(v) for v in (0, 3, 5, 9, 41, 999)] == [4, 4, 8, 20, 80, 1000]
