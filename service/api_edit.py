"""Changing a dak after registration: field corrections, confirmation, marking to a section.

Each changed field is one hash-chained audit row (who, when, field, old, new). Locked fields
(letter date, received date, delivery mode) change only until the dak is confirmed. The desk
screens call these functions as the API does.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from dakscan.service import store
from dakscan.service.api_errors import ApiError
from dakscan.service.api_schemas import aware
from dakscan.service.auth import Principal, dak_scope
from dakscan.service.config import Settings
from dakscan.service.db import session_scope
from dakscan.service.models import Dak
from dakscan.service.search import reindex

LOCKED = ("letter_date", "received_date", "delivery_mode")
COLUMNS = {"letter_no", "letter_date", "delivery_mode", "subject", "sender_name",
           "sender_designation", "sender_office", "addressee", "letter_type", "priority",
           "security", "language"}
META_ONLY = {"sender_place", "enclosures"}  # kept in the extracted fields only
NOT_FOUND = ("No such dak, or it is not visible to you.", "यह डाक नहीं मिली या आपको नहीं दिखती।")


def visible_dak(session: Session, dak_id: int, user: Principal) -> Dak:
    dak = session.scalars(select(Dak).where(and_(Dak.id == dak_id, dak_scope(user)))).first()
    if dak is None:
        raise ApiError(404, *NOT_FOUND, code="not_found")
    return dak


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _set_meta(dak: Dak, name: str, value: Any, user: Principal) -> None:
    meta = dict(dak.meta or {})
    fields = dict(meta.get("fields") or {})
    fields[name] = {"value": _plain(value), "confidence": 1.0,
                    "evidence": {"edited_by": user.username}}
    meta["fields"] = fields
    dak.meta = meta  # a new object, so the JSON column is written


def _current(dak: Dak, name: str, tz: str) -> Any:
    if name == "received_date":
        return aware(dak.received_at).astimezone(ZoneInfo(tz)).date()
    if name in COLUMNS:
        return getattr(dak, name)
    fv = ((dak.meta or {}).get("fields") or {}).get(name)
    return fv.get("value") if isinstance(fv, dict) else None


def _apply(dak: Dak, name: str, value: Any, user: Principal, tz: str) -> None:
    if name == "received_date":
        local = aware(dak.received_at).astimezone(ZoneInfo(tz))
        dak.received_at = datetime.combine(value, local.timetz()).astimezone(ZoneInfo("UTC"))
        return
    if name in COLUMNS:
        setattr(dak, name, value)
    _set_meta(dak, name, value, user)


def edit_dak(settings: Settings, dak_id: int, user: Principal, changes: dict[str, Any]) -> Dak:
    """Apply field corrections; returns the updated dak. 409 for a locked field."""
    tz = settings.timezone
    with session_scope(settings.db_url) as s:
        store.serialise_writers(s)
        dak = visible_dak(s, dak_id, user)
        locked = [n for n in changes if n in LOCKED and dak.confirmed_at is not None]
        if locked:
            raise ApiError(409, f"Locked after confirmation: {', '.join(locked)}.",
                           f"पुष्टि के बाद नहीं बदल सकते: {', '.join(locked)}।", code="locked")
        for name, new in changes.items():
            old = _current(dak, name, tz)
            if _plain(old) == _plain(new):
                continue
            _apply(dak, name, new, user, tz)
            store.audit(s, user.username, "edit", dak.id,
                        {"field": name, "old": _plain(old), "new": _plain(new)})
        s.flush()
        reindex(s, dak)
        return dak


def confirm_dak(settings: Settings, dak_id: int, user: Principal) -> Dak:
    """The diarist vouches for the fields; locked fields freeze from now on."""
    with session_scope(settings.db_url) as s:
        store.serialise_writers(s)
        dak = visible_dak(s, dak_id, user)
        if dak.confirmed_at is not None:
            raise ApiError(409, f"Already confirmed by {dak.confirmed_by}.",
                           f"पहले ही {dak.confirmed_by} द्वारा पुष्टि की गई।", code="confirmed")
        old_status = dak.status
        dak.confirmed_at, dak.confirmed_by = store.now(), user.username
        dak.needs_review = False
        dak.status = "marked" if dak.section else "confirmed"
        store.audit(s, user.username, "confirm", dak.id,
                    {"old_status": old_status, "new_status": dak.status})
        s.flush()
        return dak


def mark_dak(settings: Settings, dak_id: int, user: Principal, section: str,
             note: str | None = None) -> Dak:
    """Mark the dak to a section: its section officers see it from now on."""
    with session_scope(settings.db_url) as s:
        store.serialise_writers(s)
        dak = visible_dak(s, dak_id, user)
        old = dak.section
        dak.section = section
        if dak.confirmed_at is not None:
            dak.status = "marked"
        store.audit(s, user.username, "mark", dak.id,
                    {"field": "section", "old": old, "new": section, "note": note})
        s.flush()
        return dak
