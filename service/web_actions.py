"""The review form's fields as the service's edit API takes them.

The pages change a dak only through `service.api_edit` (edit, confirm, mark: audited, locked
fields enforced, search re-indexed), after the same validation as the API (`DakEdit`). This
module only turns form strings into typed values and keeps just the fields that changed.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import ValidationError

from dakscan.ocr.normalise import DEVA_DIGITS
from dakscan.service.api_edit import LOCKED
from dakscan.service.api_schemas import DakEdit
from dakscan.service.models import Dak

# Review form fields, in the order the clerk meets them (all are DakEdit fields).
EDITABLE = ("subject", "letter_no", "letter_date", "sender_name", "sender_designation",
            "sender_office", "addressee", "letter_type", "priority", "security", "language",
            "delivery_mode")
LOCKED_AFTER_CONFIRM = frozenset(LOCKED)
DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


class FormError(ValueError):
    """A form value the register would refuse; `field` names it for the page."""

    def __init__(self, field: str, kind: str = "invalid") -> None:
        super().__init__(f"{field}: {kind}")
        self.field, self.kind = field, kind


def parse_date(value: str) -> date:
    """A date as Indian offices write it (15.07.2025, 15/07/2025, १५.०७.२०२५) or ISO."""
    value = value.translate(DEVA_DIGITS)
    try:
        m = DMY.match(value)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(value)
    except ValueError as exc:
        raise FormError("letter_date", "date") from exc


def form_value(name: str, raw: str | None) -> object:
    """Typed value of one form field; None for an empty box."""
    if name == "addressee":
        value = "\n".join(" ".join(ln.split()) for ln in (raw or "").strip().splitlines())
    else:
        value = " ".join((raw or "").split())
    if not value:
        return None
    return parse_date(value) if name == "letter_date" else value


def changed_fields(dak: Dak, form: dict[str, str]) -> dict[str, object]:
    """Only what differs from the register, validated as the API validates an edit."""
    changes: dict[str, object] = {}
    for name in EDITABLE:
        if name not in form:
            continue
        new = form_value(name, form[name])
        if new != getattr(dak, name):
            changes[name] = new
    if not changes:
        return {}
    try:
        edit = DakEdit(**changes)
    except ValidationError as exc:
        loc = exc.errors()[0].get("loc") or ("subject",)
        raise FormError(str(loc[0])) from exc
    return {k: getattr(edit, k) for k in changes}
