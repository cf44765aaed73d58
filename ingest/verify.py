"""Verify a dak PDF: signature, integrity, PDF/A, and its embedded record against the register.

Intact means: every signature's digest and cryptography hold, the last signature covers the
whole file (nothing appended after signing), the file is PDF/A-3b (`pdfa_check`), it carries
its `dak.json`, and — when its dak is in this register — the register agrees with the record:
the same diary number, original and PDF, and every field that differs from what was signed
was changed by an edit in the audit log (old → new), never behind dakscan's back.
"""

from __future__ import annotations

import io
import logging
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pikepdf
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import or_, select

from dakscan.ingest.archive import sha256_bytes
from dakscan.ingest.keys import dev_key_paths
from dakscan.ingest.pdfa import embedded_record
from dakscan.ingest.pdfa_check import check_signed_pdf, revision_before_first_signature
from dakscan.service.config import Settings

# register column -> (where the signed record keeps it, the edit's field name)
COMPARED = {
    "letter_no": (("fields", "letter_no"), "letter_no"),
    "letter_date": (("fields", "letter_date"), "letter_date"),
    "subject": (("fields", "subject"), "subject"),
    "addressee": (("fields", "addressee"), "addressee"),
    "letter_type": (("fields", "letter_type"), "letter_type"),
    "priority": (("fields", "priority"), "priority"),
    "security": (("fields", "security"), "security"),
    "sender_name": (("fields", "sender", "name"), "sender_name"),
    "sender_designation": (("fields", "sender", "designation"), "sender_designation"),
    "sender_office": (("fields", "sender", "office"), "sender_office"),
    "language": (("language",), "language"),
}
FIXED = ("diary_no", "sha256", "source_name")


@dataclass
class Verdict:
    file: str
    signed: bool = False
    signer: str | None = None
    signer_sha256: str | None = None
    signing_time: str | None = None
    timestamp: str | None = None  # PAdES B-T: the time-stamp authority's time
    level: str | None = None  # "PAdES B-B" or "PAdES B-T"
    intact: bool = False
    signature_valid: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    pdfa: bool = False
    pdfa_findings: list[str] = field(default_factory=list)
    diary_no: str | None = None
    register_match: bool | None = None  # None: this dak is not in this register
    changed_since_signing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.signed and self.intact and self.signature_valid and self.covers_whole_file
                and self.pdfa and self.register_match is not False and not self.problems)

    def to_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def trust_roots(settings: Settings) -> list:
    """Certificates a signature may chain to: the configured DSC's chain, the dev key."""
    roots = []
    _, pem = dev_key_paths(settings.keys_dir)
    if pem.exists():
        roots.append(load_cert_from_pemder(str(pem)))
    from dakscan.ingest.sign import pkcs12_signer, signer_for

    configured = []  # the office DSC as a PKCS#12 file and/or on a PKCS#11 token
    if settings.pkcs12_path:
        configured.append(lambda: pkcs12_signer(settings.pkcs12_path, settings.pkcs12_password))
    if settings.pkcs11_module:
        configured.append(lambda: signer_for(settings))
    for load in configured:
        try:
            signer = load()
            roots += [signer.signing_cert, *signer.cert_registry]
        except Exception:  # noqa: BLE001 - an unreadable DSC or absent token: "not trusted"
            pass
    return roots


