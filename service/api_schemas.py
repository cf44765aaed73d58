"""The API's JSON shapes (published in /openapi.json) and how a dak row becomes one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from dakscan.service.models import Dak

PRIORITIES = ("most_immediate", "immediate", "priority", "normal")
SECURITY = ("top_secret", "secret", "confidential", "restricted", "normal")
LANGUAGES = ("hi", "en", "bilingual")
CODE = r"^[a-z][a-z0-9_]{0,39}$"  # letter types and delivery modes: profile words like speed_post
PLAIN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # no control characters but tab/newline
ROLE_NAMES = ("operator", "diarist", "section_officer", "admin", "commissioner")
# Calendar days the register holds (1900-2199): date arithmetic and PostgreSQL stay in range.
# The pattern publishes the bound in /openapi.json, where a date format alone cannot.
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2199, 12, 31)),
                WithJsonSchema({"type": "string", "format": "date",
                                "pattern": "^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}$"})]


class Error(BaseModel):
    detail: str = Field(description="What went wrong, in plain words")
    detail_hi: str | None = Field(None, description="The same in Hindi, where there is one")
    code: str | None = None


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    role: str


class Sender(BaseModel):
    name: str | None = None
    designation: str | None = None
    office: str | None = None
    place: str | None = None


class Links(BaseModel):
    self: str
    pdf: str
    original: str


class DakOut(BaseModel):
    """One dak as the register holds it now (edited values, not the first OCR guess)."""

    id: int
    diary_no: str
    kind: str
    unit: str
    serial: int
    year: int
    status: str
    needs_review: bool
    review_reasons: list[str]
    desk: str | None
    section: str | None
    delivery_mode: str | None
    received_at: datetime
    received_date: date
    letter_no: str | None
    letter_date: date | None
    subject: str | None
    sender: Sender
    addressee: str | None
    letter_type: str | None
    priority: str | None
    security: str | None
    language: str
    enclosures: int | None
    pages: int
    source_name: str
    sha256: str = Field(description="SHA-256 of the original scan as received")
    pdf_sha256: str = Field(description="SHA-256 of the signed PDF/A in the archive")
    confirmed_at: datetime | None
    confirmed_by: str | None
    links: Links


class FieldOut(BaseModel):
    value: Any = None
    confidence: float | None = None
    evidence: Any = None


class DakDetail(DakOut):
    fields: dict[str, FieldOut] = Field(description="Every extracted field with its confidence "
                                        "and the printed line it was read from")
    page_info: list[dict[str, Any]]
    text: str = Field(description="The OCR text of all pages")


class DakList(BaseModel):
    items: list[DakOut]
    total: int
    limit: int
    offset: int


class UploadOut(DakOut):
    """The registered (or already registered) dak, plus how this upload went."""

    outcome: Literal["registered", "duplicate"]
    dak: DakOut
    seconds: float


class SearchHit(BaseModel):
    dak: DakOut
    score: float
    field: str = Field(description="Where the snippet comes from: subject, letter_no, sender, "
                       "diary_no, addressee or body")
    snippet: str = Field(description="HTML-escaped text with hits wrapped in <mark>…</mark>")


class SearchOut(BaseModel):
    query: str
    keys: list[str] = Field(description="The normalised search keys the query became")
    note: str | None = Field(None, description="Why nothing was searched, when so")
    items: list[SearchHit]
    total: int
    limit: int
    offset: int


class HistoryEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


class DakEdit(BaseModel):
    """Fields a diarist may correct. Locked fields (letter_date, received_date,
    delivery_mode) change only until the dak is confirmed. Send only what changes;
    null clears a field."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    letter_no: str | None = Field(None, max_length=200, pattern=PLAIN)
    letter_date: Day | None = None
    received_date: Day = None  # type: ignore[assignment] # can be corrected, not cleared
    delivery_mode: str | None = Field(None, pattern=CODE)
    subject: str | None = Field(None, max_length=2000, pattern=PLAIN)
    sender_name: str | None = Field(None, max_length=300, pattern=PLAIN)
    sender_designation: str | None = Field(None, max_length=300, pattern=PLAIN)
    sender_office: str | None = Field(None, max_length=500, pattern=PLAIN)
    sender_place: str | None = Field(None, max_length=200, pattern=PLAIN)
    addressee: str | None = Field(None, max_length=2000, pattern=PLAIN)
    letter_type: str | None = Field(None, pattern=CODE)
    priority: Literal[PRIORITIES] | None = None  # type: ignore[valid-type]
    security: Literal[SECURITY] | None = None  # type: ignore[valid-type]
    language: Literal[LANGUAGES] = None  # type: ignore[valid-type, assignment] # not null
    enclosures: int | None = Field(None, ge=0, le=10000)


