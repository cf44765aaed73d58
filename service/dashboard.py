"""Monitoring figures per desk per day, and the 30-day chart drawn as SVG on the server.

Days are the office's days (settings.timezone), not UTC days: a letter scanned at 00:30 IST
counts on the day the desk saw it. Figures come straight from the register (`dak`) and the
`failure` table, so the dashboard never disagrees with the inbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dakscan.service.models import Dak, Failure

PENDING_STATUSES = {"needs_review", "held"}


@dataclass
class DeskDay:
    """One desk on one day."""

    day: date
    desk: str | None
    received: int = 0
    pending_review: int = 0
    confirmed: int = 0
    failed: int = 0
    pages: int = 0
    seconds: float = 0.0
    timed_pages: int = 0  # pages of dak whose reading time the register holds

    @property
    def seconds_per_page(self) -> float | None:
        """Average over the dak with a recorded time; None when none has one."""
        return self.seconds / self.timed_pages if self.timed_pages else None

    def add(self, other: DeskDay) -> None:
        self.received += other.received
        self.pending_review += other.pending_review
        self.confirmed += other.confirmed
        self.failed += other.failed
        self.pages += other.pages
        self.seconds += other.seconds
        self.timed_pages += other.timed_pages


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def local_day(at: datetime, tz: ZoneInfo) -> date:
    return _utc(at).astimezone(tz).date()


def today_in(tz: ZoneInfo) -> date:
    return datetime.now(tz).date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant the office's day begins."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def is_pending(needs_review: bool, status: str, confirmed_at: datetime | None) -> bool:
    """Waiting for a person: flagged by the reader (or held) and not confirmed yet."""
    if confirmed_at is not None or status == "confirmed":
        return False
    return bool(needs_review) or status in PENDING_STATUSES


def desk_days(session: Session, tz: ZoneInfo, days: int = 30, today: date | None = None,
              desk: str | None = None) -> list[DeskDay]:
    """Every (day, desk) with any activity in the last `days` days, newest day first."""
    today = today or today_in(tz)
    first = today - timedelta(days=days - 1)
    since = day_start(first, tz)
    rows: dict[tuple[date, str | None], DeskDay] = {}

    def row(day: date, d: str | None) -> DeskDay:
        return rows.setdefault((day, d), DeskDay(day=day, desk=d))

    q = select(Dak.desk, Dak.received_at, Dak.pages, Dak.seconds, Dak.needs_review, Dak.status,
               Dak.confirmed_at).where(Dak.kind == "dak", Dak.received_at >= since)
    if desk is not None:
        q = q.where(Dak.desk == desk)
    for d, received_at, pages, seconds, needs_review, status, confirmed_at in session.execute(q):
        r = row(local_day(received_at, tz), d)
        r.received += 1
        r.pages += pages or 0
        if seconds and pages:
            r.seconds += seconds
            r.timed_pages += pages
        r.pending_review += is_pending(needs_review, status, confirmed_at)
    q = select(Dak.desk, Dak.confirmed_at).where(Dak.kind == "dak",
                                                 Dak.confirmed_at.is_not(None),
                                                 Dak.confirmed_at >= since)
    if desk is not None:
        q = q.where(Dak.desk == desk)
    for d, confirmed_at in session.execute(q):
        row(local_day(confirmed_at, tz), d).confirmed += 1
    q = select(Failure.desk, Failure.at).where(Failure.at >= since)
    if desk is not None:
        q = q.where(Failure.desk == desk)
    for d, at in session.execute(q):
        row(local_day(at, tz), d).failed += 1
    return sorted((r for r in rows.values() if r.day >= first),
                  key=lambda r: (-r.day.toordinal(), r.desk or ""))


def per_day(rows: Iterable[DeskDay]) -> dict[date, DeskDay]:
    """All desks added up, one entry per day."""
    out: dict[date, DeskDay] = {}
    for r in rows:
        out.setdefault(r.day, DeskDay(day=r.day, desk=None)).add(r)
    return out


def total(rows: Iterable[DeskDay], day: date | None = None) -> DeskDay:
    """All rows (or one day's rows) added up."""
    out = DeskDay(day=day or date.min, desk=None)
    for r in rows:
        if day is None or r.day == day:
            out.add(r)
    return out


def desks_seen(session: Session) -> list[str]:
    """Desk names known to the register and the failure table, sorted."""
    names = set(session.scalars(select(Dak.desk).where(Dak.desk.is_not(None)).distinct()))
    names |= set(session.scalars(select(Failure.desk).where(Failure.desk.is_not(None))
                                 .distinct()))
    return sorted(names)


# --- the chart ---------------------------------------------------------------------------

WIDTH, HEIGHT = 960, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 48, 44
COLOURS = {"received": "#1d4f91", "failed": "#b3261e", "confirmed": "#1b6e3a"}


def _nice_max(value: int) -> int:
    """A round top for the y axis (at least 4) so gridlines fall on whole numbers."""
    top = max(4, value)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top <= step * 4:
            return step * 4
    return -(-top // 4) * 4


def chart_svg(rows: Iterable[DeskDay], t: Callable[..., str], days: int = 30,
              today: date | None = None) -> str:
    """Received (bars, failed stacked on top in red) and confirmed (green line) per day.

    Plain SVG, no script: it prints, it works offline, and a screen reader gets the title
    and description (the table beside it carries the same numbers).
    """
    today = today or date.today()
    by_day = per_day(rows)
    span = [today - timedelta(days=days - 1 - i) for i in range(days)]
    vals = [by_day.get(d) or DeskDay(day=d, desk=None) for d in span]
    top = _nice_max(max((v.received + v.failed for v in vals), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / days
    bar = slot * 0.64

    def y(v: float) -> float:
        return TOP + plot_h - v / top * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
           f'class="chart" role="img" aria-labelledby="chart-title chart-desc">',
           f'<title id="chart-title">{escape(t("chart.title", days=days))}</title>',
           f'<desc id="chart-desc">{escape(t("chart.desc"))}</desc>',
           f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>']
    for i in range(5):
        v = top * i // 4
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                   f'stroke="#d0d4da" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y(v) + 5:.1f}" text-anchor="end" '
                   f'font-size="14" fill="#333">{v}</text>')
    for i, v in enumerate(vals):
        x = LEFT + i * slot + (slot - bar) / 2
        label = escape(t("chart.bar_label", day=v.day.strftime("%d.%m"), received=v.received,
                         failed=v.failed, confirmed=v.confirmed))
        out.append(f'<g><title>{label}</title>')
        if v.received:
            out.append(f'<rect x="{x:.1f}" y="{y(v.received):.1f}" width="{bar:.1f}" '
                       f'height="{y(0) - y(v.received):.1f}" fill="{COLOURS["received"]}"/>')
        if v.failed:
            out.append(f'<rect x="{x:.1f}" y="{y(v.received + v.failed):.1f}" '
                       f'width="{bar:.1f}" height="{y(0) - y(v.failed):.1f}" '
                       f'fill="{COLOURS["failed"]}"/>')
        out.append('</g>')
        if i % 5 == (days - 1) % 5:
            out.append(f'<text x="{LEFT + (i + 0.5) * slot:.1f}" y="{HEIGHT - BOTTOM + 20}" '
                       f'text-anchor="middle" font-size="13" fill="#333">'
                       f'{v.day.strftime("%d.%m")}</text>')
    points = " ".join(f"{LEFT + (i + 0.5) * slot:.1f},{y(v.confirmed):.1f}"
                      for i, v in enumerate(vals))
    out.append(f'<polyline points="{points}" fill="none" stroke="{COLOURS["confirmed"]}" '
               f'stroke-width="3" stroke-linejoin="round"/>')
    for i, v in enumerate(vals):
        if v.confirmed:
            out.append(f'<circle cx="{LEFT + (i + 0.5) * slot:.1f}" cy="{y(v.confirmed):.1f}" '
                       f'r="4" fill="{COLOURS["confirmed"]}"/>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
               f'stroke="#333" stroke-width="1.5"/>')
    legend = [("received", t("chart.received")), ("failed", t("chart.failed")),
              ("confirmed", t("chart.confirmed"))]
    for i, (key, text) in enumerate(legend):
        lx = LEFT + i * 150
        out.append(f'<rect x="{lx}" y="14" width="18" height="18" fill="{COLOURS[key]}"/>')
        out.append(f'<text x="{lx + 26}" y="29" font-size="15" fill="#222">{escape(text)}</text>')
    out.append(f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 6}" text-anchor="end" font-size="13" '
               f'fill="#333">{escape(t("chart.x_axis"))}</text>')
    out.append("</svg>")
    return "\n".join(out)
