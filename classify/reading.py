"""What every field finder shares: the letter as printed lines, the cue profile, the received
date, and the Field it answers with (value, confidence 0-1, evidence).

A finder that is unsure returns None: e-Office locks dates once a receipt moves, so an empty
field the clerk fills beats a wrong one nobody notices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from dakscan.classify.layout import Chunk, VLine
from dakscan.classify.profile import CueMatch, Profile, tokens

LEAD = re.compile(r"^[\s:;,./\-–—)+*>]+")
TRAIL = re.compile(r"[\s:;,\-–—(]+$")
HAS_DIGIT = re.compile(r"\d")
LONE_LEAD = re.compile(r"^\s*\S\s+(?=\S)")  # one character standing before the first word
# Lines that start a part of the letter: they end the head, a subject, or an address block.
STRUCTURE = ("subject", "reference", "salutation", "addressee", "copy_to", "sender_block",
             "closing")
# Cue lists that give way to a longer number cue at the same place: 'Ref. No.:' heads the
# letter's own number, not a reference to another letter.
OWN_NUMBER_WINS = ("reference",)


@dataclass
class Field:
    value: object
    confidence: float
    evidence: dict | None = None

    def to_dict(self) -> dict:
        return {"value": self.value, "confidence": round(self.confidence, 2),
                "evidence": self.evidence}


@dataclass
class Letter:
    """The pages as printed lines, and what the finders learn along the way (in `notes`)."""

    lines: list[VLine]
    profile: Profile
    received: date
    notes: dict = field(default_factory=dict)

    @property
    def first_page(self) -> list[VLine]:
        first = min((ln.page for ln in self.lines), default=1)
        return [ln for ln in self.lines if ln.page == first]

    @property
    def right_edge(self) -> int:
        """Where the printed text ends on the right (the widest lines reach it)."""
        edges = sorted(ln.box[2] for ln in self.first_page)
        return edges[int(len(edges) * 0.9)] if edges else 0

    @property
    def left_edge(self) -> int:
        """Where the printed text starts on the left (the margin most lines start at)."""
        starts = sorted(ln.box[0] for ln in self.first_page)
        return starts[int(len(starts) * 0.1)] if starts else 0

    def top_band(self) -> list[VLine]:
        """Page-1 lines above the subject/salutation (the letter's head), at most 18."""
        out = []
        for ln in self.first_page:
            if out and self.is_kind(ln, "subject", "salutation"):
                break
            out.append(ln)
        return out[:18]

    def starts(self, line: VLine | Chunk, section: str, name: str | None = None
               ) -> CueMatch | None:
        """The cue of a list standing first on the line (or chunk)."""
        text = line.text if isinstance(line, Chunk) else line.chunks[0].text
        hit = self.profile.match(text, section, name, at_start=True)
        lead = LONE_LEAD.match(text)
        if hit is None and lead:  # '5 विषयः …': a speck read as a character before the cue
            hit = self.profile.match(text[lead.end():], section, name, at_start=True)
            if hit is not None:
                hit = CueMatch(hit.cue, hit.start + lead.end(), hit.end + lead.end())
        if hit is not None and section == "cues" and name in OWN_NUMBER_WINS:
            own = self.starts(line, "cues", "letter_no")  # 'Ref. No.:' is the letter's own
            if own is not None and own.start <= hit.start and own.end > hit.end:
                return None
        return hit

    def is_kind(self, line: VLine, *names: str) -> bool:
        """Any chunk of the line starts with one of the named cue lists."""
        return any(self.starts(c, "cues", n) for c in line.chunks for n in names)


QUOTES = re.compile("[`'\"‘’“”_~|]+")
EDGE = re.compile(r"^[\s.,:;\-–—!]+|[\s,:;\-–—!]+$")


def tidy(text: str) -> str:
    """A name or designation without OCR's stray quotes and edge punctuation ('"कलेक्टर :')."""
    return re.sub(r"\s+", " ", EDGE.sub("", QUOTES.sub(" ", text))).strip()


def canonical(profile: Profile, text: str, section: str, name: str) -> str | None:
    """The profile's own spelling when `text` is, word for word, one of its cues (OCR's stray
    anusvara and matras in 'अपरं सचिव' do not survive); None when it is not."""
    for form in (text, re.sub(r"(?<=\S)\.(?=\S)|(?<=\S)\.\s", " ", text)):  # 'Under.Secretary'
        hit = profile.match(form, section, name, at_start=True)
        if hit is not None and not any(t.is_word or t.key.isdigit()
                                       for t in tokens(form[hit.end:])):
            return hit.cue
    return None


def words_in(text: str) -> int:
    return len([t for t in tokens(text) if t.is_word])
