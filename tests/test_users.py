"""`dakscan users add/list/disable/enable/reset-password` and the admin API: argon2 hashes,
no prompts, clear refusals, and tokens that stop working when a user is disabled or reset."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from dakscan.service.api import create_app
from dakscan.service.cli import app as cli
from dakscan.service.config import get_settings
from dakscan.service.db import session_scope
from dakscan.service.models import AuditEntry, User

DAKSCAN = str(Path(sys.executable).with_name("dakscan"))


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(cli, list(args), input="")


def test_users_add_list_and_hash(home: Path) -> None:
    r = run("users", "add", "--username", "asha.verma", "--role", "diarist",
            "--password", "सुरक्षित-पासवर्ड-1", "--full-name", "आशा वर्मा")
    assert r.exit_code == 0, r.output
    r = run("users", "add", "-u", "op1", "-r", "operator", "-p", "op-pass-123", "--desk", "आवक")
    assert r.exit_code == 0, r.output
    r = run("users", "list", "--json")
    rows = {u["username"]: u for u in json.loads(r.stdout)}
    assert rows["asha.verma"]["role"] == "diarist" and rows["asha.verma"]["full_name"] == "आशा वर्मा"
    assert rows["op1"]["desk"] == "आवक" and rows["op1"]["active"]
    with session_scope(get_settings().db_url, readonly=True) as s:
        stored = s.scalars(select(User.password_hash).where(User.username == "op1")).one()
        actions = [a.action for a in s.scalars(select(AuditEntry))]
    assert stored.startswith("$argon2id$") and "op-pass-123" not in stored
    assert actions.count("user_add") == 2


@pytest.mark.parametrize("args, words", [
    (["--username", "x1", "--role", "boss", "--password", "long-enough"], "Role must be"),
    (["--username", "x1", "--role", "admin", "--password", "short"], "Password"),
    (["--username", "../etc", "--role", "admin", "--password", "long-enough"], "User name"),
    (["--role", "admin", "--password", "long-enough"], "user name"),
])
def test_users_add_refusals(home: Path, args: list[str], words: str) -> None:
    r = run("users", "add", *args)
    assert r.exit_code in (1, 2) and words in r.output, r.output


def test_duplicate_user_is_refused(home: Path) -> None:
    assert run("users", "add", "-u", "dup", "-r", "admin", "-p", "pass-word-1").exit_code == 0
    r = run("users", "add", "-u", "dup", "-r", "admin", "-p", "pass-word-2")
    assert r.exit_code == 1 and "already exists" in r.output


def test_disable_and_reset_lock_old_tokens_out(home: Path) -> None:
    assert run("users", "add", "-u", "ravi", "-r", "diarist", "-p", "first-pass-1").exit_code == 0
    with TestClient(create_app(get_settings())) as c:
        def token(pw: str) -> int | str:
            r = c.post("/api/v1/auth/token", data={"username": "ravi", "password": pw})
            return r.json()["access_token"] if r.status_code == 200 else r.status_code

        old = {"Authorization": f"Bearer {token('first-pass-1')}"}
        assert c.get("/api/v1/me", headers=old).status_code == 200
        assert run("users", "disable", "--username", "ravi").exit_code == 0
        assert c.get("/api/v1/me", headers=old).status_code == 401
        assert token("first-pass-1") == 401
        assert run("users", "enable", "ravi").exit_code == 0
        assert c.get("/api/v1/me", headers=old).status_code == 200
        r = run("users", "reset-password", "--username", "ravi", "--password", "second-pass-2")
        assert r.exit_code == 0, r.output
        assert c.get("/api/v1/me", headers=old).status_code == 401
        assert token("first-pass-1") == 401
        new = {"Authorization": f"Bearer {token('second-pass-2')}"}
        assert c.get("/api/v1/me", headers=new).json()["username"] == "ravi"
    assert run("users", "disable", "--username", "nobody").exit_code == 1


def test_admin_api_manages_users(home: Path) -> None:
    assert run("users", "add", "-u", "root1", "-r", "admin", "-p", "admin-pass-1").exit_code == 0
    with TestClient(create_app(get_settings())) as c:
        r = c.post("/api/v1/auth/token", data={"username": "root1", "password": "admin-pass-1"})
        h = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = c.post("/api/v1/users", headers=h, json={
            "username": "so.revenue", "role": "section_officer", "password": "so-pass-123",
            "section": "राजस्व"})
        assert r.status_code == 201 and r.json()["section"] == "राजस्व"
        assert c.post("/api/v1/users", headers=h, json={
            "username": "so.revenue", "role": "admin", "password": "x-pass-123"}
        ).status_code == 409
        r = c.post("/api/v1/users", headers=h, json={
            "username": "bad", "role": "emperor", "password": "x-pass-123"})
        assert r.status_code == 422 and "role" in r.json()["detail"]
        assert c.post("/api/v1/users/root1/disable", headers=h).status_code == 409
        assert c.post("/api/v1/users/ghost/disable", headers=h).status_code == 404
        r = c.post("/api/v1/users/so.revenue/password", headers=h, json={"password": "new-pass-12"})
        assert r.status_code == 200
        r = c.post("/api/v1/auth/token", data={"username": "so.revenue",
                                                "password": "new-pass-12"})
        so = {"Authorization": f"Bearer {r.json()['access_token']}"}
        assert c.get("/api/v1/users", headers=so).status_code == 403
        assert c.post("/api/v1/users/so.revenue/disable", headers=h).json()["active"] is False
        assert c.get("/api/v1/me", headers=so).status_code == 401
    with session_scope(get_settings().db_url, readonly=True) as s:
        audit = [(a.actor, a.action) for a in s.scalars(select(AuditEntry))]
    assert ("root1", "user_add") in audit and ("root1", "user_disable") in audit


def test_real_command_needs_no_prompt(home: Path) -> None:
    env = {**os.environ, "DAKSCAN_HOME": str(home)}
    r = subprocess.run([DAKSCAN, "users", "add", "--username", "cli.user", "--role", "operator",
                        "--password", "cli-pass-123"], env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([DAKSCAN, "users", "list", "--json"], env=env, capture_output=True,
                       text=True, timeout=60)
    assert [u["username"] for u in json.loads(r.stdout)] == ["cli.user"]
    r = run("users", "add", "--help")
    for option in ("--username", "--role", "--password", "--desk", "--section"):
        assert option in r.output
