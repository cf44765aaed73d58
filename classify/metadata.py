"""Diary metadata from OCR'd pages: what a dak clerk types, each field with a confidence and
the evidence (page, printed line, word boxes) it was read from.

The finders live in their own modules (number, letter_date, subject, parties, kinds, extras);
this module runs them in order (the date needs the number's line, the type the subject and the
sender) and decides what the clerk must look at.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from dakscan.classify import extras, kinds, parties
from dakscan.classify.layout import visual_lines
from dakscan.classify.letter_date import letter_date
from dakscan.classify.number import endorsement, letter_number, number_by_shape
from dakscan.classify.profile import Profile, load_profile
from dakscan.classify.reading import Field, Letter
from dakscan.classify.subject import subject
from dakscan.ocr.normalise import for_matching, language_of, script_share
from dakscan.ocr.types import PageText

REVIEW_BELOW = 0.6
KEY_FIELDS = ("letter_no", "letter_date", "subject")
HELD = {"confidential", "secret", "top_secret"}
LISTS = ("references", "case_numbers")
BODY_LETTERS = 60  # letters (not signs) the body needs to decide alone


def extract(pages: list[PageText], received: datetime, profile: Profile | None = None) -> dict:
    """{'fields': {name: {value, confidence, evidence}}, 'needs_review': bool, 'reasons': [..],
    'profile': name}."""
    from dakscan.service.config import get_settings

    settings = get_settings()
    if profile is None:
        profile = load_profile(settings.cue_profile)
    letter = Letter(lines=[ln for p in pages for ln in visual_lines(p)], profile=profile,
                    received=office_day(received, settings.timezone))
    out = _read(letter, "\n".join(p.text for p in pages))
    fields = {k: v.to_dict() for k, v in out.items() if v is not None}
    for name in LISTS:
        fields.setdefault(name, {"value": [], "confidence": 1.0, "evidence": None})
    reasons = list(letter.notes.get("reasons", []))
    for name in KEY_FIELDS:
        if name not in fields:
            reasons.append(f"{name} not found")
        elif fields[name]["confidence"] < REVIEW_BELOW:
            reasons.append(f"{name} uncertain")
    if fields["security"]["value"] in HELD:
        reasons.append(f"security: {fields['security']['value']} (held for a person)")
    return {"fields": fields, "needs_review": bool(reasons), "reasons": reasons,
            "profile": profile.name}


def office_day(at: datetime, tz: str) -> date:
    """The received date as the office's calendar says it: a letter dated today and received
    at 01:00 IST (19:30 UTC the day before) is not "dated after it was received"."""
    return at.astimezone(ZoneInfo(tz)).date() if at.tzinfo else at.date()


def _read(letter: Letter, text: str) -> dict[str, Field | None]:
    out: dict[str, Field | None] = {}
    out["language"] = language(letter, text)
    out["letter_no"] = letter_number(letter) or number_by_shape(letter)
    out["letter_date"], why = letter_date(letter)
    if why:
        letter.notes.setdefault("reasons", []).append(why)
    out["subject"] = subject(letter)
    out["addressee"] = parties.addressee(letter)
    sign = parties.signature(letter)
    out["sender_name"] = sign.get("name")
    out["sender_designation"] = sign.get("designation")
    place = letter.notes.get("place")
    out["sender_place"] = Field(place, 0.7) if place else sign.get("place")
    out["sender_office"] = parties.office(letter)
    out["priority"], out["time_bound"] = kinds.priority(letter)
    out["security"] = kinds.security(letter)
    designation = str(out["sender_designation"].value) if out["sender_designation"] else ""
    vip = kinds.is_vip(letter, designation)
    out["vip"] = Field(vip, 0.7)
    subject_text = str(out["subject"].value) if out["subject"] else ""
    structured = any(out.get(k) for k in ("letter_no", "subject", "addressee",
                                          "sender_designation"))
    out["letter_type"] = kinds.letter_type(letter, subject_text, vip, structured)
    out["enclosures"] = extras.enclosures(letter)
    out["deadline"] = extras.deadline(letter)
    out["endorsement_no"], out["endorsement_date"] = endorsement(letter)
    out["references"] = extras.references(letter)
    out["case_numbers"] = extras.case_numbers(letter)
    out["is_copy"] = Field(_is_copy(letter, out), 0.6)
    return out


def language(letter: Letter, text: str) -> Field:
    """hi / en / bilingual from the body (subject on): a bilingual letterhead or an e-mail
    address does not make a Hindi letter bilingual. Short bodies fall back to all the text."""
    head = {id(ln) for ln in letter.top_band()}
    body = " ".join(ln.text for ln in letter.lines if id(ln) not in head)
    deva, latin = script_share(body)
    if deva + latin >= BODY_LETTERS:
        return Field(language_of(body), 0.9)
    if sum(script_share(text)) == 0:
        return Field(None, 0.0)  # nothing was read: no language to claim
    return Field(language_of(text), 0.9 if len(text) > 200 else 0.6)


def _is_copy(letter: Letter, out: dict[str, Field | None]) -> bool:
    from dakscan.service.config import get_settings

    names = [for_matching(n.strip()) for n in get_settings().office_names.split(",")
             if n.strip()]
    addressee = str(out["addressee"].value) if out.get("addressee") else ""
    return parties.is_copy(letter, names, addressee, out.get("endorsement_no") is not None)


def dak_fields(meta: dict) -> dict:
    """Flat values of the `dak` JSON object (the CLI/API contract) from extracted metadata."""
    fields = meta.get("fields", {})

    def value(name: str):  # noqa: ANN202
        fv = fields.get(name)
        return fv.get("value") if isinstance(fv, dict) else None

    return {
        "language": value("language"),
        "letter_no": value("letter_no"),
        "letter_date": value("letter_date"),
        "subject": value("subject"),
        "sender": {k: value(f"sender_{k}") for k in ("name", "designation", "office", "place")},
        "addressee": value("addressee"),
        "letter_type": value("letter_type"),
        "priority": value("priority"),
        "time_bound": bool(value("time_bound")),
        "security": value("security"),
        "references": value("references") or [],
        "is_copy": bool(value("is_copy")),
        "endorsement_no": value("endorsement_no"),
        "endorsement_date": value("endorsement_date"),
        "enclosures": value("enclosures"),
        "deadline": value("deadline"),
        "case_numbers": value("case_numbers") or [],
        "vip": bool(value("vip")),
        "confidence": {k: v.get("confidence") for k, v in fields.items()
                       if isinstance(v, dict)},
    }
