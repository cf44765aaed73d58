"""After a file is processed: `done/` once its dak is committed, else `failed/` with a reason.

The register decides, not the worker's message: a file whose sha256 has a dak goes to
`done/` even when its worker was killed after the commit, and a file is only ever moved
within the desk folder, never deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from dakscan.ingest.archive import sha256_file
from dakscan.ingest.errors import MESSAGES
from dakscan.service import store
from dakscan.service.db import session_scope
from dakscan.service.models import Dak, Failure
from dakscan.watch_folders.folders import DeskFolder

WHAT_TO_DO = (
    "क्या करें: कारण ठीक करके पत्र दोबारा स्कैन करें; नई फ़ाइल डेस्क फ़ोल्डर में डालें। यह फ़ाइल "
    "यहीं सुरक्षित रखी है, इसे देखकर हटा सकते हैं।",
    "What to do: fix the cause and scan the letter again into the desk folder. This file is "
    "kept here unchanged; remove it once you have dealt with it.",
)


@dataclass
class Outcome:
    """Where a file ended up and why, for the per-file log line."""

    status: str  # registered | duplicate | failed | changed (processed again)
    moved_to: Path
    diary_no: str | None = None
    code: str | None = None
    reason: str | None = None


def settle(folder: DeskFolder, desk: str, path: Path, source_name: str, result: dict,
           db_url: str, timezone: str) -> Outcome:
    """Move the processed file to done/ or failed/ according to the register."""
    sha = _sha(path)
    diary_no = result.get("diary_no")
    if result.get("status") in ("registered", "duplicate") and diary_no:
        if sha != result.get("sha256"):  # written to after it was read: not what was registered
            return Outcome("changed", path)
        return Outcome(result["status"], folder.to_done(path), diary_no=diary_no)
    diary_no = registered_diary_no(db_url, sha) if sha else None
    if diary_no:  # committed before its worker was stopped, or registered meanwhile
        return Outcome("duplicate", folder.to_done(path), diary_no=diary_no)
    code = result.get("error_code") or "internal"
    target = folder.failed_target(path)
    note = error_note(desk, source_name, target.name, result, timezone)
    record_failure(db_url, desk, source_name, sha, result, target)
    folder.to_failed(path, target, note)
    return Outcome("failed", target, code=code, reason=result.get("error"))


def error_note(desk: str, source_name: str, kept_name: str, result: dict, timezone: str) -> str:
    """The `<name>.error.txt` a desk operator reads: Hindi first, then English."""
    code = result.get("error_code") or "internal"
    hi = result.get("error_hi") or MESSAGES.get(code, MESSAGES["internal"])[0]
    en = result.get("error") or MESSAGES.get(code, MESSAGES["internal"])[1]
    at = datetime.now(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M:%S %Z")
    return (
        f"फ़ाइल: {source_name}\n"
        f"डेस्क: {desk}\n"
        f"समय: {at}\n"
        f"दर्ज नहीं हुई। कारण: {hi}\n"
        f"{WHAT_TO_DO[0]}\n"
        "\n"
        f"File: {source_name}\n"
        f"Desk: {desk}\n"
        f"Time: {at}\n"
        f"Not registered. Reason: {en}\n"
        f"{WHAT_TO_DO[1]}\n"
        "\n"
        f"code: {code}\n"
        f"kept as: failed/{kept_name}\n"
    )


def registered_diary_no(db_url: str, sha: str) -> str | None:
    with session_scope(db_url, readonly=True) as s:
        return s.scalar(select(Dak.diary_no).where(Dak.sha256 == sha))


def record_failure(db_url: str, desk: str, source_name: str, sha: str | None, result: dict,
                   kept_at: Path) -> None:
    """A `failure` row for the desk inbox; once per kept file, also when it is tried again
    after a crash (same kept path, same content)."""
    code = result.get("error_code") or "internal"
    with session_scope(db_url) as s:
        seen = s.scalar(select(Failure.id).where(Failure.kept_at == str(kept_at),
                                                 Failure.sha256 == sha,
                                                 Failure.resolved.is_(False)))
        if seen is not None:
            return
        s.add(Failure(
            at=store.now(), source_name=source_name[:500], desk=desk, sha256=sha, code=code,
            message_hi=result.get("error_hi") or MESSAGES.get(code, MESSAGES["internal"])[0],
            message_en=result.get("error") or MESSAGES.get(code, MESSAGES["internal"])[1],
            kept_at=str(kept_at), resolved=False,
        ))


def _sha(path: Path) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None
