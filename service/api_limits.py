"""Guards every request passes before the routes: body size (413), NUL bytes in the query
string (400; PostgreSQL cannot store them), and the request counter for /metrics."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dakscan.service import metrics
from dakscan.service.api_errors import ApiError
from dakscan.service.config import Settings

BODY_LIMIT = 1024 * 1024  # JSON and form bodies; uploads have their own limit
UPLOAD_PATH = "/api/v1/dak"


class LimitsMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").lower()
        if b"%00" in query or b"\x00" in query:
            await _reply(send, 400, "The query string holds a NUL byte.")
            return
        is_upload = scope["method"] == "POST" and scope["path"].rstrip("/") == UPLOAD_PATH
        limit = self.settings.max_upload_mb * 1024 * 1024 + 64 * 1024 if is_upload \
            else BODY_LIMIT
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _reply(send, 413, f"The request body is larger than {limit // 1024} KB."
                         if not is_upload else
                         f"The file is larger than the upload limit "
                         f"({self.settings.max_upload_mb} MB).")
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise ApiError(413, "The request body is too large.", code="too_large")
            return message

        status = 500

        async def counting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, counted, counting_send)
        finally:
            metrics.REQUESTS.labels(scope["method"], f"{status // 100}xx").inc()


async def _reply(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
