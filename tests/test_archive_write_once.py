"""The archive is content-addressed, read-only, never overwritten, and crash-safe: a writer
killed mid-file (SIGKILL, a real subprocess) leaves no file under the final name."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time

import pytest
from sealed import sealed_copy

from dakscan.ingest.archive import (
    Archive,
    ArchiveConflict,
    is_temporary,
    sha256_bytes,
    write_once,
)
from dakscan.ingest.scrub import scrub
from dakscan.service.config import get_settings

# Writes 1 MiB chunks slowly through the real write_once; says when the first ones are on disk.
WRITER = """
import sys, time
from pathlib import Path
from dakscan.ingest.archive import write_once

def chunks():
    for i in range(400):
        yield b"%d" % i * 1 + b"x" * (1 << 20)
        if i == 3:
            Path(sys.argv[2]).write_text("writing")
        time.sleep(0.02)

write_once(Path(sys.argv[1]), chunks())
"""


def test_killed_writer_leaves_no_file_under_the_final_name(home):
    settings = get_settings()
    sealed_copy(home)  # a real archive to write into, and for scrub to read afterwards
    dest = settings.archive_dir / "ab" / ("ab" + "0" * 62) / "original.tif"
    flag = home.parent / "writing"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(dest), str(flag)])
    try:
        deadline = time.monotonic() + 60
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert flag.exists(), "writer never started"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not dest.exists()
    leftovers = list(dest.parent.iterdir())
    assert len(leftovers) == 1 and is_temporary(leftovers[0])  # killed mid-write, as intended
    assert 4 << 20 <= leftovers[0].stat().st_size < 400 << 20
    checked, problems = scrub(settings)
    assert checked == 4
    assert problems == [f"{leftovers[0]}: unfinished temporary file (a writer stopped "
                        "mid-write)"]


def test_layout_is_content_addressed_and_read_only(home, tmp_path):
    archive = Archive(get_settings().archive_dir)
    src = tmp_path / "scan.png"
    src.write_bytes("पत्र".encode() * 1000)
    sha = sha256_bytes(src.read_bytes())
    original = archive.put_original(src, sha, "png")
    pdf = archive.put_pdf(sha, b"%PDF-1.7 sealed")
    assert original == archive.root / sha[:2] / sha / "original.png"
    assert pdf == original.parent / f"{sha256_bytes(b'%PDF-1.7 sealed')}.pdf"
    for path in (original, pdf):
        assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert archive.put_original(src, sha, "png") == original  # same bytes again: a no-op
    assert sorted(archive.files()) == sorted([original, pdf])


def test_never_overwritten(home, tmp_path):
    archive = Archive(get_settings().archive_dir)
    src = tmp_path / "scan.png"
    src.write_bytes(b"the real scan")
    sha = sha256_bytes(b"the real scan")
    pdf = archive.put_pdf(sha, b"first")
    with pytest.raises(FileExistsError):
        write_once(pdf, b"second")
    assert pdf.read_bytes() == b"first"
    squatter = pdf.parent / "original.png"
    squatter.write_bytes(b"other bytes")  # a file that does not hold what its name says
    with pytest.raises(ArchiveConflict):
        archive.put_original(src, sha, "png")
    assert squatter.read_bytes() == b"other bytes"  # refused, not replaced
    assert not [p for p in archive.files() if is_temporary(p)]


def test_a_source_that_changes_while_copied_is_refused(home, tmp_path):
    archive = Archive(get_settings().archive_dir)
    src = tmp_path / "scan.tif"
    src.write_bytes(b"scanner still writing")
    stale_sha = sha256_bytes(b"scanner still")  # hashed before the last bytes landed
    with pytest.raises(ArchiveConflict):
        archive.put_original(src, stale_sha, "tif")
    assert list(archive.files()) == []  # neither a final file nor a temporary one


def test_racing_writers_of_the_same_file_agree(home):
    root = get_settings().archive_dir
    code = ("import sys; from pathlib import Path; from dakscan.ingest.archive import Archive;"
            "Archive(Path(sys.argv[1])).put_pdf('ef' * 32, b'same sealed bytes' * 50000)")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(root)]) for _ in range(4)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    files = list(Archive(root).files())
    assert len(files) == 1 and files[0].read_bytes() == b"same sealed bytes" * 50000
