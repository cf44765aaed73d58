"""Receipts for e-Office: one object per dak with the diarise fields, so a central registry
can bulk-create receipts (`dakscan export`, GET /api/v1/export)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select

from dakscan.service.config import Settings
from dakscan.service.db import session_scope
from dakscan.service.models import Dak

# The e-Office diarise form's fields, in its order, then what a registry needs to fetch and
# check the file.
FIELDS = ["diary_no", "letter_no", "letter_date", "received_date", "delivery_mode",
          "sender_name", "sender_designation", "sender_organisation", "sender_address",
          "subject", "language", "category", "priority", "enclosures", "pdf_path",
          "pdf_sha256", "sha256", "pages", "received_at", "kind", "unit", "desk", "section",
          "status", "confirmed"]
LANGUAGE_NAMES = {"hi": "Hindi", "en": "English", "bilingual": "Hindi/English"}


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=ZoneInfo("UTC"))


def _meta(dak: Dak, name: str) -> object:
    fv = ((dak.meta or {}).get("fields") or {}).get(name)
    return fv.get("value") if isinstance(fv, dict) else None


def receipt(dak: Dak, settings: Settings) -> dict:
    """One dak as an e-Office receipt (plain JSON values)."""
    tz = ZoneInfo(settings.timezone)
    received = _aware(dak.received_at).astimezone(tz)
    enclosures = _meta(dak, "enclosures")
    place = _meta(dak, "sender_place")
    return {
        "diary_no": dak.diary_no,
        "letter_no": dak.letter_no,
        "letter_date": dak.letter_date.isoformat() if dak.letter_date else None,
        "received_date": received.date().isoformat(),
        "delivery_mode": dak.delivery_mode,
        "sender_name": dak.sender_name,
        "sender_designation": dak.sender_designation,
        "sender_organisation": dak.sender_office,
        "sender_address": place if isinstance(place, str) else None,
        "subject": dak.subject,
        "language": LANGUAGE_NAMES.get(dak.language, dak.language),
        "category": dak.letter_type,
        "priority": dak.priority,
        "enclosures": enclosures if isinstance(enclosures, int) else None,
        "pdf_path": str((settings.archive_dir / dak.pdf_path).resolve()),
        "pdf_sha256": dak.pdf_sha256,
        "sha256": dak.sha256,
        "pages": dak.pages,
        "received_at": received.isoformat(),
        "kind": dak.kind,
        "unit": dak.unit,
        "desk": dak.desk,
        "section": dak.section,
        "status": dak.status,
        "confirmed": dak.confirmed_at is not None,
    }


def receipts(settings: Settings, since: date | None = None, until: date | None = None,
             kind: str | None = "dak", where=None) -> Iterator[dict]:  # noqa: ANN001
    """Receipts received on or after `since` (the office's calendar day), oldest first."""
    tz = ZoneInfo(settings.timezone)
    conds = []
    if since:
        conds.append(Dak.received_at >= datetime.combine(since, time.min, tzinfo=tz))
    if until:
        conds.append(Dak.received_at < datetime.combine(until, time.max, tzinfo=tz))
    if kind:
        conds.append(Dak.kind == kind)
    if where is not None:
        conds.append(where)
    with session_scope(settings.db_url, readonly=True) as s:
        q = select(Dak).where(and_(*conds)).order_by(Dak.received_at, Dak.id)
        for dak in s.scalars(q).yield_per(500):
            yield receipt(dak, settings)


def to_json(rows: Iterator[dict]) -> str:
    return json.dumps(list(rows), ensure_ascii=False, indent=1)


def to_csv(rows: Iterator[dict]) -> str:
    """UTF-8 CSV with a header row (opens in spreadsheets with the BOM the caller adds)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in FIELDS})
    return buf.getvalue()


def parse_day(value: str) -> date:
    """YYYY-MM-DD (or DD.MM.YYYY / DD-MM-YYYY, as the office writes dates)."""
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            d = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if 1900 <= d.year <= 2200:
            return d
    raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD)")