@contextmanager
def _quiet_validation():
    """pyHanko logs a traceback for an untrusted chain; the verdict already says so."""
    loggers = [logging.getLogger(n) for n in ("pyhanko", "pyhanko_certvalidator")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def verify_bytes(data: bytes, name: str, settings: Settings, register: bool = True,
                 pdfa: bool = True) -> Verdict:
    """The verdict on one file. `register=False` skips the register comparison and
    `pdfa=False` the PDF/A check (scrub: the register's hash already pins those bytes)."""
    v = Verdict(file=name)
    try:
        sigs = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception as exc:  # noqa: BLE001 - a damaged file is a finding, not a crash
        v.problems.append(f"not a readable PDF: {type(exc).__name__}: {exc}"[:300])
        return v
    if not sigs:
        v.problems.append("no signature")
    else:
        check_signatures(v, sigs, settings)
    if pdfa:
        try:
            v.pdfa_findings = check_signed_pdf(data)
        except Exception as exc:  # noqa: BLE001 - a hostile structure is a finding, not a crash
            v.pdfa_findings = [f"structure cannot be checked: {type(exc).__name__}"]
        v.pdfa = not v.pdfa_findings
        if not v.pdfa:
            v.problems.append("not PDF/A-3b: " + "; ".join(v.pdfa_findings[:3]))
    if register:
        check_record(v, data, settings)
    return v


def check_signatures(v: Verdict, sigs: list, settings: Settings) -> None:
    """All signatures intact and valid; the last one covers the whole file."""
    v.signed = True
    roots = trust_roots(settings)
    ctx = ValidationContext(trust_roots=roots, allow_fetching=False)
    statuses = []
    for sig in sigs:
        try:
            with _quiet_validation():
                statuses.append(validate_pdf_signature(sig, signer_validation_context=ctx))
        except Exception as exc:  # noqa: BLE001
            v.problems.append(f"signature cannot be checked: {type(exc).__name__}: {exc}"[:300])
            return
    last = statuses[-1]
    v.intact = all(s.intact for s in statuses)
    v.signature_valid = all(s.valid for s in statuses)
    v.trusted = all(s.trusted for s in statuses)
    v.covers_whole_file = last.coverage.name == "ENTIRE_FILE"
    cert = last.signing_cert
    v.signer = cert.subject.human_friendly if cert else None
    v.signer_sha256 = cert.sha256.hex() if cert else None
    v.signing_time = last.signer_reported_dt.isoformat() if last.signer_reported_dt else None
    ts = last.timestamp_validity
    v.timestamp = ts.timestamp.isoformat() if ts is not None else None
    v.level = "PAdES B-T" if ts is not None else "PAdES B-B"
    if not v.intact:
        v.problems.append("content changed after signing (digest mismatch)")
    if not v.signature_valid:
        v.problems.append("signature is not valid")
    if not v.covers_whole_file:
        v.problems.append("file was changed after it was signed (data appended)")
    if roots and not v.trusted:  # e.g. pages appended and signed again with another key
        v.problems.append("signed by a certificate this office does not trust")


def check_record(v: Verdict, data: bytes, settings: Settings) -> None:
    """The embedded dak.json against the register row and the audit log's edits."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            record = embedded_record(pdf)
    except Exception:  # noqa: BLE001
        record = None
    if record is None:
        v.problems.append("no embedded dak record")
        v.register_match = False
        return
    v.diary_no = record.get("diary_no")
    from dakscan.service.db import session_scope
    from dakscan.service.models import AuditEntry, Dak

    with session_scope(settings.db_url, readonly=True) as s:
        dak = s.scalars(select(Dak).where(or_(Dak.diary_no == v.diary_no,
                                              Dak.sha256 == record.get("sha256")))).first()
        if dak is None:
            return  # a dak of another register: nothing to compare with
        rows = s.scalars(select(AuditEntry).where(AuditEntry.dak_id == dak.id)
                         .order_by(AuditEntry.id)).all()
        audit = [(r.action, r.detail or {}) for r in rows]
        mismatch = fixed_mismatches(record, dak, data)
        changed, unexplained = field_changes(record, dak, audit, settings.timezone)
    if not any(a == "register" and d.get("pdf_sha256") == dak.pdf_sha256 for a, d in audit):
        mismatch.append("the audit log has no registration of this PDF")
    v.changed_since_signing = changed
    mismatch += unexplained
    v.register_match = not mismatch
    if mismatch:
        v.problems.append("embedded record differs from the register: " + "; ".join(mismatch))


def fixed_mismatches(record: dict, dak, data: bytes) -> list[str]:  # noqa: ANN001
    out = [f"{name} (signed {record.get(name)!r}, register {getattr(dak, name)!r})"
           for name in FIXED if record.get(name) != getattr(dak, name)]
    if sha256_bytes(data) != dak.pdf_sha256:
        out.append("this file is not the archived PDF of that dak")
    return out


def _norm(value: object) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _signed_value(record: dict, path: tuple[str, ...]) -> object:
    value: object = record
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def field_changes(record: dict, dak, audit: list[tuple[str, dict]],  # noqa: ANN001
                  tz: str) -> tuple[list[str], list[str]]:
    """(fields changed by audited edits, fields changed without one)."""
    changed, unexplained = [], []
    edits = [d for a, d in audit if a == "edit"]
    for column, (path, edit_name) in COMPARED.items():
        signed, current = _norm(_signed_value(record, path)), _norm(getattr(dak, column))
        if signed == current:
            continue
        if _replay(signed, [e for e in edits if e.get("field") == edit_name]) == current:
            changed.append(f"{column}: {signed!r} → {current!r} (audited edit)")
        else:
            unexplained.append(f"{column} changed without an audited edit "
                               f"(signed {signed!r}, register {current!r})")
    received = _received_change(record, dak, edits, tz)
    if received:
        (changed if received.endswith("(audited edit)") else unexplained).append(received)
    return changed, unexplained


def _replay(start: str | None, edits: list[dict]) -> str | None:
    """The value after applying each audited edit whose `old` is the value it replaced."""
    value = start
    for e in edits:
        if _norm(e.get("old")) != value:
            return "<edit chain broken>"
        value = _norm(e.get("new"))
    return value


def _received_change(record: dict, dak, edits: list[dict], tz: str) -> str | None:  # noqa: ANN001
    signed = record.get("received_at")
    current = dak.received_at if dak.received_at.tzinfo else dak.received_at.replace(tzinfo=UTC)
    try:
        signed_at = datetime.fromisoformat(signed) if signed else None
    except ValueError:
        signed_at = None
    if signed_at is not None and signed_at == current:
        return None
    day = current.astimezone(ZoneInfo(tz)).date().isoformat()
    moved = [e for e in edits if e.get("field") == "received_date"]
    if moved and _norm(moved[-1].get("new")) == day:
        return f"received_at: {signed} → {current.isoformat()} (audited edit)"
    return (f"received_at changed without an audited edit (signed {signed}, "
            f"register {current.isoformat()})")


def verify_file(path: Path, settings: Settings) -> Verdict:
    return verify_bytes(Path(path).read_bytes(), str(path), settings)


__all__ = ["Verdict", "revision_before_first_signature", "trust_roots", "verify_bytes",
           "verify_file"]
