"""/api/v1/dak: list with filters, one dak with its evidence, files, corrections, confirmation,
marking to a section, verification of the archived PDF, and the dak's history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import FileResponse
from sqlalchemy import and_, func, or_, select

from dakscan.service.api_edit import confirm_dak, edit_dak, mark_dak, visible_dak
from dakscan.service.api_errors import COMMON_RESPONSES, ApiError
from dakscan.service.api_schemas import (
    DakDetail,
    DakEdit,
    DakList,
    DakOut,
    Day,
    HistoryEntry,
    Mark,
    aware,
    dak_detail,
    dak_out,
)
from dakscan.service.auth import Principal, dak_scope, require, settings_of
from dakscan.service.config import Settings
from dakscan.service.db import session_scope
from dakscan.service.models import AuditEntry, Dak

router = APIRouter(prefix="/api/v1/dak", tags=["dak"], responses=COMMON_RESPONSES)
Reader = Annotated[Principal, Depends(require("read"))]
MEDIA = {"pdf": "application/pdf", "tif": "image/tiff", "jpg": "image/jpeg", "png": "image/png"}


def day_start(d: date, tz: str) -> datetime:
    """The office's midnight starting `d`, as an aware datetime."""
    return datetime.combine(d, time.min, tzinfo=ZoneInfo(tz))


def dak_filters(settings: Settings, *, received_from: date | None = None,
                received_to: date | None = None, letter_date_from: date | None = None,
                letter_date_to: date | None = None, desk: str | None = None,
                unit: str | None = None, letter_type: str | None = None,
                priority: str | None = None, needs_review: bool | None = None,
                language: str | None = None, sender: str | None = None,
                status: str | None = None, section: str | None = None,
                kind: str | None = None, diary_no: str | None = None) -> list:
    """SQL conditions for the list filters (dates are the office's calendar days)."""
    tz = settings.timezone
    conds = []
    if received_from:
        conds.append(Dak.received_at >= day_start(received_from, tz))
    if received_to:
        conds.append(Dak.received_at < day_start(received_to + timedelta(days=1), tz))
    if letter_date_from:
        conds.append(Dak.letter_date >= letter_date_from)
    if letter_date_to:
        conds.append(Dak.letter_date <= letter_date_to)
    for col, value in ((Dak.desk, desk), (Dak.unit, unit), (Dak.letter_type, letter_type),
                       (Dak.priority, priority), (Dak.language, language),
                       (Dak.status, status), (Dak.section, section), (Dak.kind, kind),
                       (Dak.diary_no, diary_no)):
        if value is not None:
            conds.append(col == value)
    if needs_review is not None:
        conds.append(Dak.needs_review.is_(needs_review))
    if sender:
        like = f"%{sender.lower()}%"
        conds.append(or_(func.lower(Dak.sender_name).like(like),
                         func.lower(Dak.sender_designation).like(like),
                         func.lower(Dak.sender_office).like(like)))
    return conds


class ListParams:
    """The list filters, as query parameters (shared by list and search)."""

    def __init__(
        self,
        received_from: Annotated[Day | None, Query(description="Received on or after")] = None,
        received_to: Annotated[Day | None, Query(description="Received on or before")] = None,
        letter_date_from: Annotated[Day | None, Query()] = None,
        letter_date_to: Annotated[Day | None, Query()] = None,
        desk: Annotated[str | None, Query(max_length=80)] = None,
        unit: Annotated[str | None, Query(max_length=40)] = None,
        letter_type: Annotated[str | None, Query(max_length=40)] = None,
        priority: Annotated[str | None, Query(max_length=40)] = None,
        needs_review: bool | None = None,
        language: Annotated[str | None, Query(max_length=12)] = None,
        sender: Annotated[str | None, Query(max_length=200,
                                            description="Part of the sender's name, "
                                            "designation or office")] = None,
        status: Annotated[str | None, Query(max_length=20)] = None,
        section: Annotated[str | None, Query(max_length=80)] = None,
        kind: Annotated[str | None, Query(pattern="^(dak|record)$")] = None,
        diary_no: Annotated[str | None, Query(max_length=80)] = None,
    ) -> None:
        self.values = {k: v for k, v in locals().items() if k != "self"}

    def conditions(self, settings: Settings) -> list:
        return dak_filters(settings, **self.values)


Page = Annotated[int, Query(ge=1, le=500)]
DakId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The dak's id (from a list)")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.get("", response_model=DakList, summary="List dak with filters, newest first")
def list_dak(request: Request, user: Reader, params: Annotated[ListParams, Depends()],
             limit: Page = 50, offset: Offset = 0) -> dict:
    settings = settings_of(request)
    where = and_(dak_scope(user), *params.conditions(settings))
    with session_scope(settings.db_url, readonly=True) as s:
        total = s.scalar(select(func.count()).select_from(Dak).where(where)) or 0
        rows = s.scalars(select(Dak).where(where)
                         .order_by(Dak.received_at.desc(), Dak.id.desc())
                         .limit(limit).offset(offset)).all()
        return {"items": [dak_out(d, settings.timezone) for d in rows], "total": total,
                "limit": limit, "offset": offset}


@router.get("/{dak_id}", response_model=DakDetail,
            summary="One dak: fields with confidences and evidence, pages, text")
def get_dak(request: Request, dak_id: DakId, user: Reader) -> dict:
    settings = settings_of(request)
    with session_scope(settings.db_url, readonly=True) as s:
        return dak_detail(visible_dak(s, dak_id, user), settings.timezone)


