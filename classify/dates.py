"""Dates as Indian offices write them, in Hindi and English, read from matching-form text.

Numeric dates are day-first (15.07.2025, 15/07/25, 15-7-2025), or ISO (2025-07-15); month
names come in Hindi spelling variants (सितंबर/सितम्बर, अप्रैल/अप्रेल) and English (July, Jul,
Sept), with ordinals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from dakscan.classify.profile import skeleton

MONTHS = {
    1: ["जनवरी", "january", "jan"], 2: ["फरवरी", "फ़रवरी", "february", "feb"],
    3: ["मार्च", "march", "mar"], 4: ["अप्रैल", "अप्रेल", "अप्रील", "april", "apr"],
    5: ["मई", "may"], 6: ["जून", "june", "jun"], 7: ["जुलाई", "जुलाइ", "july", "jul"],
    8: ["अगस्त", "august", "aug"], 9: ["सितंबर", "सितम्बर", "सेप्टेंबर", "september", "sept", "sep"],
    10: ["अक्टूबर", "अक्तूबर", "october", "oct"], 11: ["नवंबर", "नवम्बर", "november", "nov"],
    12: ["दिसंबर", "दिसम्बर", "december", "dec"],
}
_MONTH_KEYS = {(skeleton(n) if not n.isascii() else n): m for m, names in MONTHS.items()
               for n in names}
# A lone digit just before the day ('1 9 दिसम्बर': OCR split 19) makes the date unreadable, not 9th.
# 'दिनांक:-12/08/25' is a date; '3-12/2025' (a dash after a digit or letter code) is not.
_DAY = r"(?<![\d/.])(?<![0-9A-Za-z/.]-)(?<![^\d]\d\s)(?<!^\d\s)(\d{1,2})"
_NUMERIC = re.compile(_DAY + r"\s?[./-]\s?(\d{1,2})\s?[./-]\s?(\d{4}|\d{2})(?![\d/])")
_WORD = r"[\u0900-\u097FA-Za-z]+"
_NAMED = re.compile(
    _DAY + rf"(?:st|nd|rd|th)?[\s.,-]*(?:of\s+)?({_WORD})[\s.,-]*(\d{{4}})(?!\d)")
_ISO = re.compile(r"(?<![\d/.-])(\d{4})-(\d{2})-(\d{2})(?![\d/-])")  # e-Office prints
_MONTH_FIRST = re.compile(rf"({_WORD})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)")


@dataclass(frozen=True)
class FoundDate:
    value: date
    start: int
    end: int


LONG_MONTH = 5  # Hindi month skeletons this long (अकटबर) survive OCR dropping one letter


def _month(word: str) -> int | None:
    """The month a name spells; a Hindi name with one consonant lost or added ('अक्ूबर') still
    reads, since no other month is within one letter of a long month name."""
    w = word.lower() if word.isascii() else skeleton(word)
    if w in _MONTH_KEYS or word.isascii() or len(w) < LONG_MONTH - 1:
        return _MONTH_KEYS.get(w)
    near = {m for k, m in _MONTH_KEYS.items()
            if not k.isascii() and len(k) >= LONG_MONTH and abs(len(k) - len(w)) == 1
            and fuzz.ratio(k, w) >= 85}
    return near.pop() if len(near) == 1 else None


def _make(y: int, m: int, d: int) -> date | None:
    if y < 100:
        y += 2000
    try:
        return date(y, m, d) if 1900 <= y <= 2100 else None
    except ValueError:
        return None


def find_dates(text: str) -> list[FoundDate]:
    """Every date in `text` (already in matching form: ASCII digits), in reading order."""
    found: list[FoundDate] = []
    for m in _NUMERIC.finditer(text):
        d = _make(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if d:
            found.append(FoundDate(d, m.start(), m.end()))
    for m in _ISO.finditer(text):
        d = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            found.append(FoundDate(d, m.start(), m.end()))
    for m in _NAMED.finditer(text):
        month = _month(m.group(2))
        d = _make(int(m.group(3)), month, int(m.group(1))) if month else None
        if d:
            found.append(FoundDate(d, m.start(), m.end()))
    for m in _MONTH_FIRST.finditer(text):
        month = _month(m.group(1))
        d = _make(int(m.group(3)), month, int(m.group(2))) if month else None
        if d:
            found.append(FoundDate(d, m.start(), m.end()))
    found.sort(key=lambda f: f.start)
    out: list[FoundDate] = []
    for f in found:  # drop overlaps, keep the first
        if not out or f.start >= out[-1].end:
            out.append(f)
    return out
