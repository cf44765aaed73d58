"""One page, start to finish in one worker process: load, stand upright, straighten, OCR.

Up/down is settled by OCR confidence: the page is read once at the orientation the
line-profile analysis gives, and only when that reads poorly is it read turned 180° too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dakscan.ingest.assemble import PageOut, encode_jpeg
from dakscan.ingest.pages import PageRef, load_page
from dakscan.ingest.prepare import flip, prepare
from dakscan.ingest.textlayer import text_layer
from dakscan.ocr.tesseract import ocr_page, shrunk
from dakscan.ocr.types import PageText

GOOD_CONFIDENCE = 60.0


@dataclass(frozen=True)
class PageOptions:
    lang: str = "Devanagari"
    dpi: int = 300
    max_pixels: int = 80_000_000
    timeout: int = 300
    rasterise: bool = False  # born-digital pages too (their fonts cannot go into PDF/A)


@dataclass
class PageResult:
    text: PageText
    out: PageOut
    rotation: int = 0
    skew_deg: float = 0.0
    info: dict = field(default_factory=dict)

    @property
    def summary(self) -> dict:
        return {"number": self.text.number, "rotation": self.rotation,
                "skew_deg": self.skew_deg, "ocr_confidence": round(self.text.confidence, 1),
                "source": self.text.source, "words": len(self.text.words), **self.info}


def recognise_page(ref: PageRef, opts: PageOptions) -> PageResult:
    """The page's text, its PDF contribution, and how it was turned."""
    number = ref.index + 1
    layer = text_layer(ref, opts.dpi)
    if layer is not None and not opts.rasterise:
        out = PageOut(number=number, width=layer.width, height=layer.height, dpi=opts.dpi,
                      source_index=ref.index)
        return PageResult(text=layer, out=out)
    result = _ocr_page(ref, opts, number)
    if layer is not None:  # the register keeps the page's own text; the PDF gets a picture
        result.text = layer
    return result


def _ocr_page(ref: PageRef, opts: PageOptions, number: int) -> PageResult:
    image, dpi = load_page(ref, opts.dpi, opts.max_pixels)
    prep = prepare(image, dpi)
    text, pdf = ocr_page(prep.ocr, number, prep.ocr_dpi, opts.lang, opts.timeout)
    if text.confidence < GOOD_CONFIDENCE:
        other = flip(prep)
        text2, pdf2 = ocr_page(other.ocr, number, prep.ocr_dpi, opts.lang, opts.timeout)
        if text2.confidence > text.confidence:
            prep, text, pdf = other, text2, pdf2
    if prep.ocr_dpi != dpi:  # read enlarged: boxes back onto the archived picture's pixels
        text = shrunk(text, prep.original.width, prep.original.height, dpi)
    jpeg, mode = encode_jpeg(prep.original)
    out = PageOut(number=number, width=prep.original.width, height=prep.original.height,
                  dpi=dpi, jpeg=jpeg, mode=mode, text_pdf=pdf)
    return PageResult(text=text, out=out, rotation=prep.rotation, skew_deg=prep.skew_deg)
