"""The documents of a record-room tree, found lazily, and folders of page images bound.

A tree of millions of files is never listed in memory: `documents` walks it folder by
folder in a stable (sorted) order. With grouping `folders`, the page images (JPEG, PNG,
TIFF) directly in one folder are one document, pages in natural name order (`p2` before
`p10`); a PDF beside them stays a document of its own. With `files`, every file is one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageSequence, TiffImagePlugin

from dakscan.ingest.errors import InputError
from dakscan.ingest.sniff import sniff
from dakscan.watch_folders.names import ignored

GROUPINGS = ("files", "folders")
PAGE_KINDS = {"jpeg", "png", "tiff"}


@dataclass(frozen=True)
class Document:
    """One document to register: a file, or a folder of page images (`rel` ends in '/')."""

    rel: str
    paths: tuple[Path, ...]
    size: int
    mtime_ns: int

    @property
    def is_folder(self) -> bool:
        return self.rel.endswith("/")


def natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def documents(root: Path, grouping: str = "files",
              skip: tuple[Path, ...] = ()) -> Iterator[Document]:
    """Every document under `root`, in a stable order; dot-files, temporary names, OS clutter
    (as a desk watcher ignores them) and the folders in
    `skip` (dakscan's own home: its archive must never be read back as scans) left out."""
    root = Path(root)
    skipped = {Path(p).resolve() for p in skip}
    if root.is_file():
        yield _document(root.parent, [root], root.name)
        return
    for dirpath, dirnames, filenames in os.walk(root):
        folder = Path(dirpath)
        dirnames[:] = sorted((d for d in dirnames if not d.startswith(".")
                              and (folder / d).resolve() not in skipped), key=natural_key)
        names = sorted((n for n in filenames if not ignored(n)), key=natural_key)
        files = [folder / n for n in names if (folder / n).is_file()]
        pages = [f for f in files if _kind(f) in PAGE_KINDS] if grouping == "folders" else []
        if pages:
            rel = folder.relative_to(root).as_posix()
            yield _document(root, pages, "" if rel == "." else rel + "/")
        for f in files:
            if f not in pages:
                yield _document(root, [f], f.relative_to(root).as_posix())


def _kind(path: Path) -> str | None:
    try:
        return sniff(path)
    except (InputError, OSError):
        return None


def _document(root: Path, paths: list[Path], rel: str) -> Document:
    stats = [p.stat() for p in paths]
    return Document(rel=rel or "./", paths=tuple(paths), size=sum(s.st_size for s in stats),
                    mtime_ns=max(s.st_mtime_ns for s in stats))


def bind(paths: tuple[Path, ...], dest: Path) -> Path:
    """The page images as one multi-page TIFF (lossless), written a page at a time.

    The same pages always give the same bytes, so a rerun finds the bound file a duplicate
    by its sha256 instead of registering it again.
    """
    try:
        with TiffImagePlugin.AppendingTiffWriter(str(dest), True) as tiff:
            for path in paths:
                with Image.open(path) as img:
                    for frame in ImageSequence.Iterator(img):
                        page = frame.convert("RGB") if frame.mode not in ("1", "L", "RGB") \
                            else frame
                        dpi = frame.info.get("dpi") or (300, 300)
                        page.save(tiff, "TIFF", compression="tiff_deflate",
                                  dpi=tuple(round(float(d)) for d in dpi))
                        tiff.newFrame()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types on damaged pages
        dest.unlink(missing_ok=True)
        raise InputError("truncated", f"{path.name}: {type(exc).__name__}"[:120]) from exc
    return dest
