"""OCR'd pages built by hand for the metadata rule tests: words with boxes where a printer puts
them, so the layout rules (printed lines, wide gaps, columns) see what real OCR hands over."""

from __future__ import annotations

from datetime import UTC, datetime

from dakscan.classify.metadata import dak_fields, extract
from dakscan.classify.profile import load_profile
from dakscan.ocr.types import Line, PageText, Word

RECEIVED = datetime(2025, 8, 20, 10, 0, tzinfo=UTC)
CHAR = 18  # px per character
SPACE = 14
LINE = 80


def line_words(text: str, y: int, conf: float = 92.0) -> list[Word]:
    """Words of one printed line; each extra space widens the gap (3+ spaces: a wide gap)."""
    words, x = [], 100
    for part in text.split(" "):
        if part == "":
            x += 60
            continue
        w = CHAR * len(part)
        words.append(Word(part, conf, (x, y, x + w, y + 40)))
        x += w + SPACE
    return words


def page(*lines: str, conf: float = 92.0, number: int = 1) -> PageText:
    out = []
    for i, text in enumerate(lines):
        words = line_words(text, 100 + i * LINE, conf)
        if words:
            out.append(Line(words=words))
    return PageText(number=number, width=2480, height=3508, dpi=300, lines=out)


def meta(*lines: str, received: datetime = RECEIVED, profile: str = "default",
         conf: float = 92.0) -> dict:
    return extract([page(*lines, conf=conf)], received, load_profile(profile))


def fields(*lines: str, received: datetime = RECEIVED, profile: str = "default") -> dict:
    return dak_fields(meta(*lines, received=received, profile=profile))


HEAD = "कार्यालय कलेक्टर, जिला धमतरी"
