"""/healthz (the process answers), /readyz (store, archive, Tesseract and its model), /metrics."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from dakscan.service import metrics
from dakscan.service.auth import settings_of
from dakscan.service.config import Settings

router = APIRouter(tags=["health"])
_tesseract_cache: dict[str, tuple[float, str | None]] = {}


@router.get("/healthz", summary="The service process is up")
def healthz() -> dict:
    return {"status": "ok"}


def check_store(settings: Settings) -> str | None:
    from dakscan.service.db import engine_for

    try:
        with engine_for(settings.db_url).connect() as conn:
            conn.execute(text("SELECT 1 FROM dak LIMIT 1"))
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"register not reachable: {type(exc).__name__}"
    return None


def check_archive(settings: Settings) -> str | None:
    root = settings.archive_dir
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"archive folder cannot be created: {exc.strerror}"
    if not os.access(root, os.W_OK | os.X_OK):
        return "archive folder is not writable"
    return None


def check_tesseract(settings: Settings) -> str | None:
    """Tesseract on PATH with every configured model; cached for a minute (a subprocess)."""
    cached = _tesseract_cache.get(settings.languages)
    if cached and time.monotonic() - cached[0] < 60:
        return cached[1]
    problem = None
    exe = shutil.which("tesseract")
    if exe is None:
        problem = "tesseract not installed"
    else:
        try:
            out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True,
                                 timeout=20).stdout
            have = {ln.strip() for ln in out.splitlines()[1:]}
            missing = [m for m in settings.languages.split("+") if m not in have]
            if missing:
                problem = f"tesseract model missing: {', '.join(missing)}"
        except (OSError, subprocess.SubprocessError) as exc:
            problem = f"tesseract does not run: {type(exc).__name__}"
    _tesseract_cache[settings.languages] = (time.monotonic(), problem)
    return problem


@router.get("/readyz", summary="Ready to register: store, archive and Tesseract present",
            responses={503: {"description": "Not ready; `detail` says what is missing"}})
def readyz(request: Request) -> JSONResponse:
    settings = settings_of(request)
    checks = {"store": check_store(settings), "archive": check_archive(settings),
              "tesseract": check_tesseract(settings)}
    problems = [f"{k}: {v}" for k, v in checks.items() if v]
    body = {"status": "ready" if not problems else "not ready",
            "checks": {k: v or "ok" for k, v in checks.items()}}
    if problems:
        body["detail"] = "; ".join(problems)
    return JSONResponse(body, 200 if not problems else 503)


@router.get("/metrics", summary="Prometheus metrics",
            responses={200: {"content": {"text/plain": {}}}})
def prometheus(request: Request) -> Response:
    return Response(metrics.render(settings_of(request)), media_type=metrics.CONTENT_TYPE)
