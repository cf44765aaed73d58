"""Stand a page upright and straight, and flatten its background for OCR.

Tesseract's own deskew fails beyond ~3° and on grey, unevenly lit scans, so skew is found
here with a projection profile of ink pixels (coarse over ±45°, then fine to 0.02°), and
quarter turns by comparing text-line profiles of the page and the page turned 90°. Up/down
is settled with OCR confidence in `dakscan.ocr.recognise`, not guessed from shapes.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

COARSE_STEP = 0.5
FINE_STEP = 0.02
MAX_SKEW = 45.0
MIN_OCR_DPI = 250
OCR_DPI = 300
MAX_OCR_PIXELS = 40_000_000  # an A2 sheet at 300 dpi
MAX_OCR_SIDE = 30_000  # Tesseract refuses wider images


@dataclass
class Prepared:
    """A page turned by `rotation` (clockwise, 0/90/180/270) and straightened by `skew_deg`."""

    original: Image.Image  # upright, straightened, original colours (for the archive PDF)
    ocr: Image.Image  # upright, straightened, background flattened, greyscale (for Tesseract)
    rotation: int
    skew_deg: float
    ocr_dpi: int  # the OCR image's resolution: at least OCR_DPI, the original's may be less


def to_gray(img: Image.Image) -> np.ndarray:
    if img.mode not in ("L", "RGB"):
        img = img.convert("RGB") if img.mode in ("RGBA", "P", "CMYK", "LA", "I;16", "I") else img
    if img.mode == "1" or img.mode.startswith("I"):
        img = img.convert("L")
    arr = np.asarray(img)
    if arr.ndim == 3:
        arr = cv2.cvtColor(arr[..., :3], cv2.COLOR_RGB2GRAY)
    return np.ascontiguousarray(arr, dtype=np.uint8)


def flatten_background(gray: np.ndarray) -> np.ndarray:
    """Divide by an estimate of the paper (text closed away) so grey, uneven pages read white."""
    h, w = gray.shape
    scale = 0.25
    small = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))),
                       interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (21, 21))
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    paper = cv2.medianBlur(paper, 21)
    paper = cv2.resize(np.maximum(paper, 1), (w, h), interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(gray, paper, scale=255)
    return cv2.LUT(flat, contrast_lut(flat))


def contrast_lut(flat: np.ndarray) -> np.ndarray:
    """Faint ink to black and the paper to white.

    On a speckled page the closing above rides the noise's upper envelope, so the paper comes
    out of the division near 210, not 255; left there, Tesseract's threshold falls between
    that grey and the white corners added by deskewing and the page reads as ink (measured on
    34 heavy test pages: 10 read under 10 words before this stretch, 1 after). Most of a
    letter is paper, so the median is the paper; a page mostly dark (a photo) keeps 255.
    """
    cum = np.cumsum(cv2.calcHist([flat], [0], None, [256], [0, 256]).ravel())
    ink = int(np.searchsorted(cum, cum[-1] * 0.005))
    paper = int(np.searchsorted(cum, cum[-1] * 0.5))
    if paper < 128:
        paper = 255
    if paper - ink < 40:  # a blank or nearly blank page: stretching would only grow noise
        return np.arange(256, dtype=np.uint8)
    return np.clip((np.arange(256) - ink) * 255.0 / (paper - ink), 0, 255).astype(np.uint8)


def ink_mask(flat: np.ndarray) -> np.ndarray:
    """Binary ink of a flattened page, with rules, borders and photos (big blobs) removed."""
    _, ink = cv2.threshold(flat, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = ink.shape
    big = (stats[:, cv2.CC_STAT_WIDTH] > w / 4) | (stats[:, cv2.CC_STAT_HEIGHT] > h / 8)
    big[0] = True
    keep = ~big
    return keep[labels] & (ink > 0)


def _points(mask: np.ndarray, limit: int = 60000, seed: int = 0) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    if len(xs) > limit:
        idx = np.random.default_rng(seed).choice(len(xs), limit, replace=False)
        xs, ys = xs[idx], ys[idx]
    return np.stack([xs - mask.shape[1] / 2, ys - mask.shape[0] / 2]).astype(np.float32)


def _sharpness(pts: np.ndarray, angles_deg: np.ndarray) -> np.ndarray:
    """Projection-profile sharpness (sum of squared bin counts) of rows at each angle.

    A row coordinate y·cos θ + x·sin θ is constant along a text line rising θ to the right.
    """
    out = np.empty(len(angles_deg))
    for i, a in enumerate(np.deg2rad(angles_deg)):
        r = pts[1] * np.cos(a) + pts[0] * np.sin(a)
        r = np.round(r - r.min()).astype(np.int64)
        counts = np.bincount(r)
        out[i] = float(np.dot(counts, counts))
    return out


def find_skew(mask: np.ndarray) -> tuple[float, float]:
    """(skew degrees, sharpness): coarse ±45° search, then fine search around the best."""
    pts = _points(mask)
    if pts.shape[1] < 50:
        return 0.0, 0.0
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, COARSE_STEP)
    s = _sharpness(pts, coarse)
    best = float(coarse[int(np.argmax(s))])
    fine = np.arange(best - COARSE_STEP, best + COARSE_STEP + 1e-9, FINE_STEP)
    s2 = _sharpness(pts, fine)
    return float(fine[int(np.argmax(s2))]), float(s2.max()) / pts.shape[1] ** 2


def _downscale(gray: np.ndarray, dpi: int, target_dpi: int) -> np.ndarray:
    f = min(1.0, target_dpi / max(dpi, 1))
    if f >= 1.0:
        return gray
    return cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)


def analyse(flat: np.ndarray, dpi: int) -> tuple[int, float]:
    """(quarter turn clockwise that makes lines horizontal: 0 or 90, skew in degrees).

    `flat` is the page with its background flattened (see flatten_background).
    """
    small = _downscale(flat, dpi, 100)
    mask = ink_mask(small)
    skew0, sharp0 = find_skew(mask)
    skew90, sharp90 = find_skew(np.rot90(mask, -1))  # the page turned 90° clockwise
    if sharp90 > sharp0 * 1.15:
        turn, skew = 90, skew90
    else:
        turn, skew = 0, skew0
    # Refine at higher resolution: 0.1° over a line is only a pixel at 100 dpi.
    mid_mask = ink_mask(_downscale(flat, dpi, 200))
    if turn:
        mid_mask = np.rot90(mid_mask, -1)
    pts = _points(mid_mask, limit=120000)
    if pts.shape[1] >= 50:
        fine = np.arange(skew - 0.3, skew + 0.3 + 1e-9, FINE_STEP)
        skew = float(fine[int(np.argmax(_sharpness(pts, fine)))])
    return turn, round(skew, 2)


def paper_colour(img: Image.Image) -> int | tuple[int, ...]:
    """The page's paper colour (bright median), used to fill corners uncovered by rotating."""
    arr = np.asarray(img)
    flat = arr.reshape(-1, arr.shape[-1]) if arr.ndim == 3 else arr.reshape(-1, 1)
    step = max(1, len(flat) // 50000)
    sample = flat[::step]
    lum = sample.mean(axis=1)
    bright = sample[lum >= np.percentile(lum, 60)]
    med = np.median(bright, axis=0).astype(int)
    return int(med[0]) if arr.ndim == 2 else tuple(int(v) for v in med)


def turn_and_straighten(img: Image.Image, rotation: int, skew: float,
                        fill: int | tuple[int, ...] | None = None) -> Image.Image:
    """Turn clockwise by `rotation`, then rotate by -skew (expanding, paper-coloured corners)."""
    arr = np.rot90(np.asarray(img), k=-(rotation // 90) % 4)
    if abs(skew) >= 0.05:
        fill = paper_colour(img) if fill is None else fill
        arr = _rotate(np.ascontiguousarray(arr), skew, fill)
    out = Image.fromarray(np.ascontiguousarray(arr), mode=img.mode)
    return out


def _rotate(arr: np.ndarray, degrees: float, fill: int | tuple[int, ...]) -> np.ndarray:
    """Rotate counter-clockwise by `degrees` onto a canvas that holds the whole page."""
    h, w = arr.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -degrees, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(round(h * sin + w * cos)), int(round(h * cos + w * sin))
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    border = fill if isinstance(fill, tuple) else (fill,)
    return cv2.warpAffine(arr, m, (nw, nh), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def normalise_mode(img: Image.Image) -> Image.Image:
    """Greyscale or RGB, the two looks a scan keeps in the archive."""
    if img.mode in ("L", "RGB"):
        return img
    if img.mode == "1":
        return img.convert("L")
    if img.mode in ("RGBA", "LA", "P", "PA"):
        rgba = img.convert("RGBA")
        base = Image.new("RGB", rgba.size, (255, 255, 255))
        base.paste(rgba, mask=rgba.split()[3])
        return base
    if img.mode.startswith("I") or img.mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        top = arr.max() or 1.0
        return Image.fromarray((arr / top * 255).astype(np.uint8))
    return img.convert("RGB")


def prepare(img: Image.Image, dpi: int, rotation: int | None = None) -> Prepared:
    """Upright (given or detected quarter turn), deskewed page and its flattened OCR image."""
    img = normalise_mode(img)
    gray, ocr_dpi = enlarged(to_gray(img), dpi)
    # A 3×3 median removes scanner noise and dust that Tesseract's own thresholding turns
    # into ink (a noisy grey page went from ~95% to ~6% CER), and costs clean pages nothing.
    flat = cv2.medianBlur(flatten_background(gray), 3)
    turn, skew = analyse(flat, ocr_dpi)
    if rotation is None:
        rotation = turn
    elif rotation % 180 != turn % 180:
        skew = analyse(np.rot90(flat, k=-(rotation // 90) % 4), ocr_dpi)[1]
    upright = turn_and_straighten(img, rotation, skew)
    ocr = turn_and_straighten(Image.fromarray(flat), rotation, skew, fill=255)
    return Prepared(original=upright, ocr=ocr, rotation=rotation, skew_deg=skew,
                    ocr_dpi=ocr_dpi)


def enlarged(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, int]:
    """A page under MIN_OCR_DPI (fax, phone photo, a scanner left at 100 dpi) is read
    enlarged to OCR_DPI, before any filtering: Tesseract loses small print (a 100 dpi Hindi
    letter read at 23.5% CER as it is, 0.2% enlarged). The archived picture keeps its pixels."""
    h, w = gray.shape
    # never past what Tesseract and memory take: a banner-long or poster-sized page stays as is
    f = min(OCR_DPI / dpi, (MAX_OCR_PIXELS / (w * h)) ** 0.5, MAX_OCR_SIDE / max(w, h))
    if dpi >= MIN_OCR_DPI or f < 1.2:
        return gray, dpi
    return cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC), round(dpi * f)


def flip(p: Prepared) -> Prepared:
    """The same page turned a further 180°: the other answer to up/down."""
    return Prepared(original=p.original.transpose(Image.Transpose.ROTATE_180),
                    ocr=p.ocr.transpose(Image.Transpose.ROTATE_180),
                    rotation=(p.rotation + 180) % 360, skew_deg=p.skew_deg, ocr_dpi=p.ocr_dpi)
