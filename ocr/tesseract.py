"""Tesseract through pytesseract: one run per page gives the words (TSV) and the text-only PDF.

One run for both outputs keeps dakscan's cost per page at bare Tesseract's: the PDF layer
is Tesseract's own GlyphLessFont renderer, whose Devanagari text extracts back intact.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import pytesseract
from PIL import Image

from dakscan.ingest.errors import InputError
from dakscan.ocr.normalise import clean_text
from dakscan.ocr.types import Line, PageText, Word

os.environ["OMP_THREAD_LIMIT"] = "1"  # one thread per process beats Tesseract's own (FACTS)


def available_languages() -> set[str]:
    return set(pytesseract.get_languages(config=""))


def parse_tsv(tsv: str, number: int, width: int, height: int, dpi: int) -> PageText:
    """Tesseract TSV rows (level 5 = word) grouped into lines in Tesseract's reading order."""
    lines: dict[tuple[int, int, int], Line] = {}
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        text = clean_text(row.get("text") or "")
        if not text:
            continue
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        x, y, w, h = (int(row[k]) for k in ("left", "top", "width", "height"))
        word = Word(text=text, conf=max(0.0, float(row["conf"])), box=(x, y, x + w, y + h))
        lines.setdefault(key, Line(words=[], block=key[0], par=key[1])).words.append(word)
    return PageText(number=number, width=width, height=height, dpi=dpi, lines=list(lines.values()))


def ocr_page(image: Image.Image, number: int, dpi: int, lang: str,
             timeout: int = 300, psm: int | None = None) -> tuple[PageText, bytes]:
    """OCR one prepared page; returns its words and Tesseract's text-only PDF for the page."""
    config = f"--dpi {dpi} -c textonly_pdf=1 -c tessedit_create_tsv=1"
    if psm is not None:
        config += f" --psm {psm}"
    with tempfile.TemporaryDirectory(prefix="dakscan-ocr-") as tmp:
        src = Path(tmp) / "page.tif"
        image.save(src, "TIFF", dpi=(dpi, dpi))  # uncompressed: cheaper than PNG to write
        base = str(Path(tmp) / "out")
        try:
            pytesseract.pytesseract.run_tesseract(str(src), base, "pdf", lang, config,
                                                  timeout=timeout)
        except RuntimeError as exc:  # pytesseract's timeout
            raise InputError("timeout", str(exc)) from exc
        except pytesseract.TesseractError as exc:
            raise InputError("ocr_failed", str(exc.message)[:200]) from exc
        tsv = Path(base + ".tsv").read_text(encoding="utf-8")
        pdf = Path(base + ".pdf").read_bytes()
    return parse_tsv(tsv, number, image.width, image.height, dpi), pdf


def shrunk(text: PageText, width: int, height: int, dpi: int) -> PageText:
    """The page's words with boxes brought back to a page of `width`×`height` pixels."""
    fx, fy = width / text.width, height / text.height
    for word in text.words:
        x0, y0, x1, y1 = word.box
        word.box = (round(x0 * fx), round(y0 * fy), round(x1 * fx), round(y1 * fy))
    text.width, text.height, text.dpi = width, height, dpi
    return text
