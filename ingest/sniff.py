"""Decide a file's type from its bytes (never its name) and refuse incomplete files early."""

from __future__ import annotations

import mmap
from pathlib import Path

from dakscan.ingest.errors import InputError

KINDS = ("pdf", "tiff", "jpeg", "png")


def sniff(path: Path) -> str:
    """'pdf', 'tiff', 'jpeg' or 'png' by magic bytes; InputError otherwise."""
    size = path.stat().st_size
    if size == 0:
        raise InputError("empty")
    with path.open("rb") as fh:
        head = fh.read(1024)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if b"%PDF-" in head:
        return "pdf"
    raise InputError("not_a_scan")


def check_complete(path: Path, kind: str) -> None:
    """Cheap end-of-file markers: a scanner still writing, or a cut-off copy, lacks them."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - 4096))
        tail = fh.read()
    if kind == "pdf" and b"%%EOF" not in tail:
        raise InputError("truncated", "no %%EOF")
    if kind == "png" and b"IEND" not in tail[-64:]:
        raise InputError("truncated", "no IEND")
    if kind == "jpeg" and b"\xff\xd9" not in tail and not _has_marker(path, b"\xff\xd9"):
        raise InputError("truncated", "no end-of-image marker")


def _has_marker(path: Path, marker: bytes) -> bool:
    """Cameras and some scanners pad a JPEG or append data after its end-of-image marker;
    the full decode that follows still refuses a cut-off image."""
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return mm.rfind(marker) >= 0
