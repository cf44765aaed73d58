"""A desk folder and its `processing/`, `done/`, `failed/`: every move is a rename within it.

Originals never leave the desk folder and are never copied: a file is in exactly one place
at any moment, so a crash can leave it in the inbox or in `processing/`, never nowhere.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path
from typing import IO

from dakscan.watch_folders.names import free_name, ignored

SIDECAR = ".error.txt"
LOCK_NAME = ".dakscan-watch.lock"


class FolderError(Exception):
    """A desk folder that cannot be watched (missing, not writable, already watched)."""


class DeskFolder:
    """The inbox a scanner writes into, and the three folders the watcher moves files to."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.processing = self.root / "processing"
        self.done = self.root / "done"
        self.failed = self.root / "failed"
        self._lock: IO | None = None

    def prepare(self) -> None:
        """Create the three sub-folders; FolderError when the desk folder itself is missing."""
        if not self.root.is_dir():
            raise FolderError(f"desk folder not found (is the share mounted?): {self.root}")
        try:
            for sub in (self.processing, self.done, self.failed):
                sub.mkdir(exist_ok=True)
        except OSError as exc:
            raise FolderError(f"desk folder is not writable ({exc.strerror}): {self.root}") \
                from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise FolderError(f"desk folder is not writable: {self.root}")

    def lock(self) -> None:
        """One watcher per desk folder: two would move the same file under each other."""
        fh = open(self.processing / LOCK_NAME, "a")  # noqa: SIM115 - held while watching
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.close()
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise FolderError(f"another watcher already watches {self.root}") from exc
            raise
        self._lock = fh

    def unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def owns(self, path: Path) -> bool:
        """A file directly in the inbox (not in a sub-folder), with a name a scan can have."""
        return Path(path).parent == self.root and not ignored(Path(path).name)

    def waiting(self) -> list[Path]:
        return _files(self.root)

    def in_processing(self) -> list[Path]:
        return _files(self.processing)

    def failed_files(self) -> list[Path]:
        return [p for p in _files(self.failed) if not p.name.endswith(SIDECAR)]

    def done_files(self) -> list[Path]:
        return _files(self.done)

    def claim(self, path: Path) -> Path:
        """Move an inbox file into processing/ (atomic rename; a same name gets a suffix)."""
        target = free_name(self.processing, path.name)
        os.rename(path, target)
        _sync_dirs(self.root, self.processing)
        return target

    def to_done(self, path: Path) -> Path:
        target = free_name(self.done, path.name)
        os.rename(path, target)
        _sync_dirs(self.processing, self.done)
        return target

    def failed_target(self, path: Path) -> Path:
        return free_name(self.failed, path.name)

    def to_failed(self, path: Path, target: Path, reason: str) -> Path:
        """Write `failed/<name>.error.txt`, then move the file beside it.

        The note comes first: a crash in between leaves the file in processing/ (it is tried
        again and lands on the same free name), never a failed file without its reason.
        """
        note = target.with_name(target.name + SIDECAR)
        tmp = target.with_name(f".{target.name}{SIDECAR}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(reason)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, note)
        os.rename(path, target)
        _sync_dirs(self.processing, self.failed)
        return target


def _files(folder: Path) -> list[Path]:
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    out = []
    for entry in entries:
        try:
            if entry.is_file() and not ignored(entry.name):
                out.append(Path(entry.path))
        except OSError:
            continue
    return sorted(out)


def _sync_dirs(*folders: Path) -> None:
    """Make renames durable across a power cut (best effort: some shares refuse fsync)."""
    for folder in folders:
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)
