"""Write-once, content-addressed archive: `<root>/<aa>/<sha256 of original>/`.

Each dak's folder holds `original.<ext>` and `<sha256 of pdf>.pdf`. A file is written to a
temporary name in the same folder, fsynced, made read-only, then hard-linked to its final
name (link, unlike rename, fails if the name exists: nothing is ever overwritten) and the
folder fsynced. A process killed mid-write leaves at most a `.tmp-*.part` file, never a
half file under a final name. The bytes are hashed as they are written, so a source file
that changes while it is copied is refused instead of archived under the wrong hash.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHUNK = 1 << 20
TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".part"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ArchiveConflict(RuntimeError):
    """A final name already holds other bytes, or the bytes are not what their name says."""


def is_temporary(path: Path) -> bool:
    """An unfinished write (its writer died before the link): never a final name."""
    return path.name.startswith(TEMP_PREFIX) and path.name.endswith(TEMP_SUFFIX)


class Archive:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def folder(self, original_sha: str) -> Path:
        return self.root / original_sha[:2] / original_sha

    def relative(self, path: Path) -> str:
        return str(Path(path).relative_to(self.root))

    def absolute(self, rel: str) -> Path:
        return self.root / rel

    def put_original(self, src: Path, sha: str, ext: str) -> Path:
        """Copy the scan in (streamed); refused if its bytes no longer hash to `sha`."""
        dest = self.folder(sha) / f"original.{ext}"
        if self._exists(dest, sha):
            return dest
        with Path(src).open("rb") as fh:
            return self._write(dest, iter(lambda: fh.read(CHUNK), b""), sha)

    def put_pdf(self, original_sha: str, data: bytes) -> Path:
        sha = sha256_bytes(data)
        dest = self.folder(original_sha) / f"{sha}.pdf"
        if self._exists(dest, sha):
            return dest
        return self._write(dest, [data], sha)

    def files(self) -> Iterator[Path]:
        """Every file under the archive root, final and temporary, in a stable order."""
        if not self.root.is_dir():
            return
        for top in sorted(p for p in self.root.iterdir()):
            if top.is_file():
                yield top
                continue
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames.sort()
                for name in sorted(filenames):
                    yield Path(dirpath) / name

    def _exists(self, dest: Path, sha: str) -> bool:
        if not dest.exists():
            return False
        if sha256_file(dest) != sha:
            raise ArchiveConflict(f"{dest} exists with other content")
        return True

    def _write(self, dest: Path, chunks, sha: str) -> Path:  # noqa: ANN001
        try:
            write_once(dest, chunks, expect_sha=sha)
        except FileExistsError:  # written meanwhile by another process: same bytes or conflict
            if sha256_file(dest) != sha:
                raise ArchiveConflict(f"{dest} exists with other content") from None
        return dest


def write_once(dest: Path, data, expect_sha: str | None = None) -> None:  # noqa: ANN001
    """Crash-safe create of `dest` from bytes or an iterable of chunks.

    Raises FileExistsError if `dest` exists, ArchiveConflict if the bytes written do not
    hash to `expect_sha`; in both cases nothing new stands under `dest`.
    """
    dest = Path(dest)
    _make_dirs(dest.parent)
    chunks = [data] if isinstance(data, bytes | bytearray | memoryview) else data
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    try:
        h = hashlib.sha256()
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                h.update(chunk)
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        if expect_sha is not None and h.hexdigest() != expect_sha:
            raise ArchiveConflict(f"{dest.name}: the bytes changed while they were archived")
        os.chmod(tmp, 0o444)
        os.link(tmp, dest)  # fails if dest appeared meanwhile: never overwrite
        os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_dir(dest.parent)


def _make_dirs(folder: Path) -> None:
    """mkdir -p, fsyncing each parent whose entries changed, so a new folder survives a crash."""
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            continue
        _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
