"""The office's users: e-Office ID (user name), role, desk or section, argon2 password hash.

Used by `dakscan users …` and the admin API alike; every change is an audit row.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from dakscan.service import store
from dakscan.service.auth import ROLES, hash_password, needs_rehash, verify_password
from dakscan.service.db import session_scope
from dakscan.service.models import User

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,79}$")
PLACE = re.compile(r"^[^\x00-\x1f\x7f]{1,80}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256


class UserError(ValueError):
    """A user request that cannot be done, said in English and Hindi."""

    def __init__(self, english: str, hindi: str, status: int = 400) -> None:
        super().__init__(english)
        self.english, self.hindi, self.status = english, hindi, status


def aware(at: datetime) -> datetime:
    """SQLite hands back naive datetimes; the register stores UTC."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def check_username(username: str) -> str:
    if not USERNAME.match(username or ""):
        raise UserError("User name: 2-80 letters, digits, '.', '_', '@' or '-' "
                        "(the e-Office ID).",
                        "उपयोगकर्ता नाम: 2-80 अक्षर/अंक, '.', '_', '@' या '-' (ई-ऑफिस आईडी)।")
    return username


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"Role must be one of: {', '.join(ROLES)}.",
                        f"भूमिका इनमें से एक हो: {', '.join(ROLES)}।")
    return role


def check_password_rules(password: str) -> str:
    if not (MIN_PASSWORD <= len(password or "") <= MAX_PASSWORD):
        raise UserError(f"Password: {MIN_PASSWORD}-{MAX_PASSWORD} characters.",
                        f"पासवर्ड: {MIN_PASSWORD}-{MAX_PASSWORD} अक्षर का हो।")
    return password


def check_place(value: str | None, what: str) -> str | None:
    if value is None or value == "":
        return None
    if not PLACE.match(value):
        raise UserError(f"{what}: 1-80 printable characters.", f"{what}: 1-80 अक्षर।")
    return value


def user_dict(user: User) -> dict:
    return {"username": user.username, "full_name": user.full_name, "role": user.role,
            "desk": user.desk, "section": user.section, "active": user.active,
            "created_at": aware(user.created_at).isoformat()}


def add_user(db_url: str, username: str, role: str, password: str, *, full_name: str = "",
             desk: str | None = None, section: str | None = None, actor: str = "cli") -> dict:
    check_username(username)
    check_role(role)
    check_password_rules(password)
    desk, section = check_place(desk, "Desk"), check_place(section, "Section")
    if len(full_name) > 200:
        raise UserError("Full name: at most 200 characters.", "पूरा नाम: अधिकतम 200 अक्षर।")
    with session_scope(db_url) as s:
        store.serialise_writers(s)
        if s.scalars(select(User).where(User.username == username)).first() is not None:
            raise UserError(f"User {username} already exists.",
                            f"उपयोगकर्ता {username} पहले से है।", status=409)
        user = User(username=username, role=role, full_name=full_name, desk=desk,
                    section=section, password_hash=hash_password(password), active=True,
                    created_at=store.now())
        s.add(user)
        s.flush()
        store.audit(s, actor, "user_add", None,
                    {"username": username, "role": role, "desk": desk, "section": section})
        return user_dict(user)


def list_users(db_url: str) -> list[dict]:
    with session_scope(db_url, readonly=True) as s:
        return [user_dict(u) for u in s.scalars(select(User).order_by(User.username))]


def _get(s, username: str) -> User:  # noqa: ANN001
    user = s.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise UserError(f"No user {username}.", f"उपयोगकर्ता {username} नहीं मिला।", status=404)
    return user


def set_active(db_url: str, username: str, active: bool, actor: str = "cli") -> dict:
    """Disable (or enable again) a user; their tokens and sessions stop working at once."""
    with session_scope(db_url) as s:
        store.serialise_writers(s)
        user = _get(s, username)
        user.active = active
        store.audit(s, actor, "user_enable" if active else "user_disable", None,
                    {"username": username})
        s.flush()
        return user_dict(user)


def reset_password(db_url: str, username: str, password: str, actor: str = "cli") -> dict:
    """New password; every token issued under the old one stops working."""
    check_password_rules(password)
    with session_scope(db_url) as s:
        store.serialise_writers(s)
        user = _get(s, username)
        user.password_hash = hash_password(password)
        store.audit(s, actor, "user_password", None, {"username": username})
        s.flush()
        return user_dict(user)


def check_password(db_url: str, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same work either way)."""
    if "\x00" in (username or "") or "\x00" in (password or ""):
        return None  # PostgreSQL cannot even look a NUL up; no user has one
    with session_scope(db_url, readonly=True) as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        ok = verify_password(user.password_hash if user else None, password or "")
        if not ok or user is None or not user.active:
            return None
        stale = needs_rehash(user.password_hash)
    if stale:
        with session_scope(db_url) as s:
            fresh = _get(s, username)
            fresh.password_hash = hash_password(password)
            user = fresh
    return user
