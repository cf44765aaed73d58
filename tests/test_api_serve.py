"""`dakscan serve --host H --port P` as a real process; the API on a real PostgreSQL; the
session-cookie helpers the desk screens reuse, through an extra router."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, Form, Request, Response
from fastapi.testclient import TestClient
from test_api_support import PASSWORD, add_people, letter_scan, login, make_settings

from dakscan.service import auth
from dakscan.service.api import create_app

DAKSCAN = str(Path(sys.executable).with_name("dakscan"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_in_the_foreground_until_stopped(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DAKSCAN_HOME": str(tmp_path / "home")}
    env.pop("DAKSCAN_DATABASE_URL", None)
    proc = subprocess.Popen([DAKSCAN, "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not answer"
            time.sleep(0.2)
        assert httpx.get(f"{base}/readyz").json()["status"] == "ready"
        assert "dakscan_queue_length" in httpx.get(f"{base}/metrics").text
        spec = httpx.get(f"{base}/openapi.json").json()
        assert "/api/v1/dak" in spec["paths"]
        r = httpx.get(f"{base}/api/v1/dak")
        assert r.status_code == 401 and r.json()["detail"]
    finally:
        proc.terminate()
        code = proc.wait(30)
    # uvicorn shuts down cleanly, then re-raises SIGTERM so supervisors see why it stopped
    assert code in (0, -15)
    assert "Finished server process" in proc.stdout.read()


def test_api_on_postgresql(tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
                           ) -> None:
    monkeypatch.setenv("DAKSCAN_DATABASE_URL", pg_url)
    settings = make_settings(tmp_path / "home", pg_url)
    add_people(settings, ("diarist", "op_a"))
    with TestClient(create_app(settings)) as c:
        h = login(c, "diarist")
        r = c.post("/api/v1/dak", headers=h, files={"file": ("pg.png", letter_scan(
            ["पत्र क्रमांक ४५६/2025", "विषय: ज़िला सड़क सितम्बर मरम्मत", "राकेश मिश्रा"]))})
        assert r.status_code == 201, r.text
        dak_id = r.json()["id"]
        for q in ("जिला", "सडक", "सितंबर", "मिश्र", "456", "सड़क*"):
            hits = c.get("/api/v1/search", headers=h, params={"q": q}).json()["items"]
            assert [x["dak"]["id"] for x in hits] == [dak_id], q
        r = c.patch(f"/api/v1/dak/{dak_id}", headers=h,
                    json={"subject": "जल आपूर्ति", "letter_date": "2025-09-01"})
        assert r.status_code == 200, r.text
        assert c.get("/api/v1/search", headers=h, params={"q": "आपूर्ति"}).json()["total"] == 1
        assert c.post(f"/api/v1/dak/{dak_id}/confirm", headers=h).status_code == 200
        r = c.patch(f"/api/v1/dak/{dak_id}", headers=h, json={"letter_date": "2025-09-02"})
        assert r.status_code == 409
        hist = c.get(f"/api/v1/dak/{dak_id}/history", headers=h).json()
        assert [e["action"] for e in hist] == ["register", "edit", "edit", "confirm"]
        rows = c.get("/api/v1/export", headers=h).json()
        assert (rows[0]["subject"], rows[0]["letter_date"]) == ("जल आपूर्ति", "2025-09-01")
        assert rows[0]["confirmed"] and len(rows[0]["sha256"]) == 64
        assert c.get("/api/v1/dak", headers=login(c, "op_a")).json()["total"] == 0


def test_session_cookie_helpers_work_for_an_extra_router(tmp_path: Path) -> None:
    """A pages router signs in with the helpers; the cookie then carries API calls too."""
    pages = APIRouter()

    @pages.post("/test-sign-in")
    def sign_in(request: Request, username: str = Form(), password: str = Form()) -> Response:
        user = auth.authenticate(auth.settings_of(request), username, password)
        response = Response(status_code=204 if user else 401)
        if user:
            auth.set_session_cookie(response, request, user)
        return response

    @pages.get("/test-who")
    def who(request: Request) -> dict:
        user = auth.session_principal(request)
        return {"user": user.username if user else None}

    @pages.post("/test-sign-out")
    def sign_out() -> Response:
        response = Response(status_code=204)
        auth.clear_session_cookie(response)
        return response

    settings = make_settings(tmp_path / "home")
    add_people(settings, ("diarist",))
    with TestClient(create_app(settings, extra_routers=[pages])) as c:
        assert c.post("/test-sign-in", data={"username": "diarist", "password": "nope-nope"}
                      ).status_code == 401
        r = c.post("/test-sign-in", data={"username": "diarist", "password": PASSWORD})
        assert r.status_code == 204
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert c.get("/test-who").json() == {"user": "diarist"}
        assert c.get("/api/v1/me").json()["role"] == "diarist"  # cookie, no bearer
        c.post("/test-sign-out")
        assert c.get("/test-who").json() == {"user": None}
        assert c.get("/api/v1/me").status_code == 401
