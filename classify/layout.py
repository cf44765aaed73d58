"""Printed lines rebuilt from word boxes, not from Tesseract's line order.

Tesseract sometimes puts the right-hand date of the number line after the body, or splits one
printed line into blocks; grouping words by vertical overlap restores the printed line, and a
wide horizontal gap splits it into chunks (number on the left, place and date on the right).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from dakscan.ocr.normalise import for_matching
from dakscan.ocr.types import PageText, Word


@dataclass
class Chunk:
    """Words printed close together on one line, with their matching-form text and offsets."""

    words: list[Word]
    text: str = ""
    offsets: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts = [for_matching(w.text) for w in self.words]
        for i in range(len(parts) - 1):  # visarga-for-colon split off: "विषयः -"
            if parts[i].endswith("\u0903") and parts[i + 1][:1] in "-:":
                parts[i] = parts[i][:-1] + ":"
        pos, offsets = 0, []
        for p in parts:
            offsets.append((pos, pos + len(p)))
            pos += len(p) + 1
        self.text = " ".join(parts)
        self.offsets = offsets

    def words_in(self, start: int, end: int) -> list[Word]:
        """The words whose text overlaps characters start..end of `text`."""
        return [w for w, (a, b) in zip(self.words, self.offsets, strict=True)
                if a < end and b > start]

    @property
    def x0(self) -> int:
        return self.words[0].box[0]


@dataclass
class VLine:
    page: int
    words: list[Word]
    index: int = 0
    chunks: list[Chunk] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "   ".join(c.text for c in self.chunks)

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (min(w.box[0] for w in self.words), min(w.box[1] for w in self.words),
                max(w.box[2] for w in self.words), max(w.box[3] for w in self.words))

    @property
    def height(self) -> int:
        hs = sorted(w.box[3] - w.box[1] for w in self.words)
        return max(1, hs[len(hs) // 2])

    @property
    def conf(self) -> float:
        return sum(w.conf for w in self.words) / len(self.words) / 100.0

    def evidence(self, words: list[Word] | None = None) -> dict:
        ws = words or self.words
        return {"page": self.page, "line": self.text, "boxes": [list(w.box) for w in ws]}


JUNK = set("`'\"‘’“”_~^|¦•·\u0951\u0952")
DASHES = set("-–—")
DASH_CONF = 80  # a printed ' - ' between words is thin but read with confidence; dust is not


def is_speck(word: Word, median_height: float) -> bool:
    """Dust and stray marks OCR read as words: quote/underscore-only 'words', lone vowel signs,
    and tiny low-confidence boxes (a speck read as 'द' must not end a letter number). A dash
    standing between words is tiny too, but wide and read with confidence: it stays."""
    text = word.text.strip()
    if not text or all(c in JUNK or unicodedata.category(c).startswith("M") for c in text):
        return True
    width, height = word.box[2] - word.box[0], word.box[3] - word.box[1]
    tiny = height < 0.3 * median_height
    if tiny and set(text) <= DASHES and word.conf >= DASH_CONF and width >= 2 * height:
        return False  # the dash of 'scheme - release of …': thin, wide and clearly read
    return tiny and (word.conf < 50 or not any(c.isalnum() for c in text))


def visual_lines(page: PageText) -> list[VLine]:
    """Words grouped into printed lines (top to bottom), each split into chunks by wide gaps."""
    heights = sorted(w.box[3] - w.box[1] for w in page.words if w.text.strip())
    median = heights[len(heights) // 2] if heights else 0
    words = sorted((w for w in page.words if not is_speck(w, median)),
                   key=lambda w: (w.box[1] + w.box[3]) / 2)
    lines: list[list[Word]] = []
    for w in words:
        cy = (w.box[1] + w.box[3]) / 2
        for line in reversed(lines[-3:]):
            top = sorted(x.box[1] for x in line)[len(line) // 2]
            bottom = sorted(x.box[3] for x in line)[len(line) // 2]
            if top <= cy <= bottom:
                line.append(w)
                break
        else:
            lines.append([w])
    out = []
    for i, ws in enumerate(lines):
        ws.sort(key=lambda w: w.box[0])
        vl = VLine(page=page.number, words=ws, index=i)
        vl.chunks = [Chunk(c) for c in _split(ws, vl.height)]
        out.append(vl)
    return out


def _split(words: list[Word], height: int) -> list[list[Word]]:
    groups: list[list[Word]] = [[words[0]]]
    for prev, w in zip(words, words[1:], strict=False):
        if w.box[0] - prev.box[2] > 2.5 * height:
            groups.append([w])
        else:
            groups[-1].append(w)
    return groups
