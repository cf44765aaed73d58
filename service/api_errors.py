"""Every error the service answers is JSON `{"detail": "<clear message>"}` (plus `detail_hi`
and `code` where there is more to say); bad input never becomes a 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from dakscan.service.api_schemas import Error

log = logging.getLogger("dakscan.api")


class ApiError(StarletteHTTPException):
    """A refusal with an HTTP status and a message the desk can act on. An HTTP exception, so
    FastAPI passes it through unchanged even from inside body parsing."""

    def __init__(self, status: int, detail: str, detail_hi: str | None = None,
                 code: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, detail, headers)
        self.status, self.detail_hi, self.code = status, detail_hi, code


def error_body(detail: str, detail_hi: str | None = None, code: str | None = None) -> dict:
    body: dict = {"detail": detail}
    if detail_hi:
        body["detail_hi"] = detail_hi
    if code:
        body["code"] = code
    return body


def _location(loc: tuple | list) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


def validation_message(exc: RequestValidationError) -> tuple[int, str]:
    """One readable sentence for what was wrong with the request, and 400 or 422."""
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "The request body is not valid JSON."
    parts = []
    for e in errors[:5]:
        msg = str(e.get("msg", "invalid value"))
        parts.append(f"{_location(e.get('loc', ()))}: {msg}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return 422, "Invalid request: " + "; ".join(parts) + more


COMMON_RESPONSES: dict = {
    400: {"model": Error, "description": "Bad request (e.g. malformed JSON)"},
    401: {"model": Error, "description": "Not signed in"},
    403: {"model": Error, "description": "The role may not do this"},
    404: {"model": Error, "description": "No such dak (or not visible to this user)"},
    413: {"model": Error, "description": "Request body too large"},
    422: {"model": Error, "description": "Invalid input"},
}


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app serves at this request's path."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        route_methods = getattr(route, "methods", None)
        if match != Match.NONE and route_methods:
            methods |= set(route_methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def install(app: FastAPI) -> None:
    """JSON error handlers for refusals, validation, HTTP errors and (logged) bugs."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.detail, exc.detail_hi, exc.code), exc.status,
                            headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, msg = validation_message(exc)
        return JSONResponse(error_body(msg, code="invalid_request"), status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            # One path may be served by routes of several routers: name all their methods.
            headers["Allow"] = ", ".join(allowed_methods(request))
        return JSONResponse(error_body(detail), exc.status_code, headers=headers or None)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("Internal error; it has been logged. Tell the system "
                                       "administrator.",
                                       "आंतरिक त्रुटि; व्यवस्थापक को बताएँ।", "internal"), 500)
