"""What OCR (or a born-digital text layer) hands to the later stages: words with boxes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Word:
    text: str
    conf: float  # 0-100, as Tesseract reports it; 100 for a born-digital text layer
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in page pixels at the page's dpi


@dataclass
class Line:
    words: list[Word]
    block: int = 0
    par: int = 0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def box(self) -> tuple[int, int, int, int]:
        xs0, ys0, xs1, ys1 = zip(*(w.box for w in self.words), strict=True)
        return min(xs0), min(ys0), max(xs1), max(ys1)

    @property
    def conf(self) -> float:
        return sum(w.conf for w in self.words) / len(self.words) if self.words else 0.0


@dataclass
class PageText:
    """One page's text in reading order; lines carry word boxes for evidence and layout."""

    number: int  # 1-based
    width: int
    height: int
    dpi: int
    lines: list[Line] = field(default_factory=list)
    source: str = "ocr"  # "ocr" or "text-layer"

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]

    @property
    def confidence(self) -> float:
        """Mean word confidence 0-100, weighted by word length so stray marks count little."""
        words = self.words
        total = sum(len(w.text) for w in words)
        return sum(w.conf * len(w.text) for w in words) / total if total else 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> PageText:
        lines = [Line(words=[Word(w["text"], w["conf"], tuple(w["box"])) for w in ln["words"]],
                      block=ln.get("block", 0), par=ln.get("par", 0)) for ln in d["lines"]]
        return cls(number=d["number"], width=d["width"], height=d["height"], dpi=d["dpi"],
                   lines=lines, source=d.get("source", "ocr"))
