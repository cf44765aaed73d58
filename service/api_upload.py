"""POST /api/v1/dak: a scan uploaded as multipart, registered by the same pipeline as a
watched folder. The body is streamed into a temp file under DAKSCAN_HOME (never the system
temp folder), cut off at `max_upload_mb` (413), and processed in a worker thread: the pipeline
is CPU-bound and blocking, and at most `worker_count` uploads run at once (the rest queue)."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from dakscan.ingest.errors import InputError
from dakscan.service import metrics
from dakscan.service.api_errors import COMMON_RESPONSES, ApiError, error_body
from dakscan.service.api_schemas import CODE, UploadOut, dak_out
from dakscan.service.auth import Principal, require, settings_of
from dakscan.service.config import Settings
from dakscan.service.db import session_scope
from dakscan.service.models import Dak, Failure

log = logging.getLogger("dakscan.api.upload")
router = APIRouter(prefix="/api/v1", tags=["upload"], responses=COMMON_RESPONSES)
FIELD_LIMIT = 4096
FIELDS = {"delivery_mode", "desk"}
# Pipeline error codes → HTTP status: limits are 413, a wrong file type 415, a bad file 422.
STATUS = {"too_many_pages": 413, "too_large": 413, "too_big_upload": 413, "not_a_scan": 415,
          "too_small": 422, "empty": 422, "truncated": 422, "encrypted": 422, "no_pages": 422,
          "timeout": 422, "changed": 409, "signing_key": 503,
          # the pipeline's own catch-all: the file made it fail; the bytes are kept for a look
          "internal": 422, "ocr_failed": 422, "poison": 422}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
UPLOAD_BODY = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "additionalProperties": False,
        "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": "The scan: PDF, TIFF, JPEG or PNG"},
            "delivery_mode": {"type": "string", "pattern": CODE,
                              "description": "by_hand, post, speed_post, email, …"},
            "desk": {"type": "string", "maxLength": 80, "pattern": r"^[^\x00-\x1f\x7f]*$",
                     "description": "Desk (diarist/admin only; an operator's is their own)"},
        }}}},
}


def upload_dir(settings: Settings) -> Path:
    path = Path(settings.home) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_name(raw: bytes | None) -> str:
    """The uploaded file's own name, for the register; refused if it names a path."""
    if raw is None:
        raise ApiError(422, "The 'file' part has no file name.", "फ़ाइल का नाम नहीं है।",
                       code="no_filename")
    try:
        name = unicodedata.normalize("NFC", raw.decode("utf-8")).strip()
    except UnicodeDecodeError:
        raise ApiError(400, "The file name is not valid UTF-8.", "फ़ाइल का नाम पढ़ा नहीं जा सका।",
                       code="bad_filename") from None
    if not name:
        raise ApiError(422, "No file chosen.", "कोई फ़ाइल नहीं चुनी गई।", code="no_file")
    if "/" in name or "\\" in name or name in (".", "..") or _CONTROL.search(name):
        raise ApiError(400, "The file name must be a plain name, not a path.",
                       "फ़ाइल का नाम केवल नाम हो, पथ नहीं।", code="bad_filename")
    return name[:255]


