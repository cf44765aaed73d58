"""Assemble the searchable PDF: each page's straightened image with Tesseract's invisible
text layer laid over it (GlyphLessFont, one Unicode string per word: Devanagari extracts
back intact); born-digital pages are carried over as they are.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from PIL import Image

JPEG_QUALITY = 80


@dataclass
class PageOut:
    """What one page contributes: a picture plus text layer, or a born-digital source page."""

    number: int
    width: int = 0
    height: int = 0
    dpi: int = 300
    jpeg: bytes = b""
    mode: str = "L"
    text_pdf: bytes = b""
    source_index: int | None = None  # born-digital: page index in the source PDF


def encode_jpeg(img: Image.Image) -> tuple[bytes, str]:
    mode = "RGB" if img.mode == "RGB" else "L"
    buf = io.BytesIO()
    img.convert(mode).save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buf.getvalue(), mode


def _image_page(pdf: pikepdf.Pdf, p: PageOut) -> pikepdf.Page:
    w_pt, h_pt = p.width * 72.0 / p.dpi, p.height * 72.0 / p.dpi
    image = pikepdf.Stream(pdf, p.jpeg)
    image.Type = pikepdf.Name.XObject
    image.Subtype = pikepdf.Name.Image
    image.Width, image.Height = p.width, p.height
    image.ColorSpace = pikepdf.Name.DeviceRGB if p.mode == "RGB" else pikepdf.Name.DeviceGray
    image.BitsPerComponent = 8
    image.Filter = pikepdf.Name.DCTDecode
    content = f"q {w_pt:.4f} 0 0 {h_pt:.4f} 0 0 cm /Im0 Do Q".encode()
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, w_pt, h_pt],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
        Contents=pikepdf.Stream(pdf, content),
    )
    return pikepdf.Page(page)


def _strip_active_content(page: pikepdf.Page) -> None:
    """A copied born-digital page keeps its look and text, not its links, forms or scripts."""
    for key in ("/Annots", "/AA"):
        if key in page.obj:
            del page.obj[key]


def assemble(pages: list[PageOut], source_pdf: str | None = None) -> bytes:
    """One PDF from the pages in order; returns its bytes."""
    out = pikepdf.new()
    src = pikepdf.open(source_pdf) if source_pdf and any(
        p.source_index is not None for p in pages) else None
    try:
        for p in pages:
            if p.source_index is not None and src is not None:
                out.pages.append(src.pages[p.source_index])
                _strip_active_content(out.pages[-1])
                continue
            out.pages.append(_image_page(out, p))
            if p.text_pdf:
                with pikepdf.open(io.BytesIO(p.text_pdf)) as text:
                    out.pages[-1].add_overlay(text.pages[0])
        buf = io.BytesIO()
        out.save(buf, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return buf.getvalue()
    finally:
        if src is not None:
            src.close()
