"""Which names in a desk folder are scans, and free names so no file overwrites another."""

from __future__ import annotations

from pathlib import Path

# Names scanners, copy tools and office software use while a file is still being written.
TEMP_PREFIXES = (".", "~")  # "~$letter.docx", "~WRL0001.tmp"
TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".filepart",
                 ".swp", ".lock", ".!ut", ".$$$", "~")
SYSTEM_NAMES = {"thumbs.db", "desktop.ini", "ehthumbs.db", ".ds_store"}


def ignored(name: str) -> bool:
    """Dot-files, scanner/copy temporary names and OS clutter are never taken."""
    low = name.lower()
    return (low.startswith(TEMP_PREFIXES) or low.endswith(TEMP_SUFFIXES)
            or low in SYSTEM_NAMES)


def free_name(folder: Path, name: str, taken: set[str] | None = None) -> Path:
    """`folder/name`, or `folder/<stem> (2)<suffix>`, (3)… when that name is already used.

    Only the watcher (one per desk, under a lock) writes into processing/, done/ and failed/,
    so a check followed by a rename cannot race with another writer.
    """
    taken = taken or set()
    path = folder / name
    if not path.exists() and name not in taken:
        return path
    stem, suffix = _split(name)
    n = 2
    while True:
        candidate = f"{stem} ({n}){suffix}"
        path = folder / candidate
        if not path.exists() and candidate not in taken:
            return path
        n += 1


def _split(name: str) -> tuple[str, str]:
    p = Path(name)
    return (p.stem, p.suffix) if p.suffix and p.stem else (name, "")
