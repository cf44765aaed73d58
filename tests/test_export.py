"""`dakscan export` and GET /api/v1/export: e-Office receipts with the diarise fields, the
diary number, the archived PDF's path and the original's sha256."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_api_support import PASSWORD, add_people, letter_scan, login
from typer.testing import CliRunner

from dakscan.service.api import create_app
from dakscan.service.cli import app as cli
from dakscan.service.config import get_settings, reset_settings
from dakscan.service.db import dispose_engines, session_scope
from dakscan.service.export import FIELDS
from dakscan.service.models import Dak
from dakscan.service.pipeline import Intake, Pipeline

LETTER = ["कार्यालय कलेक्टर जिला धमतरी", "क्रमांक 1234/स्था./2025 दिनांक 15.07.2025",
          "विषय: पेयजल व्यवस्था की समीक्षा।", "संलग्न: 2 प्रतियाँ"]


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory):
    """Two real dak from scans (OCR'd, signed, archived); the first one dated 10 days back.
    One register for the module: DAKSCAN_HOME points at it while the module runs."""
    tmp_path = tmp_path_factory.mktemp("export")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAKSCAN_HOME", str(tmp_path / "home"))
        mp.delenv("DAKSCAN_DATABASE_URL", raising=False)
        reset_settings()
        dispose_engines()
        yield register_two(tmp_path)
        dispose_engines()
    reset_settings()


def register_two(tmp_path: Path) -> list[tuple[Path, dict]]:
    out = []
    with Pipeline(workers=1) as p:
        for i, lines in enumerate((LETTER, ["Office of the Collector", "No. 88/Rev/2025",
                                            "Subject: Land records"])):
            scan = tmp_path / f"scan{i}.png"
            scan.write_bytes(letter_scan(lines))
            result = p.process(scan, Intake(delivery_mode="speed_post", actor="t"))
            assert result["status"] == "registered", result
            out.append((scan, result))
    with session_scope(get_settings().db_url) as s:
        first = s.scalars(select(Dak).where(Dak.id == out[0][1]["dak"]["id"])).one()
        first.received_at = first.received_at - timedelta(days=10)
    return out


def export(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["export", *args])
    return r.exit_code, r.stdout


def test_json_receipts_carry_diary_no_sha256_and_pdf(registered) -> None:
    code, out = export("--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["diary_no"] for r in rows] == [res["dak"]["diary_no"] for _, res in registered]
    for row, (scan, _res) in zip(rows, registered, strict=True):
        assert row["sha256"] == hashlib.sha256(scan.read_bytes()).hexdigest()
        pdf = Path(row["pdf_path"])
        assert pdf.is_file() and hashlib.sha256(pdf.read_bytes()).hexdigest() == row["pdf_sha256"]
        assert row["delivery_mode"] == "speed_post" and row["received_date"]
        assert set(FIELDS) <= set(row)
    assert rows[0]["letter_no"] and "1234" in rows[0]["letter_no"]
    assert rows[0]["language"] == "Hindi" and rows[1]["language"] == "English"


def test_since_filters_by_received_day(registered) -> None:
    today = datetime.now().date()
    code, out = export("--since", (today - timedelta(days=1)).isoformat(), "--format", "json")
    assert code == 0
    assert [r["diary_no"] for r in json.loads(out)] == [registered[1][1]["dak"]["diary_no"]]
    code, out = export("--since", (today - timedelta(days=30)).strftime("%d.%m.%Y"),
                       "--format", "json")
    assert len(json.loads(out)) == 2
    code, out = export("--since", (today + timedelta(days=2)).isoformat(), "--format", "json")
    assert json.loads(out) == []


def test_csv_has_header_and_one_row_per_receipt(registered, tmp_path: Path) -> None:
    code, out = export("--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == FIELDS and len(rows) == 2
    assert rows[0]["sha256"] == registered[0][1]["archive"]["sha256"]
    target = tmp_path / "receipts.csv"
    assert export("--format", "csv", "--output", str(target))[0] == 0
    assert target.read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(FIELDS)


@pytest.mark.parametrize("args", [["--format", "xml"], ["--since", "yesterday"],
                                  ["--since", "2025-02-30"], ["--kind", "files"]])
def test_bad_export_options_exit_2(registered, args: list[str]) -> None:
    assert export(*args)[0] == 2


def test_api_export_json_and_csv(registered) -> None:
    settings = get_settings()
    add_people(settings, ("commissioner", "op_a"))
    with TestClient(create_app(settings)) as c:
        h = login(c, "commissioner", PASSWORD)
        rows = c.get("/api/v1/export", headers=h).json()
        assert [r["diary_no"] for r in rows] == [res["dak"]["diary_no"] for _, res in registered]
        since = datetime.now().date().isoformat()
        assert len(c.get("/api/v1/export", headers=h, params={"since": since}).json()) == 1
        r = c.get("/api/v1/export", headers=h, params={"format": "csv"})
        assert r.headers["content-type"].startswith("text/csv")
        assert list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")))) [1]["diary_no"] \
            == registered[1][1]["dak"]["diary_no"]
        assert c.get("/api/v1/export", headers=h, params={"format": "xml"}).status_code == 422
        assert c.get("/api/v1/export", headers=login(c, "op_a")).status_code == 403
