"""What the cue profile saw on a letter: each printed line with the cues that fired on it, and
the lines that look like a number, a date or a subject but matched no cue, so an admin can
add the office's own words to its profile (`dakscan cues audit FILES...`)."""

from __future__ import annotations

import re
from datetime import datetime

from dakscan.classify.dates import find_dates
from dakscan.classify.layout import visual_lines
from dakscan.classify.metadata import extract
from dakscan.classify.profile import Profile
from dakscan.ocr.types import PageText

NUMBERISH = re.compile(r"\d+\s*/\s*\S+|\d{2,}[-/]\d+")
SUBJECTISH = re.compile(r"^\S{2,12}\s*[:\u0903]\s*-?")
SECTIONS = ("cues", "priority", "security", "letter_type", "case", "vip")


def fired_cues(profile: Profile, text: str) -> list[str]:
    """'section.name: cue' for every cue list that matches somewhere in the text."""
    out = []
    for section in SECTIONS:
        for name in profile.names(section):
            if isinstance(profile.data[section][name], list):
                hit = profile.match(text, section, name)
                if hit is not None:
                    out.append(f"{section}.{name}: {hit.cue}")
    return out


def looks_like(text: str) -> list[str]:
    """What an unmatched line looks like: number, date and/or subject."""
    kinds = [("number", NUMBERISH.search(text)), ("date", find_dates(text)),
             ("subject", SUBJECTISH.match(text))]
    return [k for k, hit in kinds if hit]


def audit_pages(pages: list[PageText], profile: Profile, received: datetime) -> dict:
    """{'fields': {name: value}, 'lines': [{page, text, cues}], 'unmatched': [{page, text,
    looks_like}], 'reasons': [...]}."""
    meta = extract(pages, received, profile)
    lines, unmatched = [], []
    for page in pages:
        for ln in visual_lines(page):
            text = ln.text
            cues = fired_cues(profile, text)
            lines.append({"page": ln.page, "text": text, "cues": cues})
            kinds = looks_like(text)
            if kinds and not cues:
                unmatched.append({"page": ln.page, "text": text, "looks_like": kinds})
    values = {k: v.get("value") for k, v in meta["fields"].items()}
    return {"profile": profile.name, "fields": values, "lines": lines, "unmatched": unmatched,
            "reasons": meta["reasons"]}