def _file(request: Request, dak_id: int, user: Principal, which: str) -> FileResponse:
    settings = settings_of(request)
    with session_scope(settings.db_url, readonly=True) as s:
        dak = visible_dak(s, dak_id, user)
        rel = dak.pdf_path if which == "pdf" else dak.original_path
        diary = dak.diary_no.replace("/", "-")
    path = settings.archive_dir / rel
    if not path.is_file():
        raise ApiError(410, "The archived file is missing; run `dakscan scrub` and tell the "
                       "administrator.", "संग्रहित फ़ाइल नहीं मिली; व्यवस्थापक को बताएँ।",
                       code="missing_file")
    ext = path.suffix.lstrip(".")
    name = f"{diary}.pdf" if which == "pdf" else f"{diary}-original.{ext}"
    return FileResponse(path, media_type=MEDIA.get(ext, "application/octet-stream"),
                        filename=name)


PDF_RESPONSES = {200: {"content": {"application/pdf": {}}, "description": "The file"},
                 410: {"description": "The archived file is missing"}}
ORIGINAL_RESPONSES = {200: {"content": {m: {} for m in MEDIA.values()},
                            "description": "The scan as received"},
                      410: {"description": "The archived file is missing"}}


@router.get("/{dak_id}/pdf", response_class=FileResponse, responses=PDF_RESPONSES,
            summary="The signed, searchable PDF/A")
def get_pdf(request: Request, dak_id: DakId, user: Reader) -> FileResponse:
    return _file(request, dak_id, user, "pdf")


@router.get("/{dak_id}/original", response_class=FileResponse, responses=ORIGINAL_RESPONSES,
            summary="The original scan as received")
def get_original(request: Request, dak_id: DakId, user: Reader) -> FileResponse:
    return _file(request, dak_id, user, "original")


@router.patch("/{dak_id}", response_model=DakDetail,
              responses={409: {"description": "A locked field after confirmation"}},
              summary="Correct fields (diarist); each change audited")
def patch_dak(request: Request, dak_id: DakId, edit: DakEdit,
              user: Annotated[Principal, Depends(require("edit"))]) -> dict:
    settings = settings_of(request)
    changes = {k: getattr(edit, k) for k in edit.model_fields_set}
    if not changes:
        raise ApiError(422, "Nothing to change: send at least one field.",
                       "बदलने के लिए कोई फ़ील्ड नहीं भेजा गया।", code="empty_edit")
    dak = edit_dak(settings, dak_id, user, changes)
    return dak_detail(dak, settings.timezone)


@router.post("/{dak_id}/confirm", response_model=DakOut,
             responses={409: {"description": "Already confirmed"}},
             summary="Confirm the dak's fields (diarist); locks dates and delivery mode")
def confirm(request: Request, dak_id: DakId,
            user: Annotated[Principal, Depends(require("confirm"))]) -> dict:
    settings = settings_of(request)
    return dak_out(confirm_dak(settings, dak_id, user), settings.timezone)


@router.post("/{dak_id}/mark", response_model=DakOut, summary="Mark the dak to a section")
def mark(request: Request, dak_id: DakId, body: Annotated[Mark, Body()],
         user: Annotated[Principal, Depends(require("mark"))]) -> dict:
    settings = settings_of(request)
    return dak_out(mark_dak(settings, dak_id, user, body.section, body.note), settings.timezone)


@router.post("/{dak_id}/verify", summary="Verify the archived PDF: signature, integrity, "
             "PDF/A, record; the check is audited")
def verify(request: Request, dak_id: DakId,
           user: Annotated[Principal, Depends(require("verify"))]) -> dict:
    from dakscan.ingest.archive import sha256_file
    from dakscan.ingest.verify import verify_file
    from dakscan.service import store

    settings = settings_of(request)
    with session_scope(settings.db_url, readonly=True) as s:
        dak = visible_dak(s, dak_id, user)
        pdf, original, sha = dak.pdf_path, dak.original_path, dak.sha256
    path = settings.archive_dir / pdf
    if not path.is_file():
        raise ApiError(410, "The archived PDF is missing.", "संग्रहित PDF नहीं मिली।",
                       code="missing_file")
    verdict = verify_file(path, settings)
    orig = settings.archive_dir / original
    original_ok = orig.is_file() and sha256_file(orig) == sha
    if not original_ok:
        verdict.problems.append("original scan missing or changed")
    with session_scope(settings.db_url) as s:
        store.serialise_writers(s)
        store.audit(s, user.username, "verify", dak_id,
                    {"file": pdf, "ok": verdict.ok and original_ok,
                     "problems": verdict.problems[:10]})
    return {**verdict.to_dict(), "original_intact": original_ok,
            "ok": verdict.ok and original_ok, "file": f"{dak_id}/pdf"}


@router.get("/{dak_id}/history", response_model=list[HistoryEntry],
            summary="Who did what to this dak, when (field changes with old and new values)")
def history(request: Request, dak_id: DakId, user: Reader) -> list[dict]:
    settings = settings_of(request)
    with session_scope(settings.db_url, readonly=True) as s:
        visible_dak(s, dak_id, user)
        rows = s.scalars(select(AuditEntry).where(AuditEntry.dak_id == dak_id)
                         .order_by(AuditEntry.id)).all()
        return [{"at": aware(r.at), "actor": r.actor, "action": r.action,
                 "detail": r.detail or {}} for r in rows]
