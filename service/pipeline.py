"""The core pipeline: a scanned file in, a signed searchable PDF archived and a dak registered.

Every entry point (CLI, watched folders, upload API, bulk, Celery tasks) calls
`Pipeline.process`; it never raises for a bad file, it returns a `failed` result with a
reason in Hindi and English, and it never touches the source file.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dakscan.classify.metadata import dak_fields, extract
from dakscan.ingest.archive import Archive, ArchiveConflict, sha256_file
from dakscan.ingest.assemble import assemble
from dakscan.ingest.errors import InputError
from dakscan.ingest.pages import Document, open_document
from dakscan.ingest.pdfa import PdfaFailure, make_pdfa
from dakscan.ingest.sign import sign_pdf, signer_for
from dakscan.ocr.normalise import language_of
from dakscan.ocr.recognise import PageOptions, PageResult, recognise_page
from dakscan.service import store
from dakscan.service.config import Settings, get_settings
from dakscan.service.db import session_scope
from dakscan.service.models import Dak
from dakscan.service.search_text import search_form

log = logging.getLogger("dakscan.pipeline")
EXTENSIONS = {"pdf": "pdf", "tiff": "tif", "jpeg": "jpg", "png": "png"}


@dataclass
class Intake:
    """Where a file came from and how to number it."""

    desk: str | None = None
    unit: str | None = None
    delivery_mode: str | None = None
    kind: str = "dak"  # or "record" for legacy record-room files
    lang: str | None = None
    actor: str = "dakscan"
    source_name: str | None = None  # shown name when the path is a temporary upload


class Pipeline:
    """Holds the page-worker pool across files; use as a context manager."""

    def __init__(self, settings: Settings | None = None, workers: int | None = None) -> None:
        self.settings = settings or get_settings()
        self.workers = workers or self.settings.worker_count
        self.archive = Archive(self.settings.archive_dir)
        self._pool: Executor | None = None
        self._pool_lock = threading.Lock()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def pool(self) -> Executor:
        with self._pool_lock:  # CLI threads may start two multi-page files at once
            if self._pool is None:
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(["dakscan.ocr.recognise"])
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
            return self._pool

    def _drop_broken_pool(self, broken: Executor) -> None:
        """A page worker that died (killed for memory, a crash in a library) breaks the whole
        pool; the next file gets a fresh one instead of failing like this one."""
        with self._pool_lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    def process(self, path: Path | str, intake: Intake | None = None) -> dict:
        """Register one file; returns the JSON-ready result (registered/duplicate/failed)."""
        intake = intake or Intake()
        t0 = time.monotonic()
        source = str(path)
        try:
            result = self._process(Path(path), intake, t0)
        except InputError as exc:
            result = exc.result()
        except ArchiveConflict as exc:
            log.error("archive conflict on %s: %s", source, exc)
            result = InputError("changed", str(exc)[:200]).result()
        except Exception as exc:  # noqa: BLE001 - a bug must not lose the batch or show a trace
            log.exception("internal error on %s", source)
            result = InputError("internal", type(exc).__name__).result()
        return {"source": source, **result, "seconds": round(time.monotonic() - t0, 2)}

    def _process(self, path: Path, intake: Intake, started: float) -> dict:
        if not path.is_file():
            raise InputError("not_a_scan", "not a file")
        sha = sha256_file(path)
        dup = self.find(sha)
        if dup is not None:
            return duplicate_result(dup, self.archive)
        usable_signer(self.settings)  # a broken key fails every file: say so, before OCR
        doc = open_document(path, self.settings.max_pages, self.settings.max_pixels)
        pages = self.recognise(doc, intake)
        received = store.now()
        meta = read_metadata(pages, received)
        pdf = assemble([p.out for p in pages], str(path) if doc.kind == "pdf" else None)
        ext = EXTENSIONS[doc.kind]
        try:
            try:
                dak, new = self.register(path, ext, intake, sha, pages, meta, pdf, received,
                                          started)
            except PdfaFailure:
                if not any(p.out.source_index is not None for p in pages):
                    raise
                # Born-digital pages whose fonts PDF/A cannot take: archive them as pictures
                # with an OCR text layer; the register keeps their own text.
                log.info("%s: born-digital pages rasterised for PDF/A", path)
                pages = self.recognise(doc, intake, rasterise=True)
                pdf = assemble([p.out for p in pages], None)
                dak, new = self.register(path, ext, intake, sha, pages, meta, pdf, received,
                                          started)
        except IntegrityError:  # the same original registered meanwhile by another process
            dak, new = self.find(sha), False
            if dak is None:
                raise
        if not new:
            return duplicate_result(dak, self.archive)
        return {"status": "registered", **dak_result(dak, self.archive)}

    def recognise(self, doc: Document, intake: Intake,
                  rasterise: bool = False) -> list[PageResult]:
        """Every page upright, straight and read; pages in parallel across worker processes."""
        opts = PageOptions(lang=intake.lang or self.settings.languages, dpi=self.settings.dpi,
                           max_pixels=self.settings.max_pixels,
                           timeout=self.settings.page_timeout_s, rasterise=rasterise)
        # A single page is read in the calling thread: no pool start-up or pickling, and
        # concurrent documents (CLI threads) still overlap, Tesseract being a subprocess.
        # (Measured: sending single pages to the pool when several files are in flight was
        # 10-20% slower on 2 cores, bench/throughput.py.)
        if self.workers <= 1 or len(doc.pages) == 1:
            return [recognise_page(ref, opts) for ref in doc.pages]
        pool = self.pool()
        futures = [pool.submit(recognise_page, ref, opts) for ref in doc.pages]
        try:
            # a page may be read twice (up/down), each read within the page time limit
            return [f.result(timeout=2 * self.settings.page_timeout_s + 30) for f in futures]
        except FutureTimeout as exc:
            for f in futures:
                f.cancel()
            raise InputError("timeout") from exc
        except BrokenProcessPool as exc:
            self._drop_broken_pool(pool)
            raise InputError("ocr_failed", "a page worker stopped") from exc

    def find(self, sha: str) -> Dak | None:
        with session_scope(self.settings.db_url, readonly=True) as s:
            return s.scalars(select(Dak).where(Dak.sha256 == sha)).first()

    def register(self, path: Path, ext: str, intake: Intake, sha: str, pages: list[PageResult],
                 meta: dict, pdf: bytes, received: datetime,
                 started: float) -> tuple[Dak, bool]:
        """Number, seal (PDF/A + signature), archive and insert in one transaction.

        Returns (dak, True), or (existing dak, False) when another worker registered the same
        original while this one was reading it: checked under the writer lock, so no number
        is spent and no PDF is archived for a duplicate.
        """
        kind = intake.kind
        unit = intake.unit or (self.settings.record_unit if kind == "record"
                               else self.settings.unit)
        text = "\n\f\n".join(p.text.text for p in pages)
        fields = dak_fields(meta)
        language = fields.get("language") or language_of(text)
        with session_scope(self.settings.db_url) as s:
            store.serialise_writers(s)
            existing = s.scalars(select(Dak).where(Dak.sha256 == sha)).first()
            if existing is not None:
                return existing, False
            year = received.astimezone(ZoneInfo(self.settings.timezone)).year
            serial = store.next_serial(s, kind, unit, year)
            diary_no = store.diary_number(serial, year, unit)
            info = {"diary_no": diary_no, "language": language, "received_at": received,
                    "source_name": intake.source_name or path.name, "sha256": sha,
                    "fields": fields, "meta": meta}
            sealed = sign_pdf(make_pdfa(pdf, info), self.settings, diary_no)
            # The original goes in only now: a file refused while sealing leaves no orphan.
            self.archive.put_original(path, sha, ext)
            pdf_path = self.archive.put_pdf(sha, sealed)
            needs_review = bool(meta.get("needs_review")) or any(
                p.text.source == "ocr" and not p.text.words for p in pages)
            reasons = list(meta.get("reasons", []))
            reasons += [f"page {p.text.number}: no text read" for p in pages
                        if p.text.source == "ocr" and not p.text.words]
            sender = fields.get("sender") or {}
            dak = Dak(
                kind=kind, diary_no=diary_no, serial=serial, year=year, unit=unit,
                sha256=sha, received_at=received,
                source_name=intake.source_name or path.name, desk=intake.desk,
                delivery_mode=intake.delivery_mode,
                original_path=self.archive.relative(self.archive.folder(sha) / f"original.{ext}"),
                pdf_path=self.archive.relative(pdf_path), pdf_sha256=pdf_path.stem,
                pages=len(pages), language=language, ocr_text=text,
                search_text=search_form(text + "\n" + _field_text(fields)),
                page_info=[p.summary for p in pages], meta=meta,
                letter_no=fields.get("letter_no"), letter_date=_date(fields.get("letter_date")),
                subject=fields.get("subject"), sender_name=sender.get("name"),
                sender_designation=sender.get("designation"), sender_office=sender.get("office"),
                addressee=fields.get("addressee"), letter_type=fields.get("letter_type"),
                priority=fields.get("priority"), security=fields.get("security"),
                needs_review=needs_review, review_reasons=reasons,
                status=_status(fields, needs_review),
                seconds=round(time.monotonic() - started, 2),
            )
            s.add(dak)
            s.flush()
            store.audit(s, intake.actor, "register", dak.id,
                        {"diary_no": diary_no, "sha256": sha, "pdf_sha256": dak.pdf_sha256,
                         "source": dak.source_name, "desk": intake.desk})
        return dak, True


def usable_signer(settings: Settings) -> None:
    """The configured signing key opens (cached after the first file), else `signing_key`."""
    try:
        signer_for(settings)
    except Exception as exc:  # noqa: BLE001 - wrong password/PIN, missing file, no token
        log.error("signing key unusable: %s", exc)
        raise InputError("signing_key", str(exc)[:200]) from exc


def read_metadata(pages: list[PageResult], received: datetime) -> dict:
    """The diary fields; a fault in a field finder leaves them empty for the clerk, flagged,
    and never costs the letter its registration."""
    try:
        return extract([p.text for p in pages], received)
    except Exception:  # noqa: BLE001
        log.exception("metadata extraction failed; registering with empty fields")
        return {"fields": {}, "needs_review": True,
                "reasons": ["metadata could not be read; fill the fields by hand"]}


_worker_pipeline: Pipeline | None = None


def worker_pipeline(settings: Settings | None = None) -> Pipeline:
    """This worker process's pipeline, made on its first file (watch pool, bulk, Celery).

    Pages of one file are read one after another (`workers=1`): the pool around the worker
    already runs one file per core, which keeps every core busy without nesting pools.
    """
    global _worker_pipeline
    settings = settings or get_settings()
    if _worker_pipeline is None or _worker_pipeline.settings is not settings:
        if _worker_pipeline is not None:  # settings reloaded: never write to the old home
            _worker_pipeline.close()
        _worker_pipeline = Pipeline(settings, workers=1)
    return _worker_pipeline


def aware(at: datetime) -> datetime:
    """SQLite hands back naive datetimes; the register stores UTC."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _status(fields: dict, needs_review: bool) -> str:
    if fields.get("security") in {"confidential", "secret", "top_secret"}:
        return "held"
    return "needs_review" if needs_review else "registered"


