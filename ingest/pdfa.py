"""PDF/A-3b: the archival form of a dak's PDF, describing itself without the database.

Why PDF/A-3b: it keeps every PDF/A-2b rule (embedded fonts, sRGB OutputIntent, XMP, no
encryption or JavaScript) and adds what 2b forbids, a machine-readable associated file.
The dak's metadata rides along as `dak.json` (AFRelationship /Data), the pattern e-invoices
(Factur-X) use; pikepdf's PDF/A checker rejects XMP extension schemas, so that route could
not be validated here. Ghostscript is never used: it mangles Devanagari text layers.
"""

from __future__ import annotations

import io
import json
from datetime import datetime

import pikepdf
import pikepdf.pdfa as pdfa
from pikepdf import AttachedFileSpec
from pikepdf.models.metadata import encode_pdf_date

from dakscan.ingest.pdfa_check import FLAVOUR, RECORD_NAME

LANGUAGES = {"hi": ["hi"], "en": ["en"], "bilingual": ["hi", "en"]}  # dc:language, /Lang first


class PdfaFailure(RuntimeError):
    """The document could not be made PDF/A; the message names the rules it broke."""


def record_json(info: dict) -> bytes:
    """The self-description embedded in the PDF: diary number, hashes, fields, evidence."""
    body = {
        "diary_no": info.get("diary_no"),
        "sha256": info.get("sha256"),
        "received_at": _iso(info.get("received_at")),
        "source_name": info.get("source_name"),
        "language": info.get("language"),
        "fields": info.get("fields", {}),
        "metadata": (info.get("meta") or {}).get("fields", {}),
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else (str(value) if value else None)


def make_pdfa(pdf: bytes, info: dict) -> bytes:
    """`pdf` as validated PDF/A-3b with XMP/DocInfo metadata and `dak.json` embedded."""
    received = info.get("received_at")
    stamp = encode_pdf_date(received) if isinstance(received, datetime) else ""
    languages = LANGUAGES.get(str(info.get("language")), ["hi"])
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.attachments[RECORD_NAME] = AttachedFileSpec(
            doc, record_json(info), description="dakscan dak record (JSON)",
            filename=RECORD_NAME, mime_type="application/json",
            creation_date=stamp, mod_date=stamp, relationship=pikepdf.Name.Data)
        doc.Root.Lang = pikepdf.String(languages[0])
        pdfa.prepare(doc, FLAVOUR)
        fields = info.get("fields") or {}
        diary = str(info.get("diary_no") or "")
        subject = fields.get("subject") or ""
        with doc.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = f"{diary} {subject}".strip() or "dak"
            meta["dc:identifier"] = diary
            meta["dc:description"] = subject or diary
            meta["dc:language"] = languages
            meta["dc:subject"] = ["dak", diary]
            meta["pdf:Keywords"] = f"dak {diary}"
            meta["xmp:CreatorTool"] = "dakscan"
        out = io.BytesIO()
        try:
            pdfa.save(doc, out, FLAVOUR, repair=True)
        except pdfa.PdfaError as exc:
            raise PdfaFailure(str(exc)[:500]) from exc
        return out.getvalue()


def embedded_record(pdf: pikepdf.Pdf) -> dict | None:
    """The `dak.json` a dakscan PDF carries, or None."""
    spec = pdf.attachments.get(RECORD_NAME)
    if spec is None:
        return None
    try:
        return json.loads(spec.get_file().read_bytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