class Mark(BaseModel):
    model_config = ConfigDict(extra="forbid")
    section: str = Field(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]+$")
    note: str | None = Field(None, max_length=1000, pattern=PLAIN)


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]+$",
                          description="The e-Office ID")
    role: Literal[ROLE_NAMES]  # type: ignore[valid-type]
    password: str = Field(min_length=8, max_length=256)
    full_name: str = Field("", max_length=200, pattern=PLAIN)
    desk: str | None = Field(None, max_length=80, pattern=r"^[^\x00-\x1f\x7f]*$")
    section: str | None = Field(None, max_length=80, pattern=r"^[^\x00-\x1f\x7f]*$")


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=8, max_length=256)


class UserOut(BaseModel):
    username: str
    full_name: str
    role: str
    desk: str | None
    section: str | None
    active: bool
    created_at: datetime


class Me(BaseModel):
    username: str
    full_name: str
    role: str
    desk: str | None
    section: str | None
    permissions: list[str]


def aware(at: datetime) -> datetime:
    """SQLite hands back naive datetimes; the register stores UTC."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def local_date(at: datetime, tz: str) -> date:
    from zoneinfo import ZoneInfo

    return aware(at).astimezone(ZoneInfo(tz)).date()


def meta_value(dak: Dak, name: str) -> Any:
    fv = ((dak.meta or {}).get("fields") or {}).get(name)
    return fv.get("value") if isinstance(fv, dict) else None


def dak_out(dak: Dak, tz: str = "Asia/Kolkata") -> dict:
    """The flat JSON of a dak (DakOut)."""
    enclosures = meta_value(dak, "enclosures")
    return {
        "id": dak.id, "diary_no": dak.diary_no, "kind": dak.kind, "unit": dak.unit,
        "serial": dak.serial, "year": dak.year, "status": dak.status,
        "needs_review": dak.needs_review, "review_reasons": list(dak.review_reasons or []),
        "desk": dak.desk, "section": dak.section, "delivery_mode": dak.delivery_mode,
        "received_at": aware(dak.received_at), "received_date": local_date(dak.received_at, tz),
        "letter_no": dak.letter_no, "letter_date": dak.letter_date, "subject": dak.subject,
        "sender": {"name": dak.sender_name, "designation": dak.sender_designation,
                   "office": dak.sender_office, "place": meta_value(dak, "sender_place")},
        "addressee": dak.addressee, "letter_type": dak.letter_type, "priority": dak.priority,
        "security": dak.security, "language": dak.language,
        "enclosures": enclosures if isinstance(enclosures, int) else None,
        "pages": dak.pages, "source_name": dak.source_name, "sha256": dak.sha256,
        "pdf_sha256": dak.pdf_sha256,
        "confirmed_at": aware(dak.confirmed_at) if dak.confirmed_at else None,
        "confirmed_by": dak.confirmed_by,
        "links": {"self": f"/api/v1/dak/{dak.id}", "pdf": f"/api/v1/dak/{dak.id}/pdf",
                  "original": f"/api/v1/dak/{dak.id}/original"},
    }


def dak_detail(dak: Dak, tz: str = "Asia/Kolkata") -> dict:
    fields = {k: v for k, v in ((dak.meta or {}).get("fields") or {}).items()
              if isinstance(v, dict)}
    return {**dak_out(dak, tz), "fields": fields, "page_info": list(dak.page_info or []),
            "text": dak.ocr_text or ""}
