"""The stability check on real files: a file that pauses mid-write longer than the stability
time is still not ready (it does not parse), a finished one is, and a file that stays broken
is let through after `give_up_seconds` so it can reach failed/ with its reason."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from dakscan.watch_folders.stability import StabilityTracker, completeness, page_count

from letters import HINDI_LETTER, render_page, save_multipage

pytestmark = pytest.mark.filterwarnings("ignore:Corrupt EXIF")  # half-written TIFFs
STABLE = {"d": 0.3}
GIVE_UP = {"d": 60.0}


def small_pages(n: int) -> list:
    return [render_page([HINDI_LETTER[0], f"पृष्ठ {i + 1}"], size=36, page=(900, 300), margin=30)
            for i in range(n)]


def ready_names(tracker: StabilityTracker, give_up: dict[str, float] = GIVE_UP) -> list[str]:
    """Ask until the background parse checks have answered (they run in threads)."""
    deadline = time.monotonic() + 5
    while True:
        names = [c.path.name for c in tracker.ready(time.monotonic(), STABLE, give_up)]
        pending = any(c.check is not None for c in tracker.candidates.values())
        if not pending or time.monotonic() > deadline:
            return names
        time.sleep(0.05)


def test_paused_partial_files_wait_and_complete_ones_go(tmp_path: Path) -> None:
    whole = {}
    for suffix in ("pdf", "tif"):
        buf = tmp_path / f"ref.{suffix}"
        save_multipage(small_pages(3), buf)  # fresh pages: a PDF save leaves state on them
        whole[suffix] = buf.read_bytes()
        buf.unlink()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    tracker = StabilityTracker(max_pages=500, max_pixels=80_000_000)
    try:
        handles = {s: open(inbox / f"scan.{s}", "wb") for s in whole}  # noqa: SIM115
        for s in whole:
            tracker.see(inbox / f"scan.{s}", "d", time.monotonic())
        for step in range(1, 5):  # four quarters, each followed by a pause > stability time
            for s, data in whole.items():
                q = len(data) // 4
                handles[s].write(data[(step - 1) * q: step * q if step < 4 else len(data)])
                handles[s].flush()
            tracker.refresh(time.monotonic())  # the watcher's tick notices the growth
            time.sleep(0.5)
            tracker.refresh(time.monotonic())
            if step < 4:
                assert ready_names(tracker) == [], f"taken after quarter {step}"
        for h in handles.values():
            h.close()
        assert sorted(ready_names(tracker)) == ["scan.pdf", "scan.tif"]
        assert [c.pages for c in tracker.candidates.values()] == [3, 3]
    finally:
        tracker.close()


def test_a_broken_file_goes_after_give_up(tmp_path: Path) -> None:
    buf = io.BytesIO()
    small_pages(1)[0].save(buf, "PDF", resolution=300)
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    ok, why, pages = completeness(cut, 500, 80_000_000)
    assert not ok and "incomplete" in why and pages is None
    tracker = StabilityTracker(max_pages=500, max_pixels=80_000_000)
    try:
        tracker.see(cut, "d", time.monotonic())
        time.sleep(0.4)
        tracker.refresh(time.monotonic())
        assert ready_names(tracker) == []
        time.sleep(0.5)
        assert ready_names(tracker, give_up={"d": 0.8}) == ["cut.pdf"]
    finally:
        tracker.close()


def test_refusals_for_good_are_not_waited_on(tmp_path: Path) -> None:
    text = tmp_path / "notes.pdf"
    text.write_text("minutes of the meeting\n" * 100)
    assert completeness(text, 500, 80_000_000)[0] is True  # never a scan: no point waiting
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    assert completeness(empty, 500, 80_000_000)[0] is False  # a scanner may not have begun


def test_page_count_of_recovered_files(tmp_path: Path) -> None:
    assert page_count(save_multipage(small_pages(2), tmp_path / "two.tif")) == 2
    assert page_count(save_multipage(small_pages(3), tmp_path / "three.pdf")) == 3
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.4 junk")
    assert page_count(tmp_path / "junk.pdf") is None
