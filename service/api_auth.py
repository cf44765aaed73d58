"""/api/v1/auth/token (OAuth2 password flow) and /api/v1/me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from dakscan.service.api_errors import COMMON_RESPONSES, ApiError
from dakscan.service.api_schemas import Me, Token
from dakscan.service.auth import (
    PERMISSIONS,
    TOKEN_SECONDS,
    Principal,
    authenticate,
    current_user,
    issue_token,
    settings_of,
)

router = APIRouter(prefix="/api/v1", tags=["auth"], responses=COMMON_RESPONSES)


@router.post("/auth/token", response_model=Token,
             summary="Sign in with e-Office ID and password; returns a bearer token")
def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict:
    settings = settings_of(request)
    user = authenticate(settings, form.username, form.password)
    if user is None:
        raise ApiError(401, "Wrong user name or password, or the user is disabled.",
                       "उपयोगकर्ता नाम या पासवर्ड गलत है, या उपयोगकर्ता निष्क्रिय है।",
                       code="bad_credentials", headers={"WWW-Authenticate": "Bearer"})
    return {"access_token": issue_token(settings, user), "token_type": "bearer",
            "expires_in": TOKEN_SECONDS, "role": user.role}


@router.get("/me", response_model=Me, summary="Who the token belongs to, and what they may do")
def me(user: Annotated[Principal, Depends(current_user)]) -> dict:
    return {"username": user.username, "full_name": user.full_name, "role": user.role,
            "desk": user.desk, "section": user.section,
            "permissions": sorted(p for p, roles in PERMISSIONS.items() if user.role in roles)}
