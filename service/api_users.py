"""/api/v1/users: the admin's user management (same rules as `dakscan users`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from dakscan.service import users
from dakscan.service.api_errors import COMMON_RESPONSES, ApiError
from dakscan.service.api_schemas import PasswordIn, UserIn, UserOut
from dakscan.service.auth import Principal, require, settings_of

router = APIRouter(prefix="/api/v1/users", tags=["users"], responses=COMMON_RESPONSES)
Admin = Annotated[Principal, Depends(require("users"))]
Username = Annotated[str, Path(min_length=2, max_length=80, pattern=r"^[A-Za-z0-9._@-]+$")]


def _call(fn, *args, **kw) -> dict | list:  # noqa: ANN001
    try:
        return fn(*args, **kw)
    except users.UserError as exc:
        raise ApiError(exc.status, exc.english, exc.hindi, code="user") from None


@router.get("", response_model=list[UserOut], summary="All users")
def list_users(request: Request, _: Admin) -> list:
    return _call(users.list_users, settings_of(request).db_url)


@router.post("", response_model=UserOut, status_code=201,
             responses={409: {"description": "The user exists"}}, summary="Add a user")
def add_user(request: Request, body: UserIn, admin: Admin) -> dict:
    return _call(users.add_user, settings_of(request).db_url, body.username, body.role,
                 body.password, full_name=body.full_name, desk=body.desk,
                 section=body.section, actor=admin.username)


@router.post("/{username}/disable", response_model=UserOut, summary="Disable a user")
def disable(request: Request, username: Username, admin: Admin) -> dict:
    if username == admin.username:
        raise ApiError(409, "You cannot disable yourself.", "आप स्वयं को निष्क्रिय नहीं कर सकते।")
    return _call(users.set_active, settings_of(request).db_url, username, False,
                 actor=admin.username)


@router.post("/{username}/enable", response_model=UserOut, summary="Enable a user again")
def enable(request: Request, username: Username, admin: Admin) -> dict:
    return _call(users.set_active, settings_of(request).db_url, username, True,
                 actor=admin.username)


@router.post("/{username}/password", response_model=UserOut,
             summary="Set a new password; old tokens stop working")
def reset_password(request: Request, username: Username, body: PasswordIn,
                   admin: Admin) -> dict:
    return _call(users.reset_password, settings_of(request).db_url, username, body.password,
                 actor=admin.username)
