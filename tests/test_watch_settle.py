"""Settling decided by the register, on a real registration: a file whose dak was committed
before its worker died goes to done/, never to failed/ and never through a second number;
a file that changed after it was read is not filed as done."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import func, select

from dakscan.ingest.errors import InputError
from dakscan.service.config import get_settings
from dakscan.service.db import session_scope
from dakscan.service.models import Dak, Failure
from dakscan.service.pipeline import Intake, Pipeline
from dakscan.watch_folders.folders import DeskFolder
from dakscan.watch_folders.settle import settle
from dakscan.watch_folders.worker import process_job

from letters import render_page, save


def test_committed_before_the_kill_goes_to_done(home: Path, tmp_path: Path) -> None:
    settings = get_settings()
    desk = DeskFolder(tmp_path / "desk")
    desk.root.mkdir()
    desk.prepare()
    scan = save(render_page(["पत्र क्रमांक 77/स्था.", "Letter No. 77"], size=34,
                            page=(600, 300), margin=30), tmp_path / "letter.png")
    with Pipeline(workers=1) as pipeline:
        first = pipeline.process(scan, Intake(desk="आवक", actor="watch:आवक"))
    assert first["status"] == "registered"
    # the same file was in processing/ when the watcher died; its worker result is lost
    shutil.copy(scan, desk.processing / "letter.png")
    killed = InputError("timeout").result()
    outcome = settle(desk, "आवक", desk.processing / "letter.png", "letter.png", killed,
                     settings.db_url, settings.timezone)
    assert (outcome.status, outcome.diary_no) == ("duplicate", first["dak"]["diary_no"])
    assert (desk.done / "letter.png").read_bytes() == scan.read_bytes()
    assert desk.failed_files() == [] and desk.in_processing() == []
    with session_scope(settings.db_url) as s:
        assert s.scalar(select(func.count()).select_from(Dak)) == 1
        assert s.scalar(select(func.count()).select_from(Failure)) == 0


def test_worker_job_registers_and_a_changed_file_is_taken_again(home: Path,
                                                                  tmp_path: Path) -> None:
    settings = get_settings()
    desk = DeskFolder(tmp_path / "desk")
    desk.root.mkdir()
    desk.prepare()
    path = save(render_page(["पत्र क्रमांक 78/स्था."], size=34, page=(600, 300), margin=30),
                desk.processing / "पत्र.png")
    result = process_job({"path": str(path), "desk": "आवक", "unit": "INW",
                          "delivery_mode": "by_hand", "lang": None, "source_name": "पत्र.png"})
    assert result["status"] == "registered" and result["diary_no"].endswith("/INW")
    path.write_bytes(path.read_bytes() + b"\0")  # the scanner wrote more after it was read
    outcome = settle(desk, "आवक", path, "पत्र.png", result, settings.db_url, settings.timezone)
    assert outcome.status == "changed" and path.exists() and desk.done_files() == []
    with session_scope(settings.db_url) as s:
        dak = s.scalars(select(Dak)).one()
        assert (dak.desk, dak.source_name, dak.delivery_mode) == ("आवक", "पत्र.png", "by_hand")
