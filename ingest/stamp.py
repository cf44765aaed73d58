"""The optional visible signature stamp: diary number in Hindi and English, top right.

The font must be embedded for PDF/A and shape Devanagari (pyHanko shapes with HarfBuzz via
`uharfbuzz`). Lohit Devanagari covers both scripts; pyHanko writes glyph widths in font
units as if every font had 1000 units per em, so the font is rescaled to 1000 first —
otherwise the widths disagree with the font program (PDF/A rule 6.2.11.5).
"""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path

from pyhanko.pdf_utils.font.api import FontEngineFactory

log = logging.getLogger("dakscan.stamp")
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf"),
    Path("/usr/share/fonts/truetype/freefont/FreeSans.ttf"),
)
STAMP_TEXT = ("डायरी क्रमांक / Diary No. %(diary)s\n"
              "डिजिटल हस्ताक्षर / Signed %(ts)s\n%(signer)s")
WIDTH, HEIGHT, MARGIN = 270.0, 44.0, 14.0


@lru_cache(maxsize=1)
def stamp_font() -> bytes | None:
    """The stamp font rescaled to 1000 units per em, or None when none is installed."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    for path in FONT_CANDIDATES:
        if path.is_file():
            font = TTFont(str(path))
            if font["head"].unitsPerEm != 1000:
                scale_upem(font, 1000)
            out = io.BytesIO()
            font.save(out)
            return out.getvalue()
    return None


def stamp_style():  # noqa: ANN201 - pyHanko's TextStampStyle, imported lazily
    """The stamp's style, or None (signature stays invisible) when no font can be had."""
    from pyhanko import stamp
    from pyhanko.pdf_utils import text

    try:
        font = stamp_font()
        factory = _MemoryFontFactory(font) if font else None
    except ImportError:  # uharfbuzz missing: pyHanko cannot shape Devanagari
        factory = None
    if factory is None:
        log.warning("visible stamp needs Lohit Devanagari and uharfbuzz; signing invisibly")
        return None
    return stamp.TextStampStyle(
        stamp_text=STAMP_TEXT, border_width=1,
        text_box_style=text.TextBoxStyle(font=factory, font_size=7, leading=9),
        timestamp_format="%Y-%m-%d %H:%M:%S %Z")


def stamp_box(page_size: tuple[float, float]) -> tuple[float, float, float, float]:
    """Top right corner, where the desk's receipt stamp goes on a paper letter."""
    width, height = page_size
    x2, y2 = width - MARGIN, height - MARGIN
    return (max(x2 - WIDTH, 0.0), max(y2 - HEIGHT, 0.0), x2, y2)


class _MemoryFontFactory(FontEngineFactory):
    """pyHanko font engine factory over font bytes (its own factory wants a file path)."""

    def __init__(self, data: bytes, font_size: int = 7) -> None:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulator  # needs uharfbuzz

        self._engine = GlyphAccumulator
        self.data = data
        self.font_size = font_size

    def create_font_engine(self, writer, obj_stream=None):  # noqa: ANN001, ANN201
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return self._engine(writer=writer, font_handle=io.BytesIO(self.data),
                            font_size=self.font_size, obj_stream=obj_stream)
