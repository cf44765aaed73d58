"""Render real letter pages for tests: Pillow + raqm shaping with Devanagari and Latin fonts.

Fixtures are drawn at 300 dpi like a desk scanner, then degraded the ways real scans are
(skew, quarter turns, noise, blur, grey uneven light, JPEG loss), so OCR tests run the real
Tesseract on pages that look like what the desk feeds in.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 300
A4 = (2480, 3508)  # A4 at 300 dpi
DEVA_FONT = "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf"
DEVA_BOLD = "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Bold.ttf"
LATIN_FONT = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
LATIN_BOLD = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
DEVA_SERIF = "/usr/share/fonts/truetype/noto/NotoSerifDevanagari-Regular.ttf"
LATIN_SERIF = "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"
LOHIT = "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf"

# Latin letters (with the spaces and punctuation between them) go to the Latin font; digits and
# punctuation elsewhere stay in the Devanagari font, which has them.
_LATIN_RUN = re.compile(r"([A-Za-z][A-Za-z0-9 .,:;()'&/\-]*[A-Za-z0-9.)]|[A-Za-z])")

HINDI_LETTER = [
    "कार्यालय कलेक्टर, जिला धमतरी (छत्तीसगढ़)",
    "क्रमांक/ 1234 /स्था./2025                 धमतरी, दिनांक 15.07.2025",
    "प्रति,",
    "    मुख्य कार्यपालन अधिकारी,",
    "    जनपद पंचायत कुरूद, जिला धमतरी",
    "विषय:- ग्राम पंचायतों में पेयजल व्यवस्था की समीक्षा बाबत।",
    "संदर्भ:- आपका पत्र क्रमांक 567 दिनांक 02.07.2025",
    "उपरोक्त विषयांतर्गत लेख है कि ग्रीष्म ऋतु में पेयजल की समस्या",
    "को ध्यान में रखते हुए सभी ग्राम पंचायतों में हैंडपंप सुधार का",
    "कार्य तत्काल पूर्ण कराया जाए तथा प्रगति प्रतिवेदन भेजें।",
    "                                              (राजेश कुमार मिश्रा)",
    "                                              कलेक्टर, जिला धमतरी",
]

ENGLISH_LETTER = [
    "Government of Chhattisgarh",
    "Office of the Collector, District Dhamtari",
    "No. 4521/Revenue/2025                Dhamtari, Dated 12.08.2025",
    "To,",
    "    The Sub Divisional Officer (Revenue),",
    "    Kurud, District Dhamtari",
    "Subject: Review of land records digitisation work.",
    "Reference: Your letter No. 889 dated 01.08.2025",
    "With reference to the above subject, you are requested to complete",
    "the digitisation of land records of all villages and send the",
    "progress report to this office within seven days.",
    "                                            (Anil Kumar Sharma)",
    "                                            Collector, Dhamtari",
]


def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM)


def script_runs(text: str) -> list[tuple[str, bool]]:
    """Split a line into (run, is_devanagari) so each run is drawn with a font that has it."""
    parts = [p for p in _LATIN_RUN.split(text) if p]
    return [(p, not _LATIN_RUN.fullmatch(p)) for p in parts]


def draw_line(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int,
              deva_font: str = DEVA_FONT, latin_font: str = LATIN_FONT) -> None:
    """Draw one mixed-script line, switching fonts at script boundaries."""
    x, y = xy
    fd, fl = font(deva_font, size), font(latin_font, size)
    baseline = y + size
    for run, is_deva in script_runs(text):
        f = fd if is_deva else fl
        kw = {"language": "hi"} if is_deva else {}
        draw.text((x, baseline), run, font=f, fill=0, anchor="ls", **kw)
        x += int(draw.textlength(run, font=f, **kw))


def render_page(lines: Sequence[str], size: int = 42, margin: int = 200, leading: float = 1.9,
                deva_font: str = DEVA_FONT, latin_font: str = LATIN_FONT,
                page: tuple[int, int] = A4) -> Image.Image:
    """A white 300-dpi greyscale page with the given lines (12-pt-ish text by default)."""
    img = Image.new("L", page, 255)
    draw = ImageDraw.Draw(img)
    y = margin
    for line in lines:
        indent = len(line) - len(line.lstrip(" "))
        draw_line(draw, (margin + indent * size // 3, y), line.strip(), size, deva_font, latin_font)
        y += int(size * leading)
    img.info["dpi"] = (DPI, DPI)
    return img


def rotate(img: Image.Image, degrees: float) -> Image.Image:
    """Rotate counter-clockwise by `degrees` (positive = text rising to the right), white fill."""
    out = img.rotate(degrees, resample=Image.BICUBIC, expand=True, fillcolor=255)
    out.info["dpi"] = (DPI, DPI)
    return out


def quarter_turn(img: Image.Image, rotation: int) -> Image.Image:
    """Turn a page so that dakscan must turn it by `rotation` degrees clockwise to stand upright."""
    turns = {0: None, 90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180,
             270: Image.Transpose.ROTATE_270}
    t = turns[rotation]
    out = img if t is None else img.transpose(t)
    out.info["dpi"] = (DPI, DPI)
    return out


def grey_uneven(img: Image.Image, low: int = 110, high: int = 200, ink: int = 40) -> Image.Image:
    """A photocopy-grey page with light falling off across it: paper from `high` down to `low`."""
    a = np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    h, w = a.shape
    gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = low + (high - low) * (0.6 * gx / w + 0.4 * (1 - gy / h))
    out = ink + (light - ink) * a
    return _with_dpi(Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)))


def noisy(img: Image.Image, sigma: float = 12.0, blur: float = 0.8, seed: int = 1) -> Image.Image:
    """Scanner noise and focus blur."""
    rng = np.random.default_rng(seed)
    a = np.asarray(img.convert("L").filter(ImageFilter.GaussianBlur(blur)), dtype=np.float32)
    a = a + rng.normal(0, sigma, a.shape)
    return _with_dpi(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)))


def speckle(img: Image.Image, count: int = 400, seed: int = 2) -> Image.Image:
    """Dust specks of a dirty glass."""
    rnd = random.Random(seed)
    out = img.copy()
    d = ImageDraw.Draw(out)
    for _ in range(count):
        x, y = rnd.randrange(out.width), rnd.randrange(out.height)
        r = rnd.choice((1, 1, 2, 3))
        d.ellipse((x, y, x + r, y + r), fill=rnd.randrange(0, 90))
    return _with_dpi(out)


def _with_dpi(img: Image.Image) -> Image.Image:
    img.info["dpi"] = (DPI, DPI)
    return img


def save(img: Image.Image, path: Path, fmt: str | None = None, quality: int = 60) -> Path:
    """Save a page as PNG/JPEG/TIFF/PDF at 300 dpi (JPEG with visible loss)."""
    fmt = (fmt or path.suffix.lstrip(".")).upper()
    fmt = {"JPG": "JPEG", "TIF": "TIFF"}.get(fmt, fmt)
    kw: dict = {"dpi": (DPI, DPI)}
    if fmt == "JPEG":
        kw["quality"] = quality
    if fmt == "PDF":
        kw = {"resolution": DPI}
    img.save(path, fmt, **kw)
    return path


def save_multipage(pages: Sequence[Image.Image], path: Path) -> Path:
    """A multi-page TIFF or image-only PDF, as a sheet-feeder writes it."""
    fmt = "PDF" if path.suffix.lower() == ".pdf" else "TIFF"
    kw = {"resolution": DPI} if fmt == "PDF" else {"dpi": (DPI, DPI), "compression": "tiff_deflate"}
    pages[0].save(path, fmt, save_all=True, append_images=list(pages[1:]), **kw)
    return path


def jpeg_bytes(img: Image.Image, quality: int = 60) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, dpi=(DPI, DPI))
    return buf.getvalue()


def cer(expected: str, got: str) -> float:
    """Character error rate with whitespace collapsed (Levenshtein / reference length)."""
    from rapidfuzz.distance import Levenshtein

    a = re.sub(r"\s+", "", expected)
    b = re.sub(r"\s+", "", got)
    return Levenshtein.distance(a, b) / max(1, len(a))
