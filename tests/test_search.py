"""Hindi + English search on a corpus of letters with the spelling variants a register meets
(मिश्रा/मिश्र, सितंबर/सितम्बर, nukta, anusvara/chandrabindu, digits of both scripts), with
expected hits, on SQLite and PostgreSQL. The texts are stored as OCR would have left them;
the OCR'd path end to end is in test_api.py."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_api_support import make_settings

from dakscan.service import store
from dakscan.service.auth import Principal
from dakscan.service.db import session_scope
from dakscan.service.models import Dak
from dakscan.service.search import (
    Query,
    SearchDoc,
    SearchTerm,
    catch_up,
    pending,
    rank,
    snippet,
)
from dakscan.service.search_text import search_form, term_key

# name → (subject, sender, letter_no, body)
CORPUS = {
    "mishra_sept": ("ग्राम पंचायतों में पेयजल व्यवस्था", "राजेश कुमार मिश्रा", "1234/स्था./2025",
                    "दिनांक 15 सितम्बर 2025 को कलेक्टर जिला धमतरी द्वारा समीक्षा की गई।"),
    "mishr_sept": ("सितंबर माह की प्रगति रिपोर्ट", "सुश्री अनीता मिश्र", "567/शिक्षा/2025",
                   "ज़िला शिक्षा अधिकारी कार्यालय से प्राप्त।"),
    "nukta_road": ("सड़क निर्माण की स्वीकृति", "कार्यपालन यंत्री", "८९०/लो.नि.वि./२०२५",
                   "प्रधानमंत्री ग्राम सड़क योजना के अंतर्गत कार्य।"),
    "chandrabindu": ("आँगनबाड़ी केंद्रों का निरीक्षण", "परियोजना अधिकारी", "45/म.बा.वि./2025",
                     "पत्र आपके कार्यालय पहुँचने पर हिन्दी में उत्तर भेजें।"),
    "anusvara": ("आंगनबाडी केन्द्र भवन मरम्मत", "सहायक यंत्री", "46/2025",
                 "हिंदी माध्यम शाला भवन, पहुंच मार्ग सहित।"),
    "english": ("Review of land records digitisation", "Anil Kumar Sharma", "4521/Revenue/2025",
                "Complete the digitisation of land records of all villages in September."),
    "mixture": ("उर्वरक मिश्रण का वितरण", "उप संचालक कृषि", "5678/कृषि/2025",
                "किसानों को मिश्रित खाद का वितरण।"),
    "admin": ("प्रशासनिक स्वीकृति", "अपर कलेक्टर", "99/2025", "प्रशासन द्वारा आदेश जारी।"),
}

# query → the dak it must find (and nothing else)
EXPECTED = {
    "मिश्रा": {"mishra_sept", "mishr_sept"},
    "मिश्र": {"mishra_sept", "mishr_sept"},
    "सितंबर": {"mishra_sept", "mishr_sept"},
    "सितम्बर": {"mishra_sept", "mishr_sept"},
    "जिला": {"mishra_sept", "mishr_sept"},
    "ज़िला": {"mishra_sept", "mishr_sept"},
    "सडक": {"nukta_road"},
    "सड़क": {"nukta_road"},
    "आंगनबाडी": {"chandrabindu", "anusvara"},
    "आँगनबाड़ी": {"chandrabindu", "anusvara"},
    "पहुंच": {"anusvara"},
    "हिंदी": {"chandrabindu", "anusvara"},
    "हिन्दी": {"chandrabindu", "anusvara"},
    "केंद्र": {"chandrabindu", "anusvara"},
    "पंचायत": {"mishra_sept"},
    "1234": {"mishra_sept"},
    "१२३४": {"mishra_sept"},
    "890": {"nukta_road"},
    "८९०": {"nukta_road"},
    "567": {"mishr_sept"},
    "1234/स्था./2025": {"mishra_sept"},
    "मिश्रा धमतरी": {"mishra_sept"},
    "records": {"english"},
    "Digitisation": {"english"},
    "SEPTEMBER": {"english"},
    "प्रशासन": {"admin"},
    "प्रशासन*": {"admin"},
    "मिश्रण": {"mixture"},
    "रेलवे": set(),
}


def add_dak(settings, name: str, subject: str, sender: str, letter_no: str,  # noqa: ANN001
            body: str) -> int:
    """Register a dak row as the pipeline leaves it (no scan: search is what is tested)."""
    text = "\n".join((letter_no, subject, body, sender))
    sha = hashlib.sha256(name.encode()).hexdigest()
    with session_scope(settings.db_url) as s:
        store.serialise_writers(s)
        serial = store.next_serial(s, "dak", "DAK", 2025)
        dak = Dak(kind="dak", diary_no=f"{serial}/2025/DAK", serial=serial, year=2025,
                  unit="DAK", sha256=sha, received_at=store.now(), source_name=f"{name}.png",
                  original_path=f"{sha[:2]}/{sha}/original.png",
                  pdf_path=f"{sha[:2]}/{sha}/x.pdf", pdf_sha256=sha, pages=1, language="hi",
                  ocr_text=text, search_text=search_form(text), page_info=[], meta={},
                  letter_no=letter_no, subject=subject, sender_name=sender,
                  review_reasons=[], desk=None)
        s.add(dak)
        s.flush()
        return dak.id


@pytest.fixture(params=["sqlite", "postgresql"])
def corpus(request: pytest.FixtureRequest, tmp_path: Path):
    db_url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    settings = make_settings(tmp_path / "home", db_url)
    ids = {name: add_dak(settings, name, *fields) for name, fields in CORPUS.items()}
    return settings, ids


def found(settings, q: str) -> list[int]:  # noqa: ANN001
    with session_scope(settings.db_url, readonly=True) as s:
        return [d for d, _ in rank(s, Query.parse(q))]


def test_variant_spellings_find_the_expected_letters(corpus) -> None:
    settings, ids = corpus
    assert catch_up(settings.db_url) == len(CORPUS)
    names = {v: k for k, v in ids.items()}
    misses = {}
    for q, expected in EXPECTED.items():
        got = {names[d] for d in found(settings, q)}
        if got != expected:
            misses[q] = (sorted(got), sorted(expected))
    assert misses == {}


def test_index_catches_up_once_and_reindexes_edits(corpus) -> None:
    settings, ids = corpus
    assert catch_up(settings.db_url) == len(CORPUS)
    assert catch_up(settings.db_url) == 0
    with session_scope(settings.db_url, readonly=True) as s:
        assert s.scalar(select(func.count()).select_from(SearchDoc)) == len(CORPUS)
        assert s.scalar(select(func.count()).select_from(SearchTerm)) > 50
    from dakscan.service.api_edit import edit_dak

    edit_dak(settings, ids["english"], Principal("dia", "diarist"),
             {"subject": "खनिज रॉयल्टी वसूली"})
    assert found(settings, "रायल्टी") == [ids["english"]]  # ॉ = ा
    assert found(settings, "digitisation") == [ids["english"]]  # still in the body


def test_catch_up_within_a_budget_leaves_the_rest_pending(corpus) -> None:
    settings, _ = corpus
    assert catch_up(settings.db_url, budget_s=0) == 0
    assert pending(settings.db_url) == len(CORPUS)
    assert catch_up(settings.db_url, budget_s=60) == len(CORPUS)
    assert pending(settings.db_url) == 0


def test_cli_search_and_index(corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from dakscan.service.cli import app
    from dakscan.service.config import reset_settings

    settings, _ = corpus
    monkeypatch.setenv("DAKSCAN_HOME", str(settings.home))
    if settings.database_url:
        monkeypatch.setenv("DAKSCAN_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("DAKSCAN_DATABASE_URL", raising=False)
    reset_settings()
    r = CliRunner().invoke(app, ["search-index"])
    assert r.exit_code == 0 and f"{len(CORPUS)} dak indexed" in r.output
    r = CliRunner().invoke(app, ["search", "--json", "सितम्बर"])
    assert r.exit_code == 0
    hits = json.loads(r.stdout)["items"]
    assert {h["dak"]["source_name"] for h in hits} == {"mishra_sept.png", "mishr_sept.png"}
    assert CliRunner().invoke(app, ["search", "का"]).exit_code == 2
    reset_settings()


def test_subject_hits_rank_above_body_hits(corpus) -> None:
    settings, ids = corpus
    catch_up(settings.db_url)
    assert found(settings, "सितंबर")[0] == ids["mishr_sept"]  # subject beats body
    assert found(settings, "प्रशासन*")[0] == ids["admin"]


def test_numbers_match_whole_not_as_prefixes(corpus) -> None:
    settings, ids = corpus
    catch_up(settings.db_url)
    assert found(settings, "567") == [ids["mishr_sept"]]  # not 5678
    assert found(settings, "5678") == [ids["mixture"]]


def test_snippets_mark_the_written_spelling_and_escape_html() -> None:
    text = "पत्र <script>alert(1)</script> दिनांक 15 सितम्बर 2025 को राजेश कुमार मिश्रा द्वारा"
    snip = snippet(text, Query.parse("सितंबर मिश्र"))
    assert "<mark>सितम्बर</mark>" in snip and "<mark>मिश्रा</mark>" in snip
    assert "<script>" not in snip and "&lt;script&gt;" in snip
    long = "क " * 400 + "सितम्बर " + "ख " * 400
    snip = snippet(long, Query.parse("सितंबर"))
    assert snip.startswith("… ") and snip.endswith(" …") and len(snip) < 250


def test_term_keys_fold_variants_but_keep_words_apart() -> None:
    same = [("मिश्रा", "मिश्र"), ("सितंबर", "सितम्बर"), ("ज़िला", "जिला"), ("पहुँच", "पहुंच"),
            ("हिन्दी", "हिंदी"), ("डॉक्टर", "डाक्टर"), ("१२३४", "1234"), ("Letters", "letter"),
            ("कार्यालयों", "कार्यालय"), ("लड़कियों", "लड़की"), ("नीति", "निति")]
    for a, b in same:
        assert term_key(a) == term_key(b), (a, b)
    apart = [("मिश्र", "मिश्रण"), ("567", "5678"), ("दिन", "दिनांक"), ("कर", "कार")]
    for a, b in apart:
        assert term_key(a) != term_key(b), (a, b)
    assert term_key("का") == "" and term_key("the") == ""


def test_query_parsing() -> None:
    q = Query.parse("मिश्रा, सितम्बर का 1234/स्था. प्रशासन*")
    assert q.keys == ["मिश्र", "सितंबर", "1234", "स्थ", "प्रशासन*"]
    assert Query.parse("  ,.; ").terms == []
