"""The letter date: the first date after a date cue (दिनांक, दि., Dated, "New Delhi, the") on the
number line, outside the number's own span, else on a dated line of the head.

e-Office locks the letter date once a receipt moves, so a date that is implausible (future,
after receipt, over two years old) or read with low OCR confidence is left empty and flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dakscan.classify.dates import find_dates
from dakscan.classify.layout import VLine
from dakscan.classify.number import NOT_THE_LETTER, PLACE_BEFORE_DATE
from dakscan.classify.reading import Field, Letter, words_in
from dakscan.ocr.types import Word

DATE_MIN_CONF = 0.70  # lowest word confidence a date may be read at
MAX_AGE_YEARS = 2
DATE_LINE_WORDS = 2  # words besides cue and date on a date line of its own ('स्थान: रायपुर')
DATE_LINE_CERTAINTY = 0.85
DEVA_DIGIT = re.compile("[\u0966-\u096f]")
ASCII_DIGIT = re.compile("[0-9]")


@dataclass
class Candidate:
    value: date
    line: VLine
    certainty: float  # 1.0 cued or on the number line; less for a bare date
    words: list[Word]
    place: str | None = None  # 'धमतरी' of 'धमतरी, दिनांक …'


def plausible(d: date, received: date) -> bool:
    """Not after the received date, not more than two years before it."""
    try:
        oldest = received.replace(year=received.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = received.replace(year=received.year - MAX_AGE_YEARS, day=28)
    return oldest <= d <= received


def letter_date(letter: Letter) -> tuple[Field | None, str | None]:
    """(date, reason it was left empty) from the number line or a dated line in the head."""
    candidates: list[Candidate] = []
    number_line = letter.notes.get("number_line")
    if number_line is not None:
        candidates += dates_on(letter, number_line, on_number_line=True)
    for ln in letter.top_band():
        if ln is number_line or letter.is_kind(ln, *NOT_THE_LETTER):
            continue
        candidates += [c for c in dates_on(letter, ln) if c.certainty >= 0.8]
    if not candidates:
        candidates = date_line(letter)
    if not candidates:
        return None, None
    best = candidates[0]
    if not plausible(best.value, letter.received):
        return None, (f"letter date {best.value.isoformat()} is after the received date or "
                      f"more than {MAX_AGE_YEARS} years before it")
    read = min(w.conf for w in best.words) / 100.0 if best.words else best.line.conf
    if read < DATE_MIN_CONF:  # a misread digit here cannot be corrected once the receipt moves
        return None, f"letter date {best.value.isoformat()} read with low confidence"
    if mixed_digits(best.words):  # '२५/11/2024': OCR lost its way inside the date
        return None, f"letter date {best.value.isoformat()} read in mixed digit scripts"
    if best.place and "place" not in letter.notes:
        letter.notes["place"] = best.place
    return Field(best.value.isoformat(), min(0.97, read * best.certainty),
                 best.line.evidence(best.words)), None


def mixed_digits(words: list[Word]) -> bool:
    """Devanagari and ASCII digits in one date: a printer uses one script, OCR misread one."""
    text = "".join(w.text for w in words)
    return bool(DEVA_DIGIT.search(text)) and bool(ASCII_DIGIT.search(text))


def date_line(letter: Letter) -> list[Candidate]:
    """No date in the head (an application, a complaint): a line of its own with a date cue and
    one date, e.g. 'दिनांक 14/08/2025' or 'स्थान: रायपुर  दिनांक: 14/08/2025' by the signature,
    before any copy list; never a date inside a sentence."""
    head = {id(ln) for ln in letter.top_band()}
    for ln in letter.lines:
        if letter.is_kind(ln, "copy_to", "endorsement_no"):
            break
        if id(ln) in head or letter.is_kind(ln, *NOT_THE_LETTER, "subject"):
            continue
        for chunk in ln.chunks:
            dates = find_dates(chunk.text)
            if len(dates) != 1:
                continue
            found = dates[0]
            before, after = chunk.text[:found.start], chunk.text[found.end:]
            cue = letter.profile.match(before, "cues", "date")
            if cue is None or before[cue.end:].strip(" :-.,") != "":
                continue
            if words_in(before[:cue.start]) + words_in(after) > DATE_LINE_WORDS:
                continue
            return [Candidate(found.value, ln, DATE_LINE_CERTAINTY,
                              chunk.words_in(found.start, found.end))]
    return []


def dates_on(letter: Letter, ln: VLine, on_number_line: bool = False) -> list[Candidate]:
    """The dates of a printed line, each with how sure it is to be the letter's date."""
    out = []
    span = letter.notes.get("number_span") if on_number_line else None
    for chunk in ln.chunks:
        for d in find_dates(chunk.text):
            if span and span[0] is chunk and d.start < span[2] and d.end > span[1]:
                continue  # a date-like piece of the letter number (2/1/2025-राजभाषा)
            before = chunk.text[: d.start]
            tail = before[-16:]
            cue = letter.profile.match(tail, "cues", "date")
            cued = cue is not None
            lead = before[: len(before) - len(tail) + cue.start] if cue else before
            place = PLACE_BEFORE_DATE.search(lead)
            bare = before.strip() == "" or before.rstrip().endswith(",") or \
                PLACE_BEFORE_DATE.fullmatch(before.strip() + " ") is not None
            if cued or on_number_line:
                certainty = 1.0
            else:
                certainty = 0.85 if bare else 0.5
            out.append(Candidate(d.value, ln, certainty, chunk.words_in(d.start, d.end),
                                 place.group(1).strip() if place else None))
    return out
