"""Scrub the archive: every file hashes right, every signature verifies, nothing is orphaned,
every dak's registration is in the audit log, and the audit chain is unbroken.

Returns the problems, one line per file or audit row, each naming what is wrong. A PDF whose
sha256 is the one registered (and recorded in the audit log's registration row) is byte for
byte the file that passed the PDF/A check when it was sealed, so the PDF/A rules are re-run
only with `full=True`; the signature is always re-verified.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select

from dakscan.ingest.archive import Archive, is_temporary, sha256_bytes, sha256_file
from dakscan.ingest.verify import verify_bytes
from dakscan.service.config import Settings
from dakscan.service.db import session_scope
from dakscan.service.models import AuditEntry, Dak
from dakscan.service.store import audit, broken_links, serialise_writers


class Entry(NamedTuple):
    id: int
    diary_no: str
    sha256: str
    pdf_sha256: str
    original_path: str
    pdf_path: str


class Result(NamedTuple):
    checked: int
    problems: list[str]


def scrub(settings: Settings, full: bool = False, record: bool = True) -> Result:
    """(files checked, problems). `record` appends a 'scrub' row to the audit log."""
    archive = Archive(settings.archive_dir)
    problems: list[str] = []
    with session_scope(settings.db_url, readonly=True) as s:
        problems += broken_links(s)
        registered = _registrations(s)
        daks = [Entry(d.id, d.diary_no, d.sha256, d.pdf_sha256, d.original_path, d.pdf_path)
                for d in s.scalars(select(Dak).order_by(Dak.id))]
    known: set[Path] = set()
    for dak in daks:
        original, pdf = archive.absolute(dak.original_path), archive.absolute(dak.pdf_path)
        known.update({original, pdf})
        problems += _check_registration(dak, registered.get(dak.id))
        problems += _check_original(dak, original)
        problems += _check_pdf(dak, pdf, settings, full)
    problems += _strays(archive, known)
    result = Result(2 * len(daks), problems)
    if record:
        _record(settings, result)
    return result


def _registrations(session) -> dict[int, dict]:  # noqa: ANN001
    rows = session.execute(select(AuditEntry.dak_id, AuditEntry.detail)
                           .where(AuditEntry.action == "register"))
    return {dak_id: detail or {} for dak_id, detail in rows}


def _check_registration(dak: Entry, detail: dict | None) -> list[str]:
    if detail is None:
        return [f"{dak.diary_no}: no 'register' row in the audit log"]
    if (detail.get("sha256"), detail.get("pdf_sha256")) != (dak.sha256, dak.pdf_sha256):
        return [f"{dak.diary_no}: the register's file hashes differ from its audited "
                "registration (dak row changed outside dakscan)"]
    return []


def _check_original(dak: Entry, path: Path) -> list[str]:
    if not path.is_file():
        return [f"{path}: original of {dak.diary_no} is missing"]
    if sha256_file(path) != dak.sha256:
        return [f"{path}: original of {dak.diary_no} was altered (sha256 differs)"]
    return []


def _check_pdf(dak: Entry, path: Path, settings: Settings, full: bool) -> list[str]:
    if not path.is_file():
        return [f"{path}: PDF of {dak.diary_no} is missing"]
    data = path.read_bytes()
    if sha256_bytes(data) != dak.pdf_sha256:
        return [f"{path}: PDF of {dak.diary_no} was altered (sha256 differs)"]
    verdict = verify_bytes(data, str(path), settings, register=False, pdfa=full)
    if verdict.problems or not verdict.signed:
        return [f"{path}: PDF of {dak.diary_no} fails verification: "
                + "; ".join(verdict.problems)]
    return []


def _strays(archive: Archive, known: set[Path]) -> list[str]:
    out = []
    for path in archive.files():
        if path in known:
            continue
        if is_temporary(path):
            out.append(f"{path}: unfinished temporary file (a writer stopped mid-write)")
        else:
            out.append(f"{path}: orphaned (no dak refers to it)")
    return out


def _record(settings: Settings, result: Result) -> None:
    with session_scope(settings.db_url) as s:
        serialise_writers(s)
        audit(s, "scrub", "scrub", None, {"checked": result.checked,
                                          "problems": len(result.problems),
                                          "first": result.problems[:10]})
