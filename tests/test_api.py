"""The HTTP API against the real app, a real SQLite store and real OCR'd uploads: every role
boundary, every kind of bad input, files, corrections, confirmation, search, metrics."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from test_api_support import PASSWORD, PEOPLE, add_people, letter_scan, login, make_settings

from dakscan.service.api import create_app
from dakscan.service.auth import PERMISSIONS, ROLES

HINDI = ["पत्र क्रमांक १२३४/स्था./२०२५ दिनांक 15.09.2025",
         "विषय: ज़िला पंचायतों में सड़क निर्माण की समीक्षा",
         "सितम्बर माह की प्रगति आँगनबाड़ी केंद्रों सहित भेजें।",
         "(राजेश कुमार मिश्रा) कलेक्टर धमतरी"]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory):
    """One app over one store for the module: people of every role and three real dak."""
    home = tmp_path_factory.mktemp("api") / "home"
    settings = make_settings(home, max_upload_mb=1, max_pages=1)
    add_people(settings)
    with TestClient(create_app(settings)) as client:
        tokens = {name: login(client, name) for name in PEOPLE}
        dak = {}
        for name, lines in (("op_a", ["Desk A letter No. 501/Rev/2025 Dhamtari"]),
                            ("op_b", ["Desk B letter No. 502/Edu/2025 Kurud"]),
                            ("diarist", HINDI)):
            data = letter_scan(lines)
            r = client.post("/api/v1/dak", headers=tokens[name],
                            files={"file": (f"{name}-पत्र.png", data, "image/png")})
            assert r.status_code == 201, r.text
            dak[name] = (r.json(), data)
        yield {"client": client, "tokens": tokens, "dak": dak, "settings": settings}


def test_upload_returns_dak_with_diary_number(env) -> None:
    body, _ = env["dak"]["op_a"]
    assert body["diary_no"].startswith("1/") and body["dak"]["diary_no"] == body["diary_no"]
    assert body["outcome"] == "registered"
    assert body["desk"] == "A" and body["source_name"] == "op_a-पत्र.png"
    assert len(body["sha256"]) == 64 and body["pages"] == 1
    numbers = [d["diary_no"] for d, _ in env["dak"].values()]
    assert [int(n.split("/")[0]) for n in numbers] == [1, 2, 3]


def test_same_scan_again_is_the_same_dak(env) -> None:
    body, data = env["dak"]["op_a"]
    r = env["client"].post("/api/v1/dak", headers=env["tokens"]["op_a"],
                           files={"file": ("again.png", data)})
    assert r.status_code == 201
    assert r.json()["outcome"] == "duplicate" and r.json()["diary_no"] == body["diary_no"]


# --- roles -----------------------------------------------------------------------------------

def test_every_role_signs_in_and_sees_its_permissions(env) -> None:
    c = env["client"]
    for name, (role, desk, section) in PEOPLE.items():
        me = c.get("/api/v1/me", headers=env["tokens"][name]).json()
        assert (me["role"], me["desk"], me["section"]) == (role, desk, section)
        assert set(me["permissions"]) == {p for p, roles in PERMISSIONS.items() if role in roles}
    assert set(ROLES) == {role for role, _, _ in PEOPLE.values()}


def test_no_endpoint_writes_anonymously(env) -> None:
    """Every POST/PATCH/PUT/DELETE route except sign-in answers 401 without a token."""
    c = env["client"]
    checked = 0
    for path, item in c.get("/openapi.json").json()["paths"].items():
        for method in item:
            if method in ("get",) or path == "/api/v1/auth/token":
                continue
            url = path.replace("{dak_id}", "1").replace("{username}", "op_a")
            r = c.request(method.upper(), url, json={})
            assert r.status_code == 401, (method, path, r.text)
            assert r.json()["detail"]
            checked += 1
    assert checked >= 9


def test_reads_need_a_token_too(env) -> None:
    c = env["client"]
    for url in ("/api/v1/dak", "/api/v1/dak/1", "/api/v1/dak/1/pdf", "/api/v1/search?q=x",
                "/api/v1/export", "/api/v1/users", "/api/v1/me"):
        assert c.get(url).status_code == 401, url
    bad = {"Authorization": "Bearer not-a-token"}
    assert c.get("/api/v1/dak", headers=bad).status_code == 401


def _expect(role: str, permission: str, ok: int) -> int:
    return ok if role in PERMISSIONS[permission] else 403


def test_role_boundaries_for_writes(env) -> None:
    c, tokens = env["client"], env["tokens"]
    dak_id = env["dak"]["diarist"][0]["id"]
    for name, (role, _, _) in PEOPLE.items():
        h = tokens[name]
        visible = role not in ("operator", "section_officer")  # the diarist's dak: no desk
        r = c.patch(f"/api/v1/dak/{dak_id}", headers=h, json={"subject": f"विषय {name}"})
        assert r.status_code == (_expect(role, "edit", 200 if visible else 404)), (name, r.text)
        r = c.get("/api/v1/users", headers=h)
        assert r.status_code == _expect(role, "users", 200), name
        r = c.get("/api/v1/export", headers=h)
        assert r.status_code == _expect(role, "export", 200), name
        r = c.post("/api/v1/dak", headers=h, files={"file": ("x.png", b"not a scan")})
        assert r.status_code == _expect(role, "upload", 415), (name, r.text)


def test_every_gated_endpoint_refuses_every_role_without_its_permission(env) -> None:
    """confirm, mark, verify, user management and bulk progress, for each role: 403 exactly
    when the role lacks the permission (a missing dak or user is 404 only past the gate)."""
    c, tokens = env["client"], env["tokens"]
    calls = [("confirm", "POST", "/api/v1/dak/999999/confirm", None, 404),
             ("mark", "POST", "/api/v1/dak/999999/mark", {"section": "revenue"}, 404),
             ("verify", "POST", "/api/v1/dak/999999/verify", None, 404),
             ("users", "POST", "/api/v1/users", {}, 422),
             ("users", "POST", "/api/v1/users/nobody/disable", None, 404),
             ("users", "POST", "/api/v1/users/nobody/enable", None, 404),
             ("users", "POST", "/api/v1/users/nobody/password",
              {"password": "a-long-enough-one-2025"}, 404),
             ("bulk", "GET", "/api/v1/bulk/runs", None, 200)]
    for name, (role, _, _) in PEOPLE.items():
        for permission, method, url, body, ok in calls:
            r = c.request(method, url, headers=tokens[name], json=body)
            assert r.status_code == _expect(role, permission, ok), (name, url, r.text)


def test_visibility_by_desk_and_section(env) -> None:
    c, tokens, dak = env["client"], env["tokens"], env["dak"]
    a, b = dak["op_a"][0]["id"], dak["op_b"][0]["id"]
    assert c.get(f"/api/v1/dak/{a}", headers=tokens["op_a"]).status_code == 200
    assert c.get(f"/api/v1/dak/{b}", headers=tokens["op_a"]).status_code == 404
    assert c.get(f"/api/v1/dak/{b}/pdf", headers=tokens["op_a"]).status_code == 404
    ids = {d["id"] for d in c.get("/api/v1/dak", headers=tokens["op_b"]).json()["items"]}
    assert ids == {b}
    # section officers see what is marked to their section, nothing else
    assert c.get("/api/v1/dak", headers=tokens["so_rev"]).json()["total"] == 0
    r = c.post(f"/api/v1/dak/{a}/mark", headers=tokens["so_rev"], json={"section": "revenue"})
    assert r.status_code == 403
    r = c.post(f"/api/v1/dak/{a}/mark", headers=tokens["diarist"], json={"section": "revenue"})
    assert r.status_code == 200 and r.json()["section"] == "revenue"
    assert [d["id"] for d in c.get("/api/v1/dak", headers=tokens["so_rev"]).json()["items"]] \
        == [a]
    assert c.get(f"/api/v1/dak/{a}", headers=tokens["so_edu"]).status_code == 404
    assert c.get(f"/api/v1/dak/{a}/pdf", headers=tokens["so_rev"]).status_code == 200
    for name in ("diarist", "admin", "commissioner"):
        assert c.get("/api/v1/dak", headers=tokens[name]).json()["total"] >= 3


def test_a_file_under_another_field_name_is_the_scan(env) -> None:
    data = letter_scan(["Field name scan No. 778/2025"])
    r = env["client"].post("/api/v1/dak", headers=env["tokens"]["diarist"],
                           files={"scan": ("f.png", data)}, data={"delivery_mode": "by_hand"})
    assert r.status_code == 201 and r.json()["delivery_mode"] == "by_hand"


def test_operator_uploads_land_on_their_own_desk(env) -> None:
    c = env["client"]
    data = letter_scan(["Desk override attempt No. 777/2025"])
    r = c.post("/api/v1/dak", headers=env["tokens"]["op_b"], data={"desk": "A"},
               files={"file": ("o.png", data)})
    assert r.status_code == 201 and r.json()["desk"] == "B"


# --- corrections, confirmation, history -----------------------------------------------------

def test_edit_confirm_lock_and_history(env) -> None:
    c, h = env["client"], env["tokens"]["diarist"]
    dak_id = env["dak"]["op_b"][0]["id"]
    r = c.patch(f"/api/v1/dak/{dak_id}", headers=h,
                json={"letter_no": "502/शिक्षा/2025", "letter_date": "2025-09-15",
                      "delivery_mode": "speed_post", "priority": "immediate",
                      "sender_name": "सुश्री अनीता मिश्र", "enclosures": 2})
    assert r.status_code == 200, r.text
    d = r.json()
    assert (d["letter_no"], d["letter_date"], d["delivery_mode"], d["priority"]) == \
        ("502/शिक्षा/2025", "2025-09-15", "speed_post", "immediate")
    assert d["sender"]["name"] == "सुश्री अनीता मिश्र" and d["enclosures"] == 2
    assert d["fields"]["letter_no"]["confidence"] == 1.0
    r = c.post(f"/api/v1/dak/{dak_id}/confirm", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    assert r.json()["confirmed_by"] == "diarist"
    assert c.post(f"/api/v1/dak/{dak_id}/confirm", headers=h).status_code == 409
    for locked in ({"letter_date": "2025-09-16"}, {"received_date": "2025-09-17"},
                   {"delivery_mode": "by_hand"}):
        r = c.patch(f"/api/v1/dak/{dak_id}", headers=h, json=locked)
        assert r.status_code == 409, locked
        assert "Locked" in r.json()["detail"] and r.json()["detail_hi"]
    r = c.patch(f"/api/v1/dak/{dak_id}", headers=env["tokens"]["admin"],
                json={"subject": "सितम्बर की समीक्षा"})
    assert r.status_code == 200  # not locked
    hist = c.get(f"/api/v1/dak/{dak_id}/history", headers=h).json()
    edits = {e["detail"]["field"]: e for e in hist if e["action"] == "edit"}
    assert edits["letter_no"]["actor"] == "diarist"
    assert edits["letter_no"]["detail"]["new"] == "502/शिक्षा/2025"
    assert edits["letter_date"]["detail"] == {"field": "letter_date", "old": None,
                                              "new": "2025-09-15"}
    assert edits["subject"]["actor"] == "admin"
    assert [e["action"] for e in hist][0] == "register"
    assert "confirm" in [e["action"] for e in hist]


def test_received_date_changes_until_confirmed(env) -> None:
    c, h = env["client"], env["tokens"]["diarist"]
    dak_id = env["dak"]["diarist"][0]["id"]
    r = c.patch(f"/api/v1/dak/{dak_id}", headers=h, json={"received_date": "2025-09-20"})
    assert r.status_code == 200 and r.json()["received_date"] == "2025-09-20"


@pytest.mark.parametrize("body, status", [
    (b"{bad json", 400),
    (b'{"no_such_field": 1}', 422),
    (b'{"letter_date": "15/09/2025"}', 422),
    (b'{"letter_date": "0001-01-01"}', 422),
    (b'{"priority": "whenever"}', 422),
    (b'{"enclosures": -1}', 422),
    (b'{"subject": "a\\u0000b"}', 422),
    (b"{}", 422),
    (b"[]", 422),
    (b'"text"', 422),
])
def test_bad_edit_bodies_are_clear_json_errors(env, body: bytes, status: int) -> None:
    c, h = env["client"], env["tokens"]["diarist"]
    dak_id = env["dak"]["op_a"][0]["id"]
    r = c.patch(f"/api/v1/dak/{dak_id}", headers={**h, "Content-Type": "application/json"},
                content=body)
    assert r.status_code == status, r.text
    assert isinstance(r.json()["detail"], str) and r.json()["detail"]


def test_oversized_json_bodies_are_413(env) -> None:
    c, h = env["client"], env["tokens"]["diarist"]
    dak_id = env["dak"]["op_a"][0]["id"]
    body = b'{"subject": "' + "क".encode() * 400_000 + b'"}'
    r = c.patch(f"/api/v1/dak/{dak_id}", headers={**h, "Content-Type": "application/json"},
                content=body)
    assert r.status_code == 413 and r.json()["detail"]
    chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))  # no Content-Length
    r = c.patch(f"/api/v1/dak/{dak_id}", headers={**h, "Content-Type": "application/json"},
                content=chunks)
    assert r.status_code == 413 and r.json()["detail"]


def test_unknown_and_absurd_ids(env) -> None:
    c, h = env["client"], env["tokens"]["admin"]
    assert c.get("/api/v1/dak/999999", headers=h).status_code == 404
    for bad in ("0", "-1", "abc", str(2**70)):
        r = c.get(f"/api/v1/dak/{bad}", headers=h)
        assert r.status_code == 422 and isinstance(r.json()["detail"], str), bad
    r = c.get("/api/v1/dak", headers=h, params={"received_from": "9999-99-99"})
    assert r.status_code == 422
    r = c.get("/api/v1/dak", headers=h, params={"sender": "a\x00b"})
    assert r.status_code == 400


def test_list_filters(env) -> None:
    c, h = env["client"], env["tokens"]["diarist"]
    assert c.get("/api/v1/dak", headers=h, params={"desk": "A"}).json()["total"] == 1
    assert c.get("/api/v1/dak", headers=h, params={"language": "hi"}).json()["total"] >= 1
    r = c.get("/api/v1/dak", headers=h, params={"sender": "अनीता"}).json()
    assert [d["id"] for d in r["items"]] == [env["dak"]["op_b"][0]["id"]]
    assert c.get("/api/v1/dak", headers=h, params={"received_from": "2100-01-01"}
                 ).json()["total"] == 0
    assert c.get("/api/v1/dak", headers=h, params={"needs_review": "false", "priority":
                                                   "immediate"}).json()["total"] == 1
    page = c.get("/api/v1/dak", headers=h, params={"limit": 1, "offset": 1}).json()
    assert len(page["items"]) == 1 and page["total"] >= 3


# --- files and verification ------------------------------------------------------------------

def test_download_pdf_and_original_and_verify(env) -> None:
    c, h = env["client"], env["tokens"]["op_a"]
    body, data = env["dak"]["op_a"]
    pdf = c.get(f"/api/v1/dak/{body['id']}/pdf", headers=h)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    original = c.get(f"/api/v1/dak/{body['id']}/original", headers=h)
    assert original.content == data
    v = c.post(f"/api/v1/dak/{body['id']}/verify", headers=h).json()
    assert v["ok"] and v["signed"] and v["intact"] and v["pdfa"] and v["original_intact"]
    hist = c.get(f"/api/v1/dak/{body['id']}/history", headers=h).json()
    assert any(e["action"] == "verify" and e["actor"] == "op_a" for e in hist)


def test_detail_has_fields_confidences_and_evidence(env) -> None:
    c, h = env["client"], env["tokens"]["diarist"]
    d = c.get(f"/api/v1/dak/{env['dak']['diarist'][0]['id']}", headers=h).json()
    assert d["text"] and "मिश्रा" in d["text"]
    assert d["page_info"][0]["source"] == "ocr"
    assert d["fields"]["letter_no"]["confidence"] > 0
    assert d["fields"]["letter_no"]["evidence"]


# --- upload limits and bad files -------------------------------------------------------------

def _multipart(name: str, data: bytes, boundary: str = "dakscanBOUNDARY") -> tuple[bytes, str]:
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


def test_oversized_upload_is_413_json(env) -> None:
    c, h = env["client"], env["tokens"]["op_a"]
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (1024 * 1024 + 10)
    r = c.post("/api/v1/dak", headers=h, files={"file": ("big.png", big)})
    assert r.status_code == 413 and "limit" in r.json()["detail"]
    # streamed without Content-Length: cut off while reading, same answer
    body, ctype = _multipart("big.png", big)
    chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
    r = c.post("/api/v1/dak", headers={**h, "Content-Type": ctype}, content=chunks)
    assert r.status_code == 413 and r.json()["detail"]
    leftovers = list((env["settings"].home / "uploads").glob("*.part"))
    assert leftovers == []


def test_too_many_pages_is_413(env) -> None:
    pages = [Image.open(io.BytesIO(letter_scan([f"पृष्ठ {i}"]))) for i in (1, 2)]
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], dpi=(300, 300))
    r = env["client"].post("/api/v1/dak", headers=env["tokens"]["op_a"],
                           files={"file": ("two.tif", buf.getvalue())})
    assert r.status_code == 413 and r.json()["code"] == "too_many_pages"
    assert r.json()["detail_hi"]


@pytest.mark.parametrize("name, data, status, code", [
    ("letter.txt", "यह स्कैन नहीं है".encode(), 415, "not_a_scan"),
    ("empty.png", b"", 422, "empty"),
    ("cut.png", None, 422, "truncated"),
])
def test_bad_files_are_refused_with_reasons(env, name: str, data: bytes | None, status: int,
                                            code: str) -> None:
    if data is None:
        data = env["dak"]["op_a"][1][:2000]
    r = env["client"].post("/api/v1/dak", headers=env["tokens"]["op_a"],
                           files={"file": (name, data)})
    assert r.status_code == status, r.text
    assert r.json()["code"] == code and r.json()["detail"] and r.json()["detail_hi"]


@pytest.mark.parametrize("name", ["../../etc/passwd.png", "..\\..\\boot.ini", "/abs/x.png",
                                  "..", "a/../../b.png", "ok\x01.png"])
def test_path_traversal_names_are_refused(env, name: str) -> None:
    body, ctype = _multipart(name, env["dak"]["op_b"][1])
    r = env["client"].post("/api/v1/dak", headers={**env["tokens"]["op_a"],
                                                   "Content-Type": ctype}, content=body)
    assert r.status_code == 400, (name, r.text)
    assert "not a path" in r.json()["detail"]
    home = env["settings"].home
    assert not (home.parent / "etc").exists() and not Path("/abs").exists()


def test_malformed_uploads(env) -> None:
    c, h = env["client"], env["tokens"]["op_a"]
    r = c.post("/api/v1/dak", headers=h, json={"file": "abc"})
    assert r.status_code == 415 and r.json()["detail"]
    r = c.post("/api/v1/dak", headers=h, data={"delivery_mode": "post"})
    assert r.status_code in (415, 422) and r.json()["detail"]
    r = c.post("/api/v1/dak", headers={**h, "Content-Type": "multipart/form-data; boundary=x"},
               content=b"--x\r\ngarbage without headers end")
    assert r.status_code in (400, 422) and r.json()["detail"]
    r = c.post("/api/v1/dak", headers=h, files=[("file", ("a.png", b"1")),
                                                 ("file", ("b.png", b"2"))])
    assert r.status_code == 400 and "one file" in r.json()["detail"]
    r = c.post("/api/v1/dak", headers=h, files={"file": ("a.png", b"1")},
               data={"colour": "red"})
    assert r.status_code == 422
    r = c.post("/api/v1/dak", headers=h, files={"file": ("a.png", b"1")},
               data={"delivery_mode": "Speed Post!"})
    assert r.status_code == 422
    r = c.post("/api/v1/dak", headers=h, files={"file": ("", b"1")})
    assert r.status_code == 422


# --- search, metrics, health, spec ----------------------------------------------------------

@pytest.mark.parametrize("q", ["मिश्र", "मिश्रा", "सितंबर", "सितम्बर", "जिला", "ज़िला",
                               "सडक", "आंगनबाडी", "1234", "१२३४", "पंचायत"])
def test_search_finds_ocr_text_in_variant_spellings(env, q: str) -> None:
    r = env["client"].get("/api/v1/search", headers=env["tokens"]["diarist"], params={"q": q})
    assert r.status_code == 200, r.text
    hits = r.json()["items"]
    assert env["dak"]["diarist"][0]["id"] in [h["dak"]["id"] for h in hits], q
    assert "<mark>" in hits[0]["snippet"]


def test_search_respects_visibility_and_explains_empty_queries(env) -> None:
    c = env["client"]
    r = c.get("/api/v1/search", headers=env["tokens"]["op_a"], params={"q": "मिश्रा"})
    assert r.status_code == 200 and r.json()["total"] == 0  # the diarist's dak: not desk A
    r = c.get("/api/v1/search", headers=env["tokens"]["op_a"], params={"q": "का के"})
    assert r.status_code == 200 and r.json()["total"] == 0 and r.json()["note"]
    assert c.get("/api/v1/search", headers=env["tokens"]["op_a"]).status_code == 422


def test_metrics_health_and_readiness(env) -> None:
    c = env["client"]
    assert c.get("/healthz").json() == {"status": "ok"}
    ready = c.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "store": "ok", "archive": "ok", "tesseract": "ok"}
    text = c.get("/metrics").text
    assert 'dakscan_dak_total{desk="A",kind="dak"}' in text
    assert 'dakscan_pages_total{desk="B"}' in text
    assert 'dakscan_failures_total{reason="not_a_scan"}' in text
    assert "dakscan_page_seconds_bucket" in text
    # every registered page, whichever process registered it, in the register-wide histogram
    inf = re.search(r'dakscan_register_page_seconds_bucket\{le="\+Inf"\} (\S+)', text)
    total = re.search(r'dakscan_register_page_seconds_count (\S+)', text)
    assert inf and total and float(inf.group(1)) == float(total.group(1)) >= 1
    assert 'dakscan_queue_length{queue="upload"} 0.0' in text


def test_openapi_names_the_token_url_and_versions_every_path(env) -> None:
    spec = env["client"].get("/openapi.json").json()
    flows = spec["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]
    assert flows["password"]["tokenUrl"] == "/api/v1/auth/token"
    paths = set(spec["paths"])
    assert {p for p in paths if not p.startswith("/api/v1/")} == {"/healthz", "/readyz",
                                                                  "/metrics"}
    upload = spec["paths"]["/api/v1/dak"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "q" in [p["name"] for p in spec["paths"]["/api/v1/search"]["get"]["parameters"]]


def test_sign_in_failures(env) -> None:
    c = env["client"]
    r = c.post("/api/v1/auth/token", data={"username": "op_a", "password": "wrong-password"})
    assert r.status_code == 401 and r.json()["detail"]
    r = c.post("/api/v1/auth/token", data={"username": "nobody", "password": PASSWORD})
    assert r.status_code == 401
    r = c.post("/api/v1/auth/token", data={"username": "op_a"})
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)
