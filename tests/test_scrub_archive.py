"""`dakscan scrub`: re-hashes and re-verifies the real archive, names every missing, altered,
orphaned or unfinished file, and catches edited, deleted or cut-off audit rows."""

from __future__ import annotations

import json
from pathlib import Path

from sealed import dakscan, sealed_copy, writable
from sqlalchemy import select, text

from dakscan.ingest.archive import Archive, sha256_bytes
from dakscan.ingest.scrub import scrub
from dakscan.service import store
from dakscan.service.config import get_settings
from dakscan.service.db import session_scope
from dakscan.service.models import AuditEntry


def _chain_problems(url: str) -> list[str]:
    with session_scope(url, readonly=True) as s:
        return store.broken_links(s)


def test_clean_archive_scrubs_clean_and_the_scrub_is_audited(home):
    sealed_copy(home)
    settings = get_settings()
    assert scrub(settings) == (4, [])
    done = dakscan("scrub")
    assert done.returncode == 0 and "4 files checked, 0 problems" in done.stdout
    done = dakscan("scrub", "--full", "--json")
    assert done.returncode == 0 and json.loads(done.stdout) == {
        "checked": 4, "problems": [], "ok": True}
    with session_scope(settings.db_url, readonly=True) as s:
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["register", "register", "scrub", "scrub", "scrub"]
    assert _chain_problems(settings.db_url) == []


def test_scrub_names_each_missing_altered_orphaned_and_unfinished_file(home):
    sealed = sealed_copy(home)
    settings = get_settings()
    original = writable(Path(sealed["hi"]["archive"]["original"]))
    original.write_bytes(original.read_bytes() + b"\0")
    pdf = writable(Path(sealed["en"]["archive"]["path"]))
    pdf.unlink()
    orphan = settings.archive_dir / "zz" / ("zz" + "1" * 62) / "original.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"%PDF-1.7 stray")
    unfinished = original.parent / ".tmp-abc123.part"
    unfinished.write_bytes(b"half a file")
    done = dakscan("scrub")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    for path, what in ((original, "was altered"), (pdf, "is missing"), (orphan, "orphaned"),
                       (unfinished, "unfinished temporary file")):
        assert any(line.startswith(str(path)) and what in line for line in lines), (path, lines)
    assert "4 files checked, 4 problems" in done.stdout


def test_swapped_pdf_with_register_row_doctored_is_caught(home):
    """Someone replaces a sealed PDF and points the dak row at it: the audited registration
    and the signature both disagree."""
    sealed = sealed_copy(home)
    settings = get_settings()
    old = Path(sealed["hi"]["archive"]["path"])
    data = bytearray(old.read_bytes())
    data[len(data) // 3] ^= 0x01
    forged = Archive(settings.archive_dir).put_pdf(sealed["hi"]["archive"]["sha256"],
                                                   bytes(data))
    with session_scope(settings.db_url) as s:
        s.execute(text("UPDATE dak SET pdf_path = :p, pdf_sha256 = :h WHERE diary_no = :d"),
                  {"p": str(forged.relative_to(settings.archive_dir)),
                   "h": sha256_bytes(bytes(data)), "d": sealed["hi"]["dak"]["diary_no"]})
    _, problems = scrub(settings)
    diary = sealed["hi"]["dak"]["diary_no"]
    assert f"{diary}: the register's file hashes differ from its audited registration " \
           "(dak row changed outside dakscan)" in problems
    assert any(p.startswith(f"{forged}: PDF of {diary} fails verification") for p in problems)
    assert f"{old}: orphaned (no dak refers to it)" in problems


def test_edited_deleted_and_cut_off_audit_rows_are_caught(home):
    sealed_copy(home)
    url = get_settings().db_url
    store.record_verification(get_settings(), None, "x.pdf", True, [])  # a third row
    with session_scope(url) as s:
        rows = [dict(r._mapping) for r in s.execute(text("SELECT * FROM audit_log ORDER BY id"))]
    assert len(rows) == 3 and _chain_problems(url) == []
    with session_scope(url) as s:  # an edited row
        s.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = :i"),
                  {"i": rows[0]["id"]})
    assert _chain_problems(url) == [f"audit row {rows[0]['id']} (register) does not chain"]
    with session_scope(url) as s:
        s.execute(text("UPDATE audit_log SET actor = :a WHERE id = :i"),
                  {"a": rows[0]["actor"], "i": rows[0]["id"]})
    assert _chain_problems(url) == []
    with session_scope(url) as s:  # the last row cut off: the chain alone cannot see it
        s.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": rows[-1]["id"]})
    problems = _chain_problems(url)
    assert not any("does not chain" in p for p in problems)
    assert any("cut off" in p for p in problems) and any("its head counts 3" in p
                                                          for p in problems)
    with session_scope(url) as s:  # a middle row deleted (a dak's registration)
        s.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": rows[0]["id"]})
    _, problems = scrub(get_settings(), record=False)
    assert f"audit row {rows[1]['id']} (register) does not chain" in problems
    assert any("no 'register' row in the audit log" in p for p in problems)


def test_audit_chain_and_head_on_postgres(pg_url, monkeypatch, home):
    monkeypatch.setenv("DAKSCAN_DATABASE_URL", pg_url)
    with session_scope(pg_url) as s:
        store.serialise_writers(s)
        for i in range(5):
            store.audit(s, "diarist", "edit", None, {"field": "subject", "new": f"विषय {i}"})
    assert _chain_problems(pg_url) == []
    with session_scope(pg_url) as s:
        s.execute(text("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)"))
    assert any("cut off" in p for p in _chain_problems(pg_url))
    with session_scope(pg_url) as s:
        s.execute(text("UPDATE audit_log SET detail = '{}' WHERE id = 2"))
    assert "audit row 2 (edit) does not chain" in _chain_problems(pg_url)