@dataclass
class Received:
    """What the multipart body carried: one file (on disk) and a few small fields."""

    tmpdir: Path
    limit: int
    path: Path | None = None
    name: str | None = None
    size: int = 0
    fields: dict[str, str] = field(default_factory=dict)
    _headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    _hname: bytes = b""
    _hvalue: bytes = b""
    _part: str | None = None
    _value: bytearray = field(default_factory=bytearray)
    _fh: object = None

    def callbacks(self) -> dict:
        return {"on_part_begin": self._begin, "on_header_field": self._hfield,
                "on_header_value": self._hval, "on_header_end": self._hend,
                "on_headers_finished": self._headers_done, "on_part_data": self._data,
                "on_part_end": self._end}

    def _begin(self) -> None:
        self._headers, self._part = [], None
        self._value = bytearray()

    def _hfield(self, data: bytes, start: int, end: int) -> None:
        self._hname += data[start:end]

    def _hval(self, data: bytes, start: int, end: int) -> None:
        self._hvalue += data[start:end]

    def _hend(self) -> None:
        self._headers.append((self._hname.lower(), self._hvalue))
        self._hname, self._hvalue = b"", b""

    def _headers_done(self) -> None:
        disp = dict(self._headers).get(b"content-disposition", b"")
        _, opts = parse_options_header(disp.decode("latin-1"))
        part = opts.get(b"name", b"").decode("latin-1")
        if part == "file" or b"filename" in opts:  # the scan, whatever its field is called
            if self.path is not None:
                raise ApiError(400, "Send one file per upload.", "एक बार में एक फ़ाइल भेजें।",
                               code="many_files")
            self.name = safe_name(opts.get(b"filename"))
            fd, tmp = tempfile.mkstemp(dir=self.tmpdir, prefix="upload-", suffix=".part")
            self.path, self._fh = Path(tmp), os.fdopen(fd, "wb")
            part = "file"
        elif part not in FIELDS:
            raise ApiError(422, f"Unknown form field {part[:40]!r}; send 'file' "
                           "(and optionally delivery_mode, desk).", code="unknown_field")
        self._part = part

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._part == "file":
            self.size += end - start
            if self.size > self.limit:
                raise too_big(self.limit)
            self._fh.write(data[start:end])  # type: ignore[union-attr]
        else:
            self._value += data[start:end]
            if len(self._value) > FIELD_LIMIT:
                raise ApiError(413, "A form field is too long.", code="field_too_long")

    def _end(self) -> None:
        if self._part == "file":
            self._fh.close()  # type: ignore[union-attr]
            self._fh = None
        elif self._part:
            try:
                self.fields[self._part] = self._value.decode("utf-8").strip()
            except UnicodeDecodeError:
                raise ApiError(400, f"Field {self._part} is not valid UTF-8.",
                               code="bad_field") from None

    def discard(self) -> None:
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()  # type: ignore[union-attr]
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def too_big(limit: int) -> ApiError:
    mb = limit // (1024 * 1024)
    e = InputError("too_big_upload", f"limit {mb} MB")
    return ApiError(413, e.english, e.hindi, code="too_big_upload")


