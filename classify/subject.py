"""The subject (विषय:-, विषयः-, Subject:, Sub:) with its continuation lines.

A continuation line is one that the subject ran on to: indented under the subject's text, or
after a line that was printed full to the right margin; it stops at a reference, salutation,
address or body line, a wide gap, or where the subject's sentence ended.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from dakscan.classify.layout import VLine
from dakscan.classify.profile import CueMatch, skeleton
from dakscan.classify.reading import LEAD, STRUCTURE, TRAIL, Field, Letter

MARKS = "[\u0900-\u0903\u093a-\u094f]*"  # OCR adds or drops a sign: 'बाबत्', 'बाबतं'
SENTENCE_END = re.compile(rf"(।|\.|!|बाबत{MARKS}|संबंध में|सम्बन्ध में|regarding)\W*$")
MAX_CONTINUATION = 3
CUE_SHAPE = re.compile(r"^([\u0900-\u097F]{2,10})\s*[:\u0903]\s*-")
GARBLED_MIN = 60  # skeleton similarity (0-100) of a garbled word to a subject cue
GARBLED_CONFIDENCE = 0.5  # below the review line: the clerk confirms
HEAD_LINES = 20
JUNK_EDGE = re.compile(r"^[^\w\u0900-\u097F(\"'‘“]+|(?<=[।.])[^\w\u0900-\u097F)\"'’”]+$")


def subject(letter: Letter) -> Field | None:
    """The subject after its cue; failing that, after a cue-shaped word OCR garbled."""
    return _subject(letter, exact=True) or _subject(letter, exact=False)


def _garbled_cue(letter: Letter, ln: VLine) -> CueMatch | None:
    """'विषद्ः-', 'विष्रयः-': a Devanagari word with a colon-dash that looks like a subject cue,
    in the head of page 1 (where no other cue stands)."""
    m = CUE_SHAPE.match(ln.chunks[0].text)
    if m is None or letter.is_kind(ln, *STRUCTURE, "letter_no", "date", "enclosure"):
        return None
    word = skeleton(m.group(1))
    best = max((fuzz.ratio(word, c.toks[0].key) for c in letter.profile.cues("cues", "subject")
                if c.toks and c.toks[0].strict), default=0)
    return CueMatch(m.group(1), 0, m.end()) if best >= GARBLED_MIN else None


def _subject(letter: Letter, exact: bool) -> Field | None:
    lines = letter.lines if exact else letter.first_page[:HEAD_LINES]
    for i, ln in enumerate(lines):
        cue = letter.starts(ln, "cues", "subject") if exact else _garbled_cue(letter, ln)
        if cue is None:
            continue
        chunk = ln.chunks[0]
        head = LEAD.sub("", chunk.text[cue.end:])
        if len(ln.chunks) > 1:  # a subject that wraps far apart is still one printed line
            head = " ".join([head, *(c.text for c in ln.chunks[1:])])
        parts = [head] if head else []
        after = [w for w, (a, _) in zip(chunk.words, chunk.offsets, strict=True) if a >= cue.end]
        after = [w for w in after if any(c.isalnum() for c in w.text)]
        x_text = after[0].box[0] if after else chunk.x0 + 3 * ln.height
        used = [ln]
        for nxt in lines[i + 1: i + 1 + MAX_CONTINUATION]:
            if not _continues(letter, used[-1], nxt, (chunk.x0, x_text), " ".join(parts)):
                break
            parts.append(nxt.text)
            used.append(nxt)
        value = TRAIL.sub("", " ".join(p.strip() for p in parts if p.strip())).strip()
        value = JUNK_EDGE.sub("", value)
        if value:
            conf = min(x.conf for x in used) if exact else GARBLED_CONFIDENCE
            words = [w for x in used for w in x.words]
            return Field(value, min(0.95, conf), {**ln.evidence(words),
                                                 "line": " ".join(x.text for x in used)})
    return None


def _continues(letter: Letter, prev: VLine, nxt: VLine, xs: tuple[int, int], so_far: str
               ) -> bool:
    """xs: where the subject line's cue and its text start."""
    x_cue, x_text = xs
    gap = nxt.box[1] - prev.box[3]
    if nxt.page != prev.page or gap > 1.6 * prev.height or SENTENCE_END.search(so_far):
        return False
    if letter.is_kind(nxt, *STRUCTURE, "letter_no"):
        return False
    if nxt.box[0] >= x_text - prev.height:
        return True  # hanging indent under the subject's text
    full = letter.right_edge - 4 * prev.height
    if nxt.box[0] >= (x_cue + x_text) / 2 and nxt.box[2] < full:
        # indented with spaces in a proportional font: short of the text's start, but well
        # in from the cue; a body paragraph's indented first line runs on to the margin
        return True
    # back at the margin: only the wrapped end of the subject (a body paragraph's first line
    # runs to the right margin without ending its sentence)
    return prev.box[2] >= full and (nxt.box[2] < full or bool(SENTENCE_END.search(nxt.text)))
