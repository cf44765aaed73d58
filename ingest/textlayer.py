"""Born-digital PDF pages: keep their own text instead of OCR'ing a picture of it.

A page counts as born-digital when it carries enough readable text and is not just a scan
with an old OCR layer (one image covering most of the page).
"""

from __future__ import annotations

import re

import pdfplumber

from dakscan.ingest.pages import PageRef
from dakscan.ocr.normalise import clean_text, script_share
from dakscan.ocr.types import Line, PageText, Word

MIN_LETTERS = 30
# A word cannot begin with a dependent vowel sign, a virama, a nukta or anusvara/visarga.
MARK_FIRST = re.compile(r"^[\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963]")
SCAN_COVER = 0.8
# Pre-Unicode Hindi typing fonts map Devanagari glyphs onto Latin code points: their "text"
# extracts as gibberish (dk;kZy; for कार्यालय), so such pages are OCR'd instead.
LEGACY_HINDI_FONTS = ("krutidev", "kruti dev", "kruti-dev", "devlys", "chanakya", "shusha",
                      "agra", "aps-dv", "dv-ttyogesh", "walkman", "akruti", "shree-dev",
                      "sushadevanagari")


def text_layer(ref: PageRef, dpi: int) -> PageText | None:
    """The page's own words, boxes in pixels at `dpi`; None when it must be OCR'd."""
    if ref.kind != "pdf":
        return None
    try:
        with pdfplumber.open(ref.path) as pdf:
            page = pdf.pages[ref.index]
            if _scanned(page) or _legacy_font(page):
                return None
            words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
            width, height = float(page.width), float(page.height)
    except Exception:  # noqa: BLE001 - an unreadable text layer just means "OCR it"
        return None
    text = " ".join(w["text"] for w in words)
    deva, latin = script_share(text)
    if deva + latin < MIN_LETTERS or "(cid:" in text or visual_order(text):
        return None
    k = dpi / 72
    lines: dict[int, Line] = {}
    for w in words:
        t = clean_text(w["text"])
        if not t:
            continue
        key = round(float(w["bottom"]) / 4)
        box = (int(w["x0"] * k), int(w["top"] * k), int(w["x1"] * k), int(w["bottom"] * k))
        lines.setdefault(key, Line(words=[])).words.append(Word(t, 100.0, box))
    ordered = [lines[k2] for k2 in sorted(lines)]
    for line in ordered:
        line.words.sort(key=lambda w: w.box[0])
    return PageText(number=ref.index + 1, width=int(width * k), height=int(height * k), dpi=dpi,
                    lines=ordered, source="text-layer")


def visual_order(text: str) -> bool:
    """Devanagari extracted in the glyphs' visual order (Word/Mangal exports often put the
    i-matra first: 'िहंदी' for 'हिंदी'): words that begin with a vowel sign or virama cannot
    be real, and such text would never be found by a search, so the page is OCR'd."""
    words = [w for w in text.split() if any("\u0900" <= c <= "\u097f" for c in w)]
    broken = sum(1 for w in words if MARK_FIRST.match(w))
    return broken >= 2 and broken > len(words) * 0.02


def _legacy_font(page) -> bool:
    names = {str(c.get("fontname", "")).lower() for c in page.chars[:2000]}
    return any(legacy in name for name in names for legacy in LEGACY_HINDI_FONTS)


def _scanned(page) -> bool:
    area = float(page.width * page.height) or 1.0
    for im in page.images:
        w = abs(float(im["x1"]) - float(im["x0"]))
        h = abs(float(im["bottom"]) - float(im["top"]))
        if w * h / area >= SCAN_COVER:
            return True
    return False
