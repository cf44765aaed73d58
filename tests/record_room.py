"""A small record room on disk: distinct Hindi letters as PNG, JPEG and PDF files in nested
folders, as an agency's bulk scan leaves them (used by the bulk tests and bench/bulk.py)."""

from __future__ import annotations

from pathlib import Path

from letters import render_page, save, save_multipage

FORMATS = ("png", "jpg", "pdf")


def letter_lines(i: int) -> list[str]:
    return [f"कार्यालय कलेक्टर जिला धमतरी  पत्र क्रमांक {1000 + i}/स्था./2025",
            f"विषय: अभिलेख कक्ष की नस्ती संख्या {i} का डिजिटलीकरण",
            "कृपया आवश्यक कार्यवाही करें।"]


def make_room(root: Path, count: int, pages: int = 1) -> list[Path]:
    """`count` distinct documents of `pages` pages under root/<year>/<file>; their paths."""
    made = []
    for i in range(count):
        folder = root / str(1990 + i % 5)
        folder.mkdir(parents=True, exist_ok=True)
        imgs = [render_page(letter_lines(i * 10 + p), size=34, margin=60, page=(1240, 420))
                for p in range(pages)]
        fmt = FORMATS[i % len(FORMATS)]
        path = folder / f"file-{i:04d}.{fmt}"
        if pages > 1 or fmt == "pdf":
            save_multipage(imgs, path)
        else:
            save(imgs[0], path)
        made.append(path)
    return made
