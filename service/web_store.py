"""What the desk pages read from the register: today's inbox, one dak for review, the list.

Reads only; every change goes through the service's own functions (see `web_actions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from dakscan.service.dashboard import day_start, is_pending
from dakscan.service.models import Dak, Failure, User

REVIEW_BELOW = 0.6  # as the metadata reader flags fields (classify.metadata.REVIEW_BELOW)
LETTER_TYPES = ("letter", "office_memorandum", "do_letter", "notification", "circular",
                "order", "memo", "court_notice", "rti_application", "assembly_question",
                "complaint", "vip_reference")
PRIORITIES = ("most_immediate", "immediate", "priority", "normal")
SECURITY = ("normal", "restricted", "confidential", "secret", "top_secret")
LANGUAGES = ("hi", "en", "bilingual")
DELIVERY = ("by_hand", "post", "speed_post", "registered_post", "courier", "email", "fax")
STATUSES = ("registered", "needs_review", "held", "confirmed", "marked", "failed")


def shown_status(dak: Dak) -> str:
    """The one word a desk sees: marked, confirmed, needs review, held or registered."""
    if dak.section and (dak.confirmed_at is not None or dak.status == "marked"):
        return "marked"
    if dak.confirmed_at is not None or dak.status == "confirmed":
        return "confirmed"
    if dak.status == "held":
        return "held"
    if is_pending(dak.needs_review, dak.status, dak.confirmed_at):
        return "needs_review"
    return dak.status if dak.status in STATUSES else "registered"


def sender_line(dak: Dak) -> str:
    return ", ".join(x for x in (dak.sender_name, dak.sender_designation, dak.sender_office)
                     if x)


@dataclass
class InboxRow:
    id: int
    diary_no: str
    status: str
    sender: str
    subject: str
    received_at: datetime


def today_range(tz: ZoneInfo, today: date) -> tuple[datetime, datetime]:
    return day_start(today, tz), day_start(today + timedelta(days=1), tz)


def desk_condition(desk: str | None) -> ColumnElement[bool]:
    return Dak.desk == desk if desk else true()


def inbox_rows(s: Session, scope: ColumnElement[bool], desk: str | None, tz: ZoneInfo,
               today: date, limit: int = 300) -> list[InboxRow]:
    """Today's dak of the desk, newest first."""
    start, end = today_range(tz, today)
    q = (select(Dak).where(scope, desk_condition(desk), Dak.kind == "dak",
                           Dak.received_at >= start, Dak.received_at < end)
         .order_by(Dak.received_at.desc(), Dak.id.desc()).limit(limit))
    return [InboxRow(d.id, d.diary_no, shown_status(d), sender_line(d), d.subject or "",
                     d.received_at) for d in s.scalars(q)]


def open_failures(s: Session, desk: str | None, only_desk: str | None = None,
                  limit: int = 100) -> list[Failure]:
    """Unresolved failures of the desk (an operator's own desk only), newest first."""
    q = select(Failure).where(Failure.resolved.is_(False))
    wanted = only_desk or desk
    if wanted:
        q = q.where(Failure.desk == wanted)
    return list(s.scalars(q.order_by(Failure.at.desc(), Failure.id.desc()).limit(limit)))


def next_for_review(s: Session, scope: ColumnElement[bool], dak: Dak) -> int | None:
    """The newest other dak of the same desk still waiting for a person."""
    q = (select(Dak.id).where(scope, Dak.kind == "dak", Dak.id != dak.id,
                              Dak.confirmed_at.is_(None),
                              or_(Dak.needs_review.is_(True),
                                  Dak.status.in_(("needs_review", "held"))),
                              desk_condition(dak.desk))
         .order_by(Dak.received_at.desc(), Dak.id.desc()).limit(1))
    return s.scalar(q)


def sections(s: Session) -> list[str]:
    names = set(s.scalars(select(User.section).where(User.section.is_not(None)).distinct()))
    names |= set(s.scalars(select(Dak.section).where(Dak.section.is_not(None)).distinct()))
    return sorted(n for n in names if n)


def full_name(s: Session, username: str | None) -> str:
    """A person's name as the pages show it (their user name when no full name is kept)."""
    if not username:
        return ""
    name = s.scalar(select(User.full_name).where(User.username == username))
    return name or username


@dataclass
class Filters:
    """The register's filter form, as typed (strings) so the form shows it back."""

    q: str = ""
    date_from: str = ""
    date_to: str = ""
    desk: str = ""
    letter_type: str = ""
    priority: str = ""
    language: str = ""
    sender: str = ""
    section: str = ""
    needs_review: bool = False

    @property
    def any_filter(self) -> bool:
        return any((self.date_from, self.date_to, self.desk, self.letter_type, self.priority,
                    self.language, self.sender, self.section, self.needs_review))


def _date(value: str) -> date | None:
    """A filter date; none outside the years a register can hold (no overflow at 9999)."""
    try:
        d = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return d if d is not None and 1900 <= d.year <= 2200 else None


def filter_conditions(f: Filters, tz: ZoneInfo) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = [Dak.kind == "dak"]
    if d := _date(f.date_from):
        out.append(Dak.received_at >= day_start(d, tz))
    if d := _date(f.date_to):
        out.append(Dak.received_at < day_start(d + timedelta(days=1), tz))
    if f.desk:
        out.append(Dak.desk == f.desk)
    if f.letter_type:
        out.append(Dak.letter_type == f.letter_type)
    if f.priority:
        out.append(Dak.priority == f.priority)
    if f.language:
        out.append(Dak.language == f.language)
    if f.section:
        out.append(Dak.section == f.section)
    if f.sender:
        like = f"%{f.sender}%"
        out.append(or_(Dak.sender_name.ilike(like), Dak.sender_office.ilike(like),
                       Dak.sender_designation.ilike(like)))
    if f.needs_review:
        out.append(and_(Dak.confirmed_at.is_(None),
                        or_(Dak.needs_review.is_(True), Dak.status == "needs_review")))
    return out
