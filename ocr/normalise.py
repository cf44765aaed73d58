"""One Unicode policy for every string dakscan stores, matches or searches.

Policy: NFC; zero-width joiners/non-joiners, soft hyphens and BOMs are dropped (they only
steer glyph shaping, and left in they make equal-looking words unequal); dashes fold to '-';
Devanagari digits stay as read in stored text and fold to ASCII only for values and search.
"""

from __future__ import annotations

import re
import unicodedata

INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
DASHES = str.maketrans(
    {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"})
DEVA_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
# A Devanagari letter or sign (not a digit) before ० / 0 makes it the abbreviation dot: स्था०, दि0.
_ABBREV_ZERO = re.compile(r"(?<=[\u0900-\u0965\u0970-\u097F])[०0](?![0-9०-९])")
_VISARGA_COLON = re.compile(r"\u0903(?=\s*[-:\u2013\u2014])")
_DANDA_LOOKALIKE = re.compile(r"(?<=[\u0900-\u097F])\s*[|I](?=\s|$)")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def clean_text(text: str) -> str:
    """NFC, no invisible joiners, one kind of dash, single spaces; line breaks kept."""
    text = unicodedata.normalize("NFC", text).translate(INVISIBLE).translate(DASHES)
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(lines)


def ascii_digits(text: str) -> str:
    """Devanagari digits to ASCII, keeping ० used as an abbreviation dot (स्था०, म०प्र०, दि0)."""
    text = _ABBREV_ZERO.sub(".", text)
    return text.translate(DEVA_DIGITS)


def fold_marks(text: str) -> str:
    """Visarga written for a colon (विषयः-) to ':', danda look-alikes ('|' after Hindi) to '।'."""
    text = _VISARGA_COLON.sub(":", text)
    return _DANDA_LOOKALIKE.sub("।", text)


def for_matching(text: str) -> str:
    """The form cue and value matching work on: clean, marks folded, digits ASCII."""
    return ascii_digits(fold_marks(clean_text(text)))


def is_devanagari(ch: str) -> bool:
    return "\u0900" <= ch <= "\u097f" or "\ua8e0" <= ch <= "\ua8ff"


def script_share(text: str) -> tuple[int, int]:
    """(Devanagari letters, Latin letters) in a text: the basis of the language call."""
    deva = sum(1 for c in text if is_devanagari(c) and c.isalpha())
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return deva, latin


def language_of(text: str) -> str:
    """'hi', 'en' or 'bilingual': the minority script must carry at least 15% of letters."""
    deva, latin = script_share(text)
    total = deva + latin
    if total == 0:
        return "hi"
    share = deva / total
    if share >= 0.85:
        return "hi"
    if share <= 0.15:
        return "en"
    return "bilingual"
