"""The metadata on the real paths: `dakscan process --json` carries the flat fields, the
register keeps them with confidences and a needs_review flag, and `dakscan cues audit` shows
the cues that fired and the number line that matched none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from dakscan.service.config import get_settings
from dakscan.service.db import session_scope
from dakscan.service.models import Dak

from letters import HINDI_LETTER, render_page, save

DAKSCAN = str(Path(sys.executable).with_name("dakscan"))
TODAY = date.today()
LETTER_DATE = TODAY - timedelta(days=20)
REF_DATE = TODAY - timedelta(days=40)
DUE = TODAY + timedelta(days=10)
LETTER = [
    "अति आवश्यक",
    "कार्यालय कलेक्टर, जिला धमतरी (छत्तीसगढ़)",
    f"क्रमांक/ 1234 /स्था./2025                 धमतरी, दिनांक {LETTER_DATE:%d.%m.%Y}",
    "प्रति,",
    "    मुख्य कार्यपालन अधिकारी,",
    "    जनपद पंचायत कुरूद, जिला धमतरी",
    "विषय:- ग्राम पंचायतों में पेयजल व्यवस्था की समीक्षा बाबत।",
    f"संदर्भ:- आपका पत्र क्रमांक 567 दिनांक {REF_DATE:%d.%m.%Y}",
    f"उपरोक्त विषयांतर्गत लेख है कि हैंडपंप सुधार का कार्य दिनांक {DUE:%d.%m.%Y} तक",
    "पूर्ण कराया जाए। नस्ती नं. 45/पेयजल/2025 में प्रगति दर्ज करें।",
    "                                              (राजेश कुमार मिश्रा)",
    "                                              कलेक्टर, जिला धमतरी",
]


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    img = render_page(LETTER, size=40, margin=150, page=(1900, 1500))
    return save(img, tmp_path_factory.mktemp("scan") / "letter.png")


def _run(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DAKSCAN_HOME": str(home)}
    env.pop("DAKSCAN_DATABASE_URL", None)
    return subprocess.run([DAKSCAN, *args], capture_output=True, text=True, env=env,
                          timeout=240, check=False)


def test_process_json_carries_the_fields_and_the_register_keeps_confidences(scan, home):
    run = _run("process", "--json", str(scan), home=home)
    assert run.returncode == 0, run.stderr
    dak = json.loads(run.stdout.splitlines()[0])["dak"]
    assert dak["letter_no"] == "1234/स्था./2025"
    assert dak["letter_date"] == LETTER_DATE.isoformat()
    assert dak["subject"] == "ग्राम पंचायतों में पेयजल व्यवस्था की समीक्षा बाबत।"
    assert dak["sender"]["designation"] == "कलेक्टर"
    assert dak["sender"]["name"] == "राजेश कुमार मिश्रा"
    assert dak["priority"] == "most_immediate" and dak["time_bound"] is False
    assert dak["references"] == [{"no": "567", "date": REF_DATE.isoformat()}]
    assert dak["deadline"] == DUE.isoformat()
    assert dak["language"] == "hi" and dak["letter_type"] == "letter"
    for key in ("is_copy", "endorsement_no", "endorsement_date", "enclosures", "case_numbers",
                "vip", "security", "addressee"):
        assert key in dak
    with session_scope(get_settings().db_url) as s:
        row = s.scalars(select(Dak)).one()
        fields = row.meta["fields"]
        assert fields["letter_date"]["value"] == LETTER_DATE.isoformat()
        assert 0.7 <= fields["letter_date"]["confidence"] <= 1
        assert fields["letter_no"]["evidence"]["boxes"]
        assert row.letter_no == "1234/स्था./2025" and row.letter_date == LETTER_DATE
        assert row.needs_review is False


def test_cues_audit_reports_fired_cues_and_unmatched_lines(scan, home, tmp_path):
    run = _run("cues", "audit", "--json", str(scan), str(tmp_path / "missing.pdf"), home=home)
    assert run.returncode == 1  # the missing file is reported, the scan still audited
    found, missing = (json.loads(line) for line in run.stdout.splitlines())
    fired = {c.split(":")[0] for ln in found["lines"] for c in ln["cues"]}
    assert {"cues.letter_no", "cues.date", "cues.subject", "cues.reference",
            "priority.most_immediate"} <= fired
    unmatched = [ln for ln in found["unmatched"] if "नस्ती नं" in ln["text"]]
    assert unmatched and "number" in unmatched[0]["looks_like"]
    assert found["fields"]["letter_no"] == "1234/स्था./2025"
    assert "File not found" in missing["error"] and "फ़ाइल नहीं मिली" in missing["error"]
    human = _run("cues", "audit", str(scan), "--profile", "bihar", home=home)
    assert human.returncode == 0 and "fired" in human.stdout and "unmatched" in human.stdout
    bad = _run("cues", "audit", str(scan), "--profile", "no-such-office", home=home)
    assert bad.returncode == 2 and "No such cue profile" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


def test_a_fault_in_the_field_finders_still_registers_the_letter(home, tmp_path, monkeypatch):
    """The letter is registered with empty fields for the clerk, flagged; never lost."""
    from dakscan.service import pipeline as pipeline_module

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ValueError("a finder bug")

    monkeypatch.setattr(pipeline_module, "extract", broken)
    path = save(render_page(HINDI_LETTER[:4], page=(1240, 600), margin=60), tmp_path / "l.png")
    with pipeline_module.Pipeline(workers=1) as p:
        r = p.process(path)
    assert r["status"] == "registered", r
    assert r["dak"]["needs_review"] and r["dak"]["letter_no"] is None
    assert any("by hand" in reason for reason in r["dak"]["review_reasons"])
