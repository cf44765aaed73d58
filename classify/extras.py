"""The smaller diary fields: references (संदर्भ / प्रसंग / Ref: number and date), enclosures (count
when stated), a deadline (… तक, by …, पेशी दिनांक) and case numbers (W.P. No., रिट याचिका, RTI
registration, assembly question number).
"""

from __future__ import annotations

import re

from dakscan.classify.dates import find_dates
from dakscan.classify.number import tidy_number
from dakscan.classify.reading import HAS_DIGIT, Field, Letter

UNTIL = re.compile(r"\s*(तक|से पूर्व|के पूर्व)(?![\u0900-\u097F])")
COUNT_WORDS = {"एक": 1, "दो": 2, "तीन": 3, "चार": 4, "पांच": 5, "पाँच": 5, "one": 1, "two": 2,
               "three": 3, "four": 4, "five": 5}


def references(letter: Letter) -> Field | None:
    """[{no, date}] from the lines a reference cue starts, with the first line as evidence."""
    refs, first = [], None
    for i, ln in enumerate(letter.lines):
        cue = letter.starts(ln, "cues", "reference")
        if cue is None:
            continue
        text = ln.text[cue.end:]
        nxt = letter.lines[i + 1] if i + 1 < len(letter.lines) else None
        if not find_dates(text) and nxt is not None and nxt.box[0] > ln.box[0] + ln.height:
            text += " " + nxt.text  # a reference wrapped onto an indented line
        refs.append(_reference(letter, text))
        first = first or ln
    if not refs or first is None:
        return None
    return Field(refs, min(0.85, first.conf), first.evidence())


def _reference(letter: Letter, text: str) -> dict:
    dates = find_dates(text)
    inner = letter.profile.match(text, "cues", "letter_no")
    tail = text[inner.end:] if inner else text
    tail_dates = find_dates(tail)
    no = None
    pos = 0
    for tok in re.split(r"\s+", tail):
        at = tail.find(tok, pos)
        pos = at + len(tok)
        if tok and HAS_DIGIT.search(tok) and not any(d.start <= at < d.end for d in tail_dates):
            no = tidy_number(tok)
            break
    return {"no": no, "date": dates[0].value.isoformat() if dates else None}


def enclosures(letter: Letter) -> Field | None:
    for ln in letter.lines:
        cue = letter.starts(ln, "cues", "enclosure")
        if cue is None:
            continue
        rest = ln.text[cue.end:]
        m = re.search(r"\d+", rest)
        if m:
            return Field(int(m.group()), 0.8, ln.evidence())
        word = next((COUNT_WORDS[w.lower()] for w in re.findall(r"\w+", rest)
                     if w.lower() in COUNT_WORDS), None)
        return Field(word, 0.7 if word else 0.5, ln.evidence())
    return None


def deadline(letter: Letter) -> Field | None:
    """A date followed by तक / से पूर्व, or after a deadline cue (पेशी दिनांक, by, latest by)."""
    for ln in letter.lines:
        if letter.is_kind(ln, "reference", "inward", "endorsement_no"):
            continue
        text = ln.text
        for d in find_dates(text):
            before = text[max(0, d.start - 24):d.start]
            if UNTIL.match(text[d.end:]) or letter.profile.match(before, "cues", "deadline"):
                return Field(d.value.isoformat(), 0.8, ln.evidence())
    return None


def case_numbers(letter: Letter) -> Field | None:
    found, first = [], None
    for ln in letter.lines:
        for chunk in ln.chunks:
            cue = letter.profile.match(chunk.text, "case", "cues")
            if cue is None or chunk.text[:cue.start].endswith("/"):
                continue  # 'No. 5678/W.P./2025': a section inside a letter number
            rest = re.split(r"\s(?:दिनांक|dated|Dated|दि\.)", chunk.text[cue.end:])[0]
            value = tidy_number(rest)
            value = value.split(" ")[0] if value else value
            if value and HAS_DIGIT.search(value):
                found.append(value)
                first = first or ln
    if not found or first is None:
        return None
    return Field(list(dict.fromkeys(found)), min(0.85, first.conf), first.evidence())