async def receive(request: Request, settings: Settings) -> Received:
    """Stream the multipart body to disk; 413 as soon as the file passes the limit."""
    ctype, opts = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or not opts.get(b"boundary"):
        raise ApiError(415, "Send the scan as multipart/form-data with a 'file' field.",
                       "स्कैन multipart/form-data में 'file' फ़ील्ड से भेजें।", code="not_multipart")
    limit = settings.max_upload_mb * 1024 * 1024
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + 64 * 1024:
        raise too_big(limit)
    got = Received(tmpdir=upload_dir(settings), limit=limit)
    parser = MultipartParser(opts[b"boundary"], got.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError:
        got.discard()
        raise ApiError(400, "The multipart body is malformed.", "अपलोड का ढाँचा खराब है।",
                       code="bad_multipart") from None
    except BaseException:
        got.discard()
        raise
    if got.path is None or got._fh is not None:
        got.discard()
        raise ApiError(422, "No file: send the scan in a multipart field named 'file'.",
                       "कोई फ़ाइल नहीं: स्कैन 'file' फ़ील्ड में भेजें।", code="no_file")
    return got


def intake_for(user: Principal, got: Received):  # noqa: ANN201 - an Intake
    from dakscan.service.pipeline import Intake

    mode = got.fields.get("delivery_mode") or None
    if mode is not None and not re.fullmatch(CODE, mode):
        raise ApiError(422, "delivery_mode: lower-case letters, digits and '_' "
                       "(e.g. by_hand, speed_post).", code="bad_field")
    desk = got.fields.get("desk") or None
    if desk is not None and (len(desk) > 80 or _CONTROL.search(desk)):
        raise ApiError(422, "desk: 1-80 printable characters.", code="bad_field")
    if user.role == "operator" or desk is None:
        desk = user.desk  # an operator always uploads to their own desk
    return Intake(desk=desk, delivery_mode=mode, actor=user.username, source_name=got.name)


def record_failure(settings: Settings, got: Received, desk: str | None, result: dict) -> None:
    """Keep the refusal in the register (metrics count them); an internal error keeps the
    bytes too, as its message promises."""
    kept = None
    if result.get("error_code") in ("internal", "ocr_failed", "signing_key") \
            and got.path is not None:
        failed = upload_dir(settings) / "failed"
        failed.mkdir(exist_ok=True)
        kept_path = failed / f"{got.path.stem}-{got.name}"
        shutil.move(got.path, kept_path)
        kept = str(kept_path)
    with session_scope(settings.db_url) as s:
        from dakscan.service import store

        s.add(Failure(at=store.now(), source_name=got.name or "", desk=desk, sha256=None,
                      code=result.get("error_code") or "internal",
                      message_hi=result.get("error_hi") or "", message_en=result.get("error")
                      or "", kept_at=kept, resolved=False))


def upload_gate(request: Request) -> anyio.CapacityLimiter:
    """At most this many uploads in the pipeline at once; the rest wait (queue length)."""
    gate = getattr(request.app.state, "upload_gate", None)
    if gate is None:
        gate = anyio.CapacityLimiter(max(2, settings_of(request).worker_count))
        request.app.state.upload_gate = gate
    return gate


def run_pipeline(request: Request, path: Path, intake) -> dict:  # noqa: ANN001
    return request.app.state.pipeline().process(path, intake)


@router.post("/dak", status_code=201, response_model=UploadOut,
             openapi_extra={"requestBody": UPLOAD_BODY},
             responses={413: {"description": "Over the size or page limit"},
                        415: {"description": "Not a scan (PDF, TIFF, JPEG, PNG)"}},
             summary="Upload a scan: registered as dak by the same pipeline as the desks "
             "(an original already registered: 201 with the existing dak, outcome duplicate)")
async def upload(request: Request,
                 user: Annotated[Principal, Depends(require("upload"))]) -> JSONResponse:
    settings = settings_of(request)
    got = await receive(request, settings)
    try:
        intake = intake_for(user, got)
        gate = upload_gate(request)
        metrics.QUEUE.labels("upload").inc()
        try:
            result = await anyio.to_thread.run_sync(run_pipeline, request, got.path, intake,
                                                    limiter=gate)
        finally:
            metrics.QUEUE.labels("upload").dec()
        if result["status"] == "failed":
            await anyio.to_thread.run_sync(record_failure, settings, got, intake.desk, result)
            metrics.observe_failure(result.get("error_code") or "internal")
            code = result.get("error_code") or "internal"
            return JSONResponse(error_body(result.get("error") or "The file was refused.",
                                           result.get("error_hi"), code),
                                STATUS.get(code, 500))
        # No search indexing here: one more write per upload would queue behind the register
        # lock in a burst; the next search indexes every new dak in one batch (search.catch_up).
        dak_id = result["dak"]["id"]
        with session_scope(settings.db_url, readonly=True) as s:
            body = dak_out(s.get(Dak, dak_id), settings.timezone)
        pages = result.get("archive", {}).get("pages") or 1
        if result["status"] == "registered":
            metrics.observe_pages(pages, result.get("seconds", 0.0))
        out = UploadOut(**body, outcome=result["status"], dak=body,
                        seconds=result.get("seconds", 0.0))
        # 201 for a duplicate too (the contract's one success code); `outcome` tells them apart
        return JSONResponse(out.model_dump(mode="json"), 201)
    finally:
        got.discard()
