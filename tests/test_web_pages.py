"""The desk pages through the real app (`create_app`) and a real SQLite register: sign-in,
language switch, role boundaries, CSRF, the review form's edits, the page pictures, the inbox
and the register. The dak here are seeded with a real PDF (a rendered Hindi letter page) and
known evidence boxes, so no OCR runs; the browser test runs the whole pipeline."""

from __future__ import annotations

import io
import re
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from dakscan.ingest.assemble import PageOut, assemble, encode_jpeg
from dakscan.service import users
from dakscan.service.api import create_app
from dakscan.service.config import Settings, get_settings
from dakscan.service.db import dispose_engines, session_scope
from dakscan.service.models import AuditEntry, Dak, Failure
from dakscan.service.web_actions import FormError, changed_fields, parse_date
from dakscan.service.web_pages import evidence_fractions, geometry, pick_width

import letters

PASSWORD = "desk-pass-2025"
SUBJECT = "ग्राम पंचायतों में पेयजल व्यवस्था की समीक्षा बाबत।"
SUBJECT_BOX = [200, 595, 1500, 650]  # pixels on the 2480×3508 page at 300 dpi
NAMES = {"clerk": "सुनीता वर्मा", "op": "रमेश साहू", "op2": "गीता यादव", "so": "अजय सिंह",
         "boss": "प्रशासक", "commr": "आयुक्त"}
ROLES = {"clerk": ("diarist", "D1", None), "op": ("operator", "D1", None),
         "op2": ("operator", "D2", None), "so": ("section_officer", None, "राजस्व"),
         "boss": ("admin", None, None), "commr": ("commissioner", None, None)}


def letter_pdf(path: Path) -> Path:
    """A one-page PDF as the archive holds it: the page picture at 300 dpi."""
    img = letters.render_page(letters.HINDI_LETTER)
    jpeg, mode = encode_jpeg(img)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(assemble([PageOut(number=1, width=img.width, height=img.height, dpi=300,
                                       jpeg=jpeg, mode=mode)]))
    return path


def field(value: object, confidence: float, evidence: dict | None = None) -> dict:
    return {"value": value, "confidence": confidence, "evidence": evidence}


def add_dak(s, serial: int, desk: str, pdf_rel: str, **kw) -> Dak:  # noqa: ANN001, ANN003
    now = datetime.now(UTC)
    values = dict(kind="dak", diary_no=f"{serial}/{now.year}/DAK", serial=serial, year=now.year,
                  unit="DAK", sha256=f"{serial:064x}", received_at=now - timedelta(minutes=serial),
                  source_name=f"scan-{serial}.pdf", desk=desk, delivery_mode="by_hand",
                  original_path=pdf_rel, pdf_path=pdf_rel, pdf_sha256="0" * 64, pages=1,
                  language="hi", ocr_text="\n".join(letters.HINDI_LETTER), search_text="",
                  page_info=[{"number": 1}], meta={}, status="registered", seconds=4.0)
    values.update(kw)
    dak = Dak(**values)
    s.add(dak)
    s.flush()
    return dak


def build(home: Path) -> dict:
    """Users of every role, three dak (one to review on D1, one on D2 confirmed and marked,
    one on D1 confirmed) and two failures on D1 (one whose file is kept)."""
    settings = Settings(home=home)
    for name, (role, desk, section) in ROLES.items():
        users.add_user(settings.db_url, name, role, PASSWORD, desk=desk, section=section,
                       full_name=NAMES[name])
    pdf = letter_pdf(settings.archive_dir / "aa" / "letter" / "dak.pdf")
    rel = str(pdf.relative_to(settings.archive_dir))
    kept = home / "desk" / "failed" / "blurred.png"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"not really a scan")
    evidence = {"page": 1, "line": SUBJECT, "boxes": [SUBJECT_BOX]}
    with session_scope(settings.db_url) as s:
        first = add_dak(
            s, 1, "D1", rel, subject=SUBJECT, sender_name="राजेश कुमार मिश्रा",
            sender_designation="कलेक्टर", letter_no="1234/स्था./2025", needs_review=True,
            status="needs_review",
            review_reasons=["letter_date not found", "letter_no uncertain",
                            "page 1: no text read", "a reason nobody translated"],
            meta={"fields": {"subject": field(SUBJECT, 0.9, evidence),
                             "letter_no": field("1234/स्था./2025", 0.4,
                                                {"page": 1, "boxes": [[200, 280, 700, 330]]}),
                             "sender_name": field("राजेश कुमार मिश्रा", 0.85)}})
        second = add_dak(s, 2, "D2", rel, subject="भूमि अभिलेख का डिजिटलीकरण",
                         ocr_text="भूमि अभिलेख का डिजिटलीकरण शीघ्र पूर्ण करें।",
                         sender_name="अनिल कुमार शर्मा", status="marked", section="राजस्व",
                         confirmed_at=datetime.now(UTC), confirmed_by="clerk")
        third = add_dak(s, 3, "D1", rel, subject="वृक्षारोपण अभियान की सूचना",
                        ocr_text="वृक्षारोपण अभियान की सूचना।",
                        status="confirmed", confirmed_at=datetime.now(UTC), confirmed_by="clerk",
                        letter_date=date(2025, 7, 15))
        s.add(Failure(at=datetime.now(UTC), source_name="blurred.png", desk="D1", code="timeout",
                      message_hi="इस फ़ाइल को पढ़ने में बहुत देर लगी।",
                      message_en="Reading this file took too long.", kept_at=str(kept)))
        s.add(Failure(at=datetime.now(UTC), source_name="half.jpg", desk="D1", code="truncated",
                      message_hi="फ़ाइल अधूरी या खराब है।", message_en="The file is incomplete.",
                      kept_at=None))
        ids = {"first": first.id, "second": second.id, "third": third.id}
    dispose_engines()
    return {"pdf_rel": rel, "kept": kept, **ids}


