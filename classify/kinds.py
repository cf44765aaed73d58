"""What kind of dak it is: priority and time-bound stamps, security grading, letter type, and
whether a VIP (MP, MLA, Minister) wrote it.

A stamp is a short chunk of its own in the head (अति आवश्यक, MOST IMMEDIATE, गोपनीय), never a
word inside a sentence: "यह आदेश तत्काल प्रभाव से लागू होगा" is not an immediate letter.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from dakscan.classify.layout import Chunk, VLine
from dakscan.classify.reading import STRUCTURE, Field, Letter, words_in

PRIORITIES = ["most_immediate", "immediate", "priority"]
SECURITY = ["top_secret", "secret", "confidential", "restricted"]
CONTENT_TYPES = ("rti_application", "court_notice", "assembly_question", "complaint")
MAX_OTHER_WORDS = 2  # words in a stamp chunk besides the cue (तत्काल / IMMEDIATE)
HEAD_LINES = 12


NOT_STAMPS = (*STRUCTURE, "letter_no", "reference", "inward", "date")


def _stamp_chunks(letter: Letter) -> list[tuple[VLine, Chunk]]:
    """Chunks of the head that are not a number, date, subject or address (a stamp may stand
    at the right end of the number line, apart from it)."""
    return [(ln, c) for ln in letter.top_band()[:HEAD_LINES] for c in ln.chunks
            if not any(letter.starts(c, "cues", n) for n in NOT_STAMPS)]


def stamp(letter: Letter, section: str, order: list[str]) -> Field | None:
    """The highest level (first in `order`) whose cue stands as a stamp in the head."""
    chunks = _stamp_chunks(letter)
    for name in order:
        for ln, chunk in chunks:
            hit = letter.profile.match(chunk.text, section, name)
            if hit is None:
                continue
            own = words_in(chunk.text[hit.start:hit.end])
            stamps = _other_stamps(letter, chunk.text) - own
            before = words_in(chunk.text[:hit.start])
            others = words_in(chunk.text) - own
            if others > MAX_OTHER_WORDS + stamps or before > stamps:
                continue  # a word inside a line ('Under Secretary'), not a stamp
            return Field(name, min(0.95, ln.conf), ln.evidence(chunk.words))
    for name in order:  # 'IMM EDIATE', 'CONFIDEN TIAL': a Latin stamp OCR broke in two
        for ln, chunk in chunks:
            if _squashed_stamp(letter, chunk.text, section, name):
                return Field(name, min(0.8, ln.conf), ln.evidence(chunk.words))
    return None


LATIN_ONLY = re.compile(r"^[A-Za-z\s./-]+$")
SQUASHED_MIN = 90


def _squashed_stamp(letter: Letter, text: str, section: str, name: str) -> bool:
    """A short all-Latin chunk whose letters, run together, spell one of the list's cues."""
    if not LATIN_ONLY.match(text) or len(text.split()) > MAX_OTHER_WORDS + 2:
        return False
    letters = re.sub(r"[^A-Z]", "", text.upper())
    return any(fuzz.ratio(letters, re.sub(r"[^A-Z]", "", cue.text.upper())) >= SQUASHED_MIN
               for cue in letter.profile.cues(section, name) if cue.text.isascii())


def _other_stamps(letter: Letter, text: str) -> int:
    """Words of other stamps on the same chunk ('अति आवश्यक / समय-सीमा / गोपनीय')."""
    n = 0
    for section in ("priority", "security"):
        for name in letter.profile.names(section):
            hit = letter.profile.match(text, section, name)
            if hit is not None:
                n += words_in(text[hit.start:hit.end])
    return n


def priority(letter: Letter) -> tuple[Field, Field]:
    """(priority, time_bound)."""
    level = stamp(letter, "priority", PRIORITIES) or Field("normal", 0.7)
    bound = stamp(letter, "priority", ["time_bound"])
    return level, Field(bound is not None, bound.confidence if bound else 0.7,
                        bound.evidence if bound else None)


def security(letter: Letter) -> Field:
    return stamp(letter, "security", SECURITY) or Field("normal", 0.7)


def is_vip(letter: Letter, designation: str) -> bool:
    return bool(designation) and \
        letter.profile.match(designation, "vip", "designations") is not None


def _title(text: str) -> str:
    """'O R D E R' / 'आ दे श': a letter-spaced title read as the word it spells."""
    parts = text.split()
    if len(parts) >= 3 and all(len(p) <= 2 for p in parts):
        return "".join(parts)
    return text


def letter_type(letter: Letter, subject_text: str, vip: bool, structured: bool = True) -> Field:
    """A title line (आदेश, परिपत्र, OFFICE MEMORANDUM) or the number cue naming the kind; else
    the content (RTI, court, assembly question, complaint); else a VIP's or a plain letter;
    'other' when the page has none of a letter's parts (number, subject, address, sign-off)."""
    number_line = letter.notes.get("number_line")
    number_text = number_line.chunks[0].text if number_line is not None else ""
    band = letter.top_band()
    for name in letter.profile.names("letter_type"):
        for ln in band:
            for chunk in ln.chunks:
                title = _title(chunk.text)
                if _names_branch(letter, chunk.text):
                    continue  # 'शिकायत शाखा': a branch of the office, not a title
                if words_in(title) <= 4 and \
                        letter.profile.match(title, "letter_type", name, at_start=True):
                    return Field(name, min(0.9, ln.conf), ln.evidence(chunk.words))
        if number_text and letter.profile.match(number_text, "letter_type", name, at_start=True):
            return Field(name, 0.85, number_line.evidence())  # 'आदेश क्रमांक', 'D.O. No.'

    head = " ".join(ln.text for ln in band) + " " + subject_text
    # an office's own name ('कार्यालय कलेक्टर (शिकायत शाखा)') does not make its letter a complaint
    own = " ".join(ln.text for ln in band if not _names_office(letter, ln)) + " " + subject_text
    for name in CONTENT_TYPES:
        if name == "complaint" and number_line is not None:
            continue  # an office's numbered letter about complaints; a citizen numbers none
        if letter.profile.match(head if name == "court_notice" else own, "letter_type", name):
            return Field(name, 0.75, None)
    if vip:
        return Field("vip_reference", 0.8, None)
    return Field("letter", 0.7, None) if structured else Field("other", 0.5, None)


def _names_office(letter: Letter, ln: VLine) -> bool:
    return any(letter.profile.match(c.text, "sender", "office") or _names_branch(letter, c.text)
               for c in ln.chunks)


def _names_branch(letter: Letter, text: str) -> bool:
    return letter.profile.match(text, "sender", "branch") is not None
