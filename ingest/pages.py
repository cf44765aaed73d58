"""Open an input file as a sequence of pages, refusing damaged or hostile files up front.

Pages are addressed by (path, index) so worker processes each decode only their own page:
memory stays bounded by pages in flight, not by the document's length.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image, ImageFile, ImageOps, ImageSequence

from dakscan.ingest.errors import InputError
from dakscan.ingest.sniff import check_complete, sniff

Image.MAX_IMAGE_PIXELS = None  # dakscan checks the declared size itself, before decoding
ImageFile.LOAD_TRUNCATED_IMAGES = False
A4_WIDTH_IN = 8.27
MIN_SIDE_PX = 50  # 1/6 inch at 300 dpi: nothing smaller is a page, and PDF/A needs >= 3 units
MAX_SIDE_IN = 200  # PDF/A caps a page side at 14400 units (200 inches)
PDF_SIDE_PT = (3, 14400)


@dataclass(frozen=True)
class PageRef:
    path: str
    kind: str
    index: int


@dataclass
class Document:
    path: Path
    kind: str
    pages: list[PageRef]


def open_document(path: Path, max_pages: int, max_pixels: int) -> Document:
    """Sniff, check completeness and size, count pages; InputError with a reason otherwise."""
    path = Path(path)
    kind = sniff(path)
    check_complete(path, kind)
    if kind == "pdf":
        count = _pdf_pages(path, max_pixels)
    else:
        count = _image_frames(path, max_pixels, max_pages)
    if count == 0:
        raise InputError("no_pages")
    if count > max_pages:
        raise InputError("too_many_pages", f"{count} > {max_pages}")
    return Document(path, kind, [PageRef(str(path), kind, i) for i in range(count)])


def _pdf_pages(path: Path, max_pixels: int) -> int:
    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted:
                raise InputError("encrypted")
            warned = [w for w in pdf.get_warnings()
                      if "recover" in w.lower() or "xref" in w.lower()]
            if warned:
                raise InputError("truncated", warned[0][:120])
            for page in pdf.pages:
                _check_pdf_page(page, max_pixels)
            return len(pdf.pages)
    except pikepdf.PasswordError as exc:
        raise InputError("encrypted") from exc
    except pikepdf.PdfError as exc:
        raise InputError("truncated", str(exc)[:120]) from exc


def _check_pdf_page(page: pikepdf.Page, max_pixels: int) -> None:
    """A page PDF/A cannot hold (under 3 or over 14400 units a side), or one whose picture
    would decode past the pixel limit (a compressed-zeros bomb), is refused up front."""
    for image in _page_images(page):
        w, h = int(image.get("/Width", 0)), int(image.get("/Height", 0))
        if w * h > max_pixels:
            raise InputError("too_large", f"embedded image {w}x{h}")
    try:
        box = page.mediabox
        w, h = abs(float(box[2]) - float(box[0])), abs(float(box[3]) - float(box[1]))
        unit = float(page.obj.get("/UserUnit", 1))
    except (TypeError, ValueError, IndexError, pikepdf.PdfError) as exc:
        raise InputError("truncated", f"page box: {exc}"[:120]) from exc
    w, h = w * unit, h * unit
    if min(w, h) < PDF_SIDE_PT[0]:
        raise InputError("too_small", f"{w:.1f}x{h:.1f} pt")
    if max(w, h) > PDF_SIDE_PT[1]:
        raise InputError("too_large", f"{w:.0f}x{h:.0f} pt")


def _page_images(page: pikepdf.Page) -> list[pikepdf.Object]:
    try:
        xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
        return [x for x in xobjects.values()
                if isinstance(x, pikepdf.Stream) and x.get("/Subtype") == "/Image"]
    except (AttributeError, TypeError, ValueError, pikepdf.PdfError):
        return []  # odd resources: the renderer's own pixel limit still applies


def _image_frames(path: Path, max_pixels: int, max_pages: int) -> int:
    """Decode every frame once: a truncated strip or scan fails here, not half-way through.

    Counting stops past `max_pages`: a TIFF of a million frames is refused, not decoded."""
    try:
        with Image.open(path) as img:
            count = 0
            for frame in ImageSequence.Iterator(img):
                w, h = frame.size
                if w * h > max_pixels or w > 60000 or h > 60000:
                    raise InputError("too_large", f"{w}x{h}")
                if min(w, h) < MIN_SIDE_PX:
                    raise InputError("too_small", f"{w}x{h}")
                frame.load()
                count += 1
                if count > max_pages:
                    break
            return count
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types on damaged files
        raise InputError("truncated", f"{type(exc).__name__}: {exc}"[:120]) from exc


def image_dpi(img: Image.Image) -> int:
    """The page's resolution; missing or implausible (phone photos say 72) → from A4 width."""
    dpi = img.info.get("dpi", (0, 0))
    try:
        value = round(float(dpi[0]))
    except (TypeError, ValueError, IndexError):
        value = 0
    if not 100 <= value <= 1200:
        value = max(100, min(600, round(min(img.size) / A4_WIDTH_IN)))
    return max(value, -(-max(img.size) // MAX_SIDE_IN))  # a banner-long scan stays in PDF/A


def load_page(ref: PageRef, dpi: int, max_pixels: int) -> tuple[Image.Image, int]:
    """The page image and its dpi; PDF pages rasterised at `dpi` (less if that is too big)."""
    if ref.kind == "pdf":
        return _render_pdf_page(ref, dpi, max_pixels)
    with Image.open(ref.path) as img:
        img.seek(ref.index)
        page = img.copy()
        page.info = dict(img.info)
    # a phone photo or camera scan stands as its viewer shows it (EXIF orientation)
    try:
        upright = ImageOps.exif_transpose(page)
    except Exception:  # noqa: BLE001 - a damaged EXIF block: the pixels as stored
        upright = page
    upright.info = page.info
    return upright, image_dpi(page)


def _render_pdf_page(ref: PageRef, dpi: int, max_pixels: int) -> tuple[Image.Image, int]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(ref.path)
    try:
        page = doc[ref.index]
        w_pt, h_pt = page.get_size()
        scale = dpi / 72
        if w_pt * h_pt * scale * scale > max_pixels:
            scale = (max_pixels / max(w_pt * h_pt, 1)) ** 0.5
        img = page.render(scale=scale, may_draw_forms=True).to_pil()
        page.close()
    except pdfium.PdfiumError as exc:
        raise InputError("truncated", str(exc)[:120]) from exc
    finally:
        doc.close()
    if img.mode == "RGB" and _is_grey(img):
        img = img.convert("L")
    return img, round(scale * 72)


def _is_grey(img: Image.Image) -> bool:
    small = img.reduce(8) if min(img.size) > 64 else img
    r, g, b = (band for band in small.split())
    from PIL import ImageChops

    diff = ImageChops.difference(r, g).getextrema()[1], ImageChops.difference(g, b).getextrema()[1]
    return max(diff) <= 12
