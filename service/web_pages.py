"""Page pictures for the review screen, drawn from the archived (signed) PDF on request.

The evidence boxes the metadata reader stores are pixel boxes on the straightened page image
at that page's own dpi; the archived PDF holds exactly that image, so a box divided by the
image's pixel size is where it sits on any rendering of the page.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium

WIDTHS = (600, 900, 1200, 1600, 2000)  # rendered widths offered; few variants, cacheable
CACHE_ITEMS = 48


@dataclass(frozen=True)
class PageGeometry:
    number: int
    width_pt: float
    height_pt: float
    width_px: float  # the pixel size evidence boxes are measured in
    height_px: float


def geometry(pdf_path: Path, default_dpi: int) -> list[PageGeometry]:
    """Each page's size in points and in the pixels its OCR boxes use.

    A scanned page is one full-page image: its pixel size is the image's. A born-digital page
    was read from its text layer at the configured dpi.
    """
    out = []
    with pikepdf.open(pdf_path) as pdf:
        for i, page in enumerate(pdf.pages, start=1):
            box = [float(v) for v in page.mediabox]
            w_pt, h_pt = box[2] - box[0], box[3] - box[1]
            px = _single_image_size(page)
            if px is None:
                px = (w_pt * default_dpi / 72.0, h_pt * default_dpi / 72.0)
            out.append(PageGeometry(i, w_pt, h_pt, float(px[0]), float(px[1])))
    return out


def _single_image_size(page: pikepdf.Page) -> tuple[int, int] | None:
    try:
        images = list(page.get_images(recursive=False).values())
    except (KeyError, AttributeError, pikepdf.PdfError):
        return None
    if len(images) != 1:
        return None
    return int(images[0].Width), int(images[0].Height)


def evidence_fractions(evidence: dict | None, pages: list[PageGeometry]) -> dict | None:
    """Evidence boxes as fractions (0-1) of their page, ready to overlay at any zoom."""
    if not isinstance(evidence, dict):
        return None
    try:
        number = int(evidence.get("page") or 1)
        geo = pages[number - 1]
        boxes = [[round(b[0] / geo.width_px, 5), round(b[1] / geo.height_px, 5),
                  round(b[2] / geo.width_px, 5), round(b[3] / geo.height_px, 5)]
                 for b in evidence.get("boxes") or [] if len(b) == 4]
    except (IndexError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not boxes:
        return None
    return {"page": number, "boxes": boxes}


def pick_width(asked: int | None) -> int:
    """The smallest offered width at least as wide as asked (the largest if none is)."""
    asked = asked or WIDTHS[1]
    return next((w for w in WIDTHS if w >= asked), WIDTHS[-1])


class PageRenderer:
    """PNG renderings of PDF pages, cached by (file, page, width); thread-safe."""

    def __init__(self, items: int = CACHE_ITEMS) -> None:
        self.items = items
        self._cache: OrderedDict[tuple[str, int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def png(self, pdf_path: Path, number: int, width: int) -> bytes:
        key = (str(pdf_path), number, width)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        data = render_png(pdf_path, number, width)
        with self._lock:
            self._cache[key] = data
            while len(self._cache) > self.items:
                self._cache.popitem(last=False)
        return data


_render_lock = threading.Lock()  # pdfium is not thread-safe


def render_png(pdf_path: Path, number: int, width: int) -> bytes:
    """One page (1-based) as a PNG `width` pixels wide. IndexError for a page not there."""
    with _render_lock:
        pdf = pdfium.PdfDocument(str(pdf_path))
        try:
            if not 1 <= number <= len(pdf):
                raise IndexError(number)
            page = pdf[number - 1]
            scale = width / page.get_width()
            image = page.render(scale=scale).to_pil()
            page.close()
        finally:
            pdf.close()
    buf = io.BytesIO()
    image.convert("L" if image.mode in ("L", "1") else "RGB").save(buf, "PNG", optimize=False)
    return buf.getvalue()
