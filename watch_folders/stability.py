"""When a scanner has finished a file: size and mtime unchanged for a while, and it parses.

A sheet feeder streams a multi-page PDF or TIFF and may pause between sheets for longer
than any stability time, so an unchanged size alone is not enough: the file must also open
and parse completely (the same check the pipeline makes). A file that stays unchanged but
never parses (cut off, broken) is taken anyway after `give_up_seconds`, so it reaches
`failed/` with its reason instead of waiting forever.
"""

from __future__ import annotations

import os
import stat
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image

from dakscan.ingest.errors import InputError
from dakscan.ingest.pages import open_document
from dakscan.ingest.sniff import sniff

# What a file still being written looks like; any other refusal is final.
STILL_WRITING = {"empty", "truncated", "no_pages"}


@dataclass
class Candidate:
    """A file seen in a desk inbox, not yet claimed."""

    path: Path
    desk: str
    size: int
    mtime_ns: int
    changed_at: float
    first_seen: float
    checked: tuple[int, int] | None = None  # (size, mtime_ns) the verdict is for
    complete: bool = False
    reason: str = ""
    pages: int | None = None
    check: Future | None = None

    @property
    def signature(self) -> tuple[int, int]:
        return self.size, self.mtime_ns


def completeness(path: Path, max_pages: int,
                 max_pixels: int) -> tuple[bool, str, int | None]:
    """(complete, why not, pages): complete when the file parses completely (pages counted)
    or is refused for good (the pipeline will say why); else (False, why, None)."""
    try:
        doc = open_document(path, max_pages, max_pixels)
    except InputError as exc:
        return exc.code not in STILL_WRITING, exc.english, None
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not yet"
        return False, f"{type(exc).__name__}: {exc}"[:200], None
    return True, "", len(doc.pages)


def page_count(path: Path) -> int | None:
    """Pages of a file already claimed (found in processing/ at start), without decoding."""
    try:
        if sniff(path) == "pdf":
            with pikepdf.open(path) as pdf:
                return len(pdf.pages)
        with Image.open(path) as img:
            return int(getattr(img, "n_frames", 1))
    except Exception:  # noqa: BLE001 - unknown: the smallest limit applies
        return None


class StabilityTracker:
    """Candidates per path; `ready()` gives those a worker may take now, oldest first."""

    def __init__(self, max_pages: int, max_pixels: int, checkers: int = 2) -> None:
        self.max_pages = max_pages
        self.max_pixels = max_pixels
        self.candidates: dict[Path, Candidate] = {}
        self._checkers = ThreadPoolExecutor(checkers, thread_name_prefix="dakscan-check")

    def close(self) -> None:
        self._checkers.shutdown(wait=False, cancel_futures=True)

    def __len__(self) -> int:
        return len(self.candidates)

    def see(self, path: Path, desk: str, now: float) -> None:
        """Track a file (again); a change is noticed by `refresh`, not here."""
        if path in self.candidates:
            return
        st = _stat(path)
        if st is not None:
            self.candidates[path] = Candidate(path, desk, st.st_size, st.st_mtime_ns, now, now)

    def forget(self, path: Path) -> None:
        self.candidates.pop(path, None)

    def refresh(self, now: float) -> None:
        """Drop vanished files; restart the clock of files whose size or mtime moved."""
        for path, cand in list(self.candidates.items()):
            st = _stat(path)
            if st is None:
                del self.candidates[path]
            elif (st.st_size, st.st_mtime_ns) != cand.signature:
                cand.size, cand.mtime_ns, cand.changed_at = st.st_size, st.st_mtime_ns, now

    def ready(self, now: float, stability: dict[str, float],
              give_up: dict[str, float]) -> list[Candidate]:
        """Files unchanged for their desk's stability time that parse (or gave up parsing)."""
        out = []
        for cand in sorted(self.candidates.values(), key=lambda c: c.first_seen):
            quiet = now - cand.changed_at
            if quiet < stability[cand.desk]:
                continue
            self._collect(cand)
            checked = cand.checked == cand.signature
            if checked and cand.complete:
                out.append(cand)
            elif quiet >= give_up[cand.desk]:  # never parsed, or its check hangs: the worker
                out.append(cand)               # decides, under its time limit
            elif not checked:
                self._start_check(cand)
        return out

    def _start_check(self, cand: Candidate) -> None:
        if cand.check is not None:
            return
        signature = cand.signature
        fut = self._checkers.submit(completeness, cand.path, self.max_pages, self.max_pixels)
        fut.signature = signature  # type: ignore[attr-defined]
        cand.check = fut

    def _collect(self, cand: Candidate) -> None:
        fut = cand.check
        if fut is None or not fut.done():
            return
        cand.check = None
        if fut.signature != cand.signature:  # type: ignore[attr-defined]
            return  # the file changed while it was being checked
        cand.complete, cand.reason, cand.pages = fut.result()
        cand.checked = fut.signature  # type: ignore[attr-defined]


def _stat(path: Path) -> os.stat_result | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st if stat.S_ISREG(st.st_mode) else None