_TEMPLATE: dict = {}


@pytest.fixture
def seeded(home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A copy of one seeded home (argon2 hashing six users once, not per test)."""
    if not _TEMPLATE:
        template = tmp_path_factory.mktemp("web-seed") / "home"
        _TEMPLATE.update(build(template), home=template)
    shutil.copytree(_TEMPLATE["home"], home, dirs_exist_ok=True)
    settings = get_settings()
    return {**_TEMPLATE, "settings": settings,
            "pdf": settings.archive_dir / _TEMPLATE["pdf_rel"]}


@pytest.fixture
def client(seeded: dict) -> TestClient:
    return TestClient(create_app(seeded["settings"]))


def signed_in(client: TestClient, user: str) -> TestClient:
    r = client.post("/login", data={"username": user, "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


# --- sign-in and language -------------------------------------------------------------------

def test_sign_in_is_hindi_by_default_with_a_visible_english_switch(client: TestClient) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    html = client.get("/login").text
    assert '<html lang="hi">' in html
    assert '<label for="username">' in html and '<label for="password">' in html
    assert re.search(r'<a class="lang-switch" href="/lang/en\?next=/login"[^>]*>English</a>',
                     html)
    assert "प्रवेश करें" in html


def test_language_switch_is_remembered_and_never_leaves_the_site(client: TestClient) -> None:
    r = client.get("/lang/en?next=/login", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert "dakscan_lang=en" in r.headers["set-cookie"]
    html = client.get("/login").text
    assert '<html lang="en">' in html and "Sign in" in html and "हिन्दी</a>" in html
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        r = client.get(f"/lang/hi?next={target}", follow_redirects=False)
        assert r.headers["location"] == "/"
    client.cookies.clear()
    assert '<html lang="en">' in client.get("/login?lang=en").text
    assert '<html lang="en">' in client.get("/login").text  # ?lang= set the cookie too


def test_wrong_password_is_said_plainly_and_next_stays_local(client: TestClient) -> None:
    r = client.post("/login", data={"username": "clerk", "password": "nope-nope"})
    assert r.status_code == 401
    assert "उपयोगकर्ता नाम या पासवर्ड गलत है" in r.text
    assert "dakscan_session" not in r.headers.get("set-cookie", "")
    r = client.post("/login", data={"username": "clerk", "password": PASSWORD,
                                    "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/inbox"
    r = client.post("/login", data={"username": "clerk", "password": PASSWORD,
                                    "next": "/register?q=x"}, follow_redirects=False)
    assert r.headers["location"] == "/register?q=x"


def test_every_asset_is_served_by_dakscan_itself(client: TestClient) -> None:
    signed_in(client, "boss")
    seen = set()
    for path in ("/login", "/inbox", "/dak/1", "/register", "/dashboard"):
        html = client.get(path).text
        for url in re.findall(r'(?:src|href)="([^"]*)"', html):
            assert url.startswith(("/", "#")) and not url.startswith("//"), (path, url)
            if url.startswith("/static/"):
                seen.add(url)
    assert len(seen) == 3  # app.css, app.js, icon.svg
    for url in seen:
        r = client.get(url)
        assert r.status_code == 200 and len(r.content) > 100
        assert b"http://" not in r.content.replace(b"http://www.w3.org/2000/svg", b"")
        assert b"https://" not in r.content


# --- roles --------------------------------------------------------------------------------

def test_pages_send_strangers_to_sign_in(client: TestClient, seeded: dict) -> None:
    for path in ("/inbox", f"/dak/{seeded['first']}", "/register?q=पेयजल", "/dashboard",
                 f"/dak/{seeded['first']}/page/1.png", f"/dak/{seeded['first']}/pdf"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/login?next=")
        assert unquote(unquote(r.headers["location"].split("next=", 1)[1])) == path
    r = client.post(f"/dak/{seeded['first']}/save", data={"subject": "x"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_role_boundaries(client: TestClient, seeded: dict) -> None:
    first, second = seeded["first"], seeded["second"]
    signed_in(client, "op")
    assert client.get("/inbox").status_code == 200
    assert client.get("/dashboard").status_code == 403
    assert client.get(f"/dak/{second}").status_code == 404  # another desk's dak
    html = client.get(f"/dak/{first}").text
    assert 'id="confirm-btn"' not in html and "readonly" in html  # an operator only reads
    r = client.post(f"/dak/{first}/save", data={"csrf": csrf_of(html), "subject": "x",
                                                "action": "confirm"})
    assert r.status_code == 403
    client.cookies.clear()

    signed_in(client, "op2")
    inbox = client.get("/inbox").text
    assert f'href="/dak/{first}"' not in inbox
    assert "blurred.png" not in inbox  # D1's failures are not D2's business
    client.cookies.clear()

    signed_in(client, "so")
    assert client.get("/inbox").status_code == 403
    reg = client.get("/register").text
    assert f'href="/dak/{second}"' in reg and f'href="/dak/{first}"' not in reg
    assert client.get(f"/dak/{first}").status_code == 404
    client.cookies.clear()

    signed_in(client, "commr")
    dash = client.get("/dashboard")
    assert dash.status_code == 200 and "आप केवल देख सकते हैं" in dash.text
    assert client.get("/inbox").status_code == 403
    review = client.get(f"/dak/{first}").text
    assert 'id="confirm-btn"' not in review
    client.cookies.clear()

    signed_in(client, "clerk")
    assert client.get("/dashboard").status_code == 403
    assert 'id="confirm-btn"' in client.get(f"/dak/{first}").text


def test_posts_need_the_page_token(client: TestClient, seeded: dict) -> None:
    signed_in(client, "clerk")
    for token in (None, "0" * 32):
        data = {"subject": "बदला हुआ विषय", "action": "save"}
        if token:
            data["csrf"] = token
        r = client.post(f"/dak/{seeded['first']}/save", data=data)
        assert r.status_code == 400 and "पृष्ठ पुराना हो गया" in r.text
    with session_scope(seeded["settings"].db_url, readonly=True) as s:
        assert s.get(Dak, seeded["first"]).subject == SUBJECT


# --- review ---------------------------------------------------------------------------------

def test_review_marks_doubtful_and_empty_fields_and_carries_evidence(client: TestClient,
                                                                     seeded: dict) -> None:
    signed_in(client, "clerk")
    html = client.get(f"/dak/{seeded['first']}").text
    blocks = {name: cls for cls, name in re.findall(
        r'<div class="field([^"]*)"[^>]*>\s*<label for="f-(\w+)"', html)}
    assert "field-low" in blocks["letter_no"]  # confidence 0.4
    assert "field-empty" in blocks["letter_date"]
    assert blocks["subject"].strip() == ""  # read with confidence 0.9
    assert "पत्र का दिनांक नहीं मिला" in html
    assert "पत्र क्रमांक पढ़ने में संदेह है" in html
    assert "पृष्ठ 1 पर कुछ पढ़ा नहीं जा सका" in html
    assert '<small lang="en">(a reason nobody translated)</small>' in html
    ev = re.search(r'data-evidence=\'([^\']+)\'[^>]*>\s*<label for="f-subject"', html)
    import json

    got = json.loads(ev.group(1))
    assert got["page"] == 1
    x0, y0, x1, y1 = got["boxes"][0]
    assert (x0, y0, x1, y1) == pytest.approx((200 / 2480, 595 / 3508, 1500 / 2480,
                                              650 / 3508), abs=1e-4)
    assert '<label for="f-subject">' in html and 'id="f-subject"' in html


def test_evidence_is_measured_in_the_page_pictures_own_pixels(seeded: dict) -> None:
    geo = geometry(seeded["pdf"], 300)
    assert (geo[0].width_px, geo[0].height_px) == (2480, 3508)
    assert geo[0].width_pt == pytest.approx(2480 * 72 / 300)
    assert evidence_fractions({"page": 2, "boxes": [[1, 2, 3, 4]]}, geo) is None
    assert evidence_fractions({"edited_by": "clerk"}, geo) is None
    assert evidence_fractions(None, geo) is None
    assert pick_width(1000) == 1200 and pick_width(5000) == 2000 and pick_width(None) == 900


def test_edit_confirm_and_mark_through_the_form(client: TestClient, seeded: dict) -> None:
    first = seeded["first"]
    signed_in(client, "clerk")
    html = client.get(f"/dak/{first}").text
    token = csrf_of(html)
    r = client.post(f"/dak/{first}/save", data={
        "csrf": token, "action": "save", "subject": "  ग्राम पंचायतों में  नलकूप मरम्मत ",
        "letter_date": "१५.०७.२०२५", "letter_no": "1234/स्था./2025"}, follow_redirects=False)
    assert r.status_code == 303 and "done=saved" in r.headers["location"]
    page = client.get(r.headers["location"]).text
    assert "सहेज लिया" in page and "15.07.2025" in page
    with session_scope(seeded["settings"].db_url, readonly=True) as s:
        dak = s.get(Dak, first)
        assert dak.subject == "ग्राम पंचायतों में नलकूप मरम्मत"
        assert dak.letter_date == date(2025, 7, 15) and dak.confirmed_at is None
        edits = s.scalars(select(AuditEntry).where(AuditEntry.dak_id == first,
                                                   AuditEntry.action == "edit")).all()
        assert {e.detail["field"] for e in edits} == {"subject", "letter_date"}
        assert all(e.actor == "clerk" for e in edits)

    # A bad date: the page says so in Hindi and keeps what was typed.
    r = client.post(f"/dak/{first}/save", data={"csrf": token, "action": "confirm",
                                                 "letter_date": "31.02.2025",
                                                 "subject": "टाइप किया विषय"})
    assert r.status_code == 422
    assert "दिन.महीना.वर्ष" in r.text and 'value="31.02.2025"' in r.text
    assert "टाइप किया विषय" in r.text

    r = client.post(f"/dak/{first}/save", data={"csrf": token, "action": "confirm",
                                                 "subject": "ग्राम पंचायतों में नलकूप मरम्मत"},
                    follow_redirects=False)
    assert "done=confirmed" in r.headers["location"]
    page = client.get(r.headers["location"]).text
    assert "पुष्टि हो गई" in page and 'id="confirm-btn"' not in page
    assert 'name="section"' in page  # next step: mark to a section

    # Locked after confirmation: the service refuses, the page shows its Hindi reason.
    r = client.post(f"/dak/{first}/save", data={"csrf": token, "action": "save",
                                                 "letter_date": "16.07.2025"})
    assert r.status_code == 409 and "पुष्टि के बाद “पत्र का दिनांक” नहीं बदल सकते" in r.text

    r = client.post(f"/dak/{first}/mark", data={"csrf": token, "section": " राजस्व "},
                    follow_redirects=False)
    assert "done=marked" in r.headers["location"]
    assert "अनुभाग “राजस्व” को भेज दी गई" in client.get(r.headers["location"]).text
    r = client.post(f"/dak/{first}/mark", data={"csrf": token, "section": "   "})
    assert r.status_code == 422 and "अनुभाग का नाम लिखें" in r.text
    with session_scope(seeded["settings"].db_url, readonly=True) as s:
        dak = s.get(Dak, first)
        assert dak.confirmed_by == "clerk" and dak.section == "राजस्व"
        assert dak.status == "marked"


def test_form_values_become_what_the_api_takes(seeded: dict) -> None:
    assert parse_date("5/7/2025") == date(2025, 7, 5)
    assert parse_date("2025-07-05") == date(2025, 7, 5)
    with pytest.raises(FormError):
        parse_date("32.01.2025")
    with session_scope(seeded["settings"].db_url, readonly=True) as s:
        dak = s.get(Dak, seeded["first"])
    assert changed_fields(dak, {"subject": SUBJECT, "letter_no": " 1234/स्था./2025 "}) == {}
    assert changed_fields(dak, {"priority": "immediate"}) == {"priority": "immediate"}
    assert changed_fields(dak, {"sender_name": ""}) == {"sender_name": None}
    with pytest.raises(FormError) as e:
        changed_fields(dak, {"priority": "whenever"})
    assert e.value.field == "priority"


def test_page_pictures_and_signed_pdf(client: TestClient, seeded: dict) -> None:
    first = seeded["first"]
    signed_in(client, "clerk")
    r = client.get(f"/dak/{first}/page/1.png?w=1000")
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    img = Image.open(io.BytesIO(r.content))
    assert img.width == 1200 and abs(img.height - round(1200 * 3508 / 2480)) <= 1
    assert client.get(f"/dak/{first}/page/2.png").status_code == 404
    r = client.get(f"/dak/{first}/pdf")
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    assert "inline" in r.headers["content-disposition"]


# --- inbox and register ---------------------------------------------------------------------

def test_inbox_lists_todays_dak_and_failures_of_the_desk(client: TestClient,
                                                         seeded: dict) -> None:
    signed_in(client, "op")
    html = client.get("/inbox").text
    rows = re.findall(r'<tr class="row-(\w+)">', html)
    assert rows == ["needs_review", "confirmed"]  # newest first, D1 only
    assert "blurred.png" in html and "इस फ़ाइल को पढ़ने में बहुत देर लगी" in html
    assert html.count("फिर से कोशिश करें") == 1  # only the failure whose file is kept
    assert 'action="/api/v1/dak"' in html  # the page uploads through the service API
    live = client.get("/inbox/live")
    assert live.headers["x-signature"] in live.text
    assert client.get("/inbox/live").headers["x-signature"] == live.headers["x-signature"]
    token = csrf_of(html)
    with session_scope(seeded["settings"].db_url, readonly=True) as s:
        half = s.scalars(select(Failure.id).where(Failure.source_name == "half.jpg")).one()
    r = client.post(f"/failures/{half}/dismiss", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    after = client.get("/inbox/live")
    assert "half.jpg" not in after.text
    assert after.headers["x-signature"] != live.headers["x-signature"]
    signed_in(client, "op2")
    assert client.post(f"/failures/{half}/dismiss",
                       data={"csrf": csrf_of(client.get("/inbox").text)}).status_code == 404


def test_register_search_finds_variant_spellings_with_marks(client: TestClient,
                                                             seeded: dict) -> None:
    signed_in(client, "clerk")
    html = client.get("/register", params={"q": "मिश्र"}).text  # मिश्रा in the letter
    assert f'href="/dak/{seeded["first"]}"' in html
    assert "<mark>" in html and "&lt;mark&gt;" not in html
    html = client.get("/register", params={"q": "डिजिटलीकरण"}).text
    assert f'href="/dak/{seeded["second"]}"' in html
    assert "<mark>डिजिटलीकरण</mark>" in html
    html = client.get("/register", params={"q": "पेयजल", "desk": "D2"}).text
    assert "कोई डाक नहीं मिली" in html
    html = client.get("/register", params={"needs_review": "1"}).text
    assert re.findall(r'class="diary" href="/dak/(\d+)"', html) == [str(seeded["first"])]
    html = client.get("/register").text
    assert len(re.findall(r'class="diary" href="/dak/', html)) == 3


def test_review_still_works_when_the_archive_is_unreachable(client: TestClient,
                                                            seeded: dict) -> None:
    seeded["pdf"].unlink()
    signed_in(client, "clerk")
    r = client.get(f"/dak/{seeded['first']}")
    assert r.status_code == 200
    assert "पत्र का चित्र अभी नहीं खुल सका" in r.text and 'id="f-subject"' in r.text
    assert client.get(f"/dak/{seeded['first']}/page/1.png").status_code == 404


def test_out_of_range_ids_dates_and_missing_files_are_not_server_errors(client, seeded):
    """Huge ids, year-1 and year-9999 filters and a PDF gone from the archive: a page or a
    clear 404, never a 500."""
    signed_in(client, "boss")
    huge = "99999999999999999999"
    for url in (f"/dak/{huge}", f"/dak/{huge}/pdf", f"/dak/{huge}/page/1.png",
                f"/dak/{seeded['first']}/page/{huge}.png"):
        assert client.get(url).status_code == 404, url
    for query in ("date_from=0001-01-01", "date_to=9999-12-31", "date_from=9999-12-31"):
        assert client.get(f"/register?{query}").status_code == 200, query
    html = client.get("/inbox?desk=D1").text
    token = csrf_of(html)
    r = client.post(f"/failures/{huge}/dismiss", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 404
    seeded["pdf"].chmod(0o644)
    seeded["pdf"].unlink()
    assert client.get(f"/dak/{seeded['first']}/pdf").status_code == 404


def test_a_nul_in_the_sign_in_form_is_a_refusal(client):
    r = client.post("/login", data={"username": "boss\x00", "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code in (200, 400, 401, 422) and r.status_code != 303
    r = client.post("/api/v1/auth/token", data={"username": "boss\x00", "password": "x"})
    assert r.status_code in (400, 401, 422)