def _date(value: str | None):  # noqa: ANN202
    from datetime import date

    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _field_text(fields: dict) -> str:
    sender = fields.get("sender") or {}
    parts = [fields.get("letter_no"), fields.get("subject"), *sender.values()]
    return "\n".join(str(p) for p in parts if p)


def dak_json(dak: Dak) -> dict:
    """The `dak` object of the CLI/API contract: flat fields plus what the register keeps."""
    fields = dak_fields(dak.meta or {})
    return {
        **fields,
        "id": dak.id, "diary_no": dak.diary_no, "kind": dak.kind, "unit": dak.unit,
        "language": dak.language, "received_at": aware(dak.received_at).isoformat(),
        "status": dak.status, "needs_review": dak.needs_review,
        "review_reasons": dak.review_reasons, "desk": dak.desk,
        "delivery_mode": dak.delivery_mode, "source_name": dak.source_name,
    }


def dak_result(dak: Dak, archive: Archive) -> dict:
    return {
        "dak": dak_json(dak),
        "archive": {"path": str(archive.absolute(dak.pdf_path).resolve()),
                    "original": str(archive.absolute(dak.original_path).resolve()),
                    "sha256": dak.sha256, "pdf_sha256": dak.pdf_sha256, "pages": dak.pages},
        "pages": [{k: p.get(k) for k in ("rotation", "skew_deg", "ocr_confidence", "source")}
                  for p in dak.page_info],
    }


def duplicate_result(dak: Dak, archive: Archive) -> dict:
    return {"status": "duplicate", **dak_result(dak, archive)}
