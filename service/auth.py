"""Who is asking, and may they: password hashes, bearer tokens, session cookies, roles.

Tokens and cookies are signed (itsdangerous) with the office's secret, carry the user name and
a fingerprint of the password hash, and are checked against the register on every request: a
disabled user or a reset password locks old tokens out at once. The desk screens reuse
`authenticate`, `set_session_cookie`, `clear_session_cookie` and `session_principal`.
"""

from __future__ import annotations

import functools
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordBearer
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import false, select, true

from dakscan.service.config import Settings
from dakscan.service.models import Dak, User

ROLES = ("operator", "diarist", "section_officer", "admin", "commissioner")
ALL = frozenset(ROLES)
# What each role may do. The API checks these names; the tests walk the whole table.
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": ALL,
    "upload": frozenset({"operator", "diarist", "admin"}),
    "edit": frozenset({"diarist", "admin"}),
    "confirm": frozenset({"diarist", "admin"}),
    "mark": frozenset({"diarist", "admin"}),
    "verify": ALL,
    "export": frozenset({"diarist", "admin", "commissioner"}),
    "users": frozenset({"admin"}),
    "bulk": frozenset({"admin", "commissioner"}),
}
TOKEN_SECONDS = 12 * 3600
COOKIE = "dakscan_session"
TOKEN_URL = "/api/v1/auth/token"

# argon2id at OWASP's baseline (19 MiB, 2 passes, 1 lane): ~40 ms a sign-in on this class of
# machine, where argon2-cffi's default (64 MiB, 4 lanes) takes ~0.2 s of a shared 2-core box.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
oauth2 = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False,
                              description="e-Office ID and password of a dakscan user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password: keeps unknown-user sign-ins as slow as known ones")


def verify_password(stored: str | None, password: str) -> bool:
    """Constant work whether or not the user exists."""
    try:
        return _hasher.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


@dataclass(frozen=True)
class Principal:
    """The signed-in user as the request sees it."""

    username: str
    role: str
    full_name: str = ""
    desk: str | None = None
    section: str | None = None

    def may(self, permission: str) -> bool:
        return self.role in PERMISSIONS.get(permission, frozenset())

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(user.username, user.role, user.full_name, user.desk, user.section)


def secret_key(settings: Settings) -> str:
    """DAKSCAN_SECRET_KEY, or one made once under DAKSCAN_HOME/keys (mode 0600)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.keys_dir) / "session-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".session-secret.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)  # first writer wins; every process then reads the same secret
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip()


def _serializer(settings: Settings, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(settings), salt=salt)


def _pw_mark(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def issue_token(settings: Settings, user: User, purpose: str = "api") -> str:
    return _serializer(settings, f"dakscan-{purpose}").dumps(
        {"u": user.username, "p": _pw_mark(user)})


def principal_from_token(settings: Settings, token: str, purpose: str = "api"
                         ) -> Principal | None:
    """The active user a token names, or None (bad, expired, disabled, password changed)."""
    try:
        data = _serializer(settings, f"dakscan-{purpose}").loads(token, max_age=TOKEN_SECONDS)
        username, mark = str(data["u"]), str(data["p"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    from dakscan.service.db import session_scope

    with session_scope(settings.db_url, readonly=True) as s:
        user = s.scalars(select(User).where(User.username == username)).first()
        if user is None or not user.active or not secrets.compare_digest(_pw_mark(user), mark):
            return None
        return Principal.of(user)


def authenticate(settings: Settings, username: str, password: str) -> User | None:
    """The active user with this name and password, else None."""
    from dakscan.service.users import check_password

    return check_password(settings.db_url, username, password)


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def set_session_cookie(response: Response, request: Request, user: User) -> None:
    """Sign a page session in: an HttpOnly, SameSite=Strict cookie (no cross-site posts)."""
    token = issue_token(settings_of(request), user, purpose="session")
    response.set_cookie(COOKIE, token, max_age=TOKEN_SECONDS, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def session_principal(request: Request) -> Principal | None:
    """The user of a page request's session cookie, or None (pages redirect to sign-in)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    return principal_from_token(settings_of(request), token, purpose="session")


def current_user(request: Request, token: Annotated[str | None, Depends(oauth2)]) -> Principal:
    """Bearer token (API clients) or session cookie (desk screens); 401 otherwise."""
    principal = None
    if token:
        principal = principal_from_token(settings_of(request), token)
    elif request.cookies.get(COOKIE):
        principal = session_principal(request)
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            "Sign in first: the token is missing, expired or no longer valid.",
                            headers={"WWW-Authenticate": "Bearer"})
    return principal


def require(permission: str):  # noqa: ANN201 - a FastAPI dependency
    """A dependency: the signed-in user, if their role grants `permission`; 403 otherwise."""
    allowed = PERMISSIONS[permission]

    def check(user: Annotated[Principal, Depends(current_user)]) -> Principal:
        if user.role not in allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"Your role ({user.role}) may not {permission.replace('_', ' ')}.")
        return user

    check.__name__ = f"require_{permission}"
    return check


def dak_scope(user: Principal):  # noqa: ANN201 - a SQL condition
    """The dak a user may see: an operator their own desk, a section officer dak marked to
    their section, everyone else all."""
    if user.role == "operator":
        return Dak.desk == user.desk if user.desk else Dak.desk.is_(None)
    if user.role == "section_officer":
        return Dak.section == user.section if user.section else false()
    return true()
