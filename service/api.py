"""The dakscan HTTP service: `create_app(settings)` builds a FastAPI app from routers.

Every API path is under /api/v1; /healthz, /readyz and /metrics sit at the root. Other
concerns add their screens by passing routers (`extra_routers`), or by providing a module
named in OPTIONAL_ROUTERS with a `router` attribute (the desk screens, bulk progress).
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import anyio
from fastapi import APIRouter, FastAPI

from dakscan.service import (
    api_auth,
    api_dak,
    api_errors,
    api_health,
    api_search,
    api_upload,
    api_users,
)
from dakscan.service.api_limits import LimitsMiddleware
from dakscan.service.auth import TOKEN_URL
from dakscan.service.config import Settings, get_settings

OPTIONAL_ROUTERS = ("dakscan.service.pages", "dakscan.service.api_bulk")
API_ROUTERS = (api_health.router, api_auth.router, api_upload.router, api_dak.router,
               api_search.router, api_users.router)
DESCRIPTION = (
    "Capture desk register: upload scans, list, search (Hindi and English), correct and "
    "confirm dak, mark them to sections, download and verify signed PDF/A, export e-Office "
    f"receipts. Sign in at `{TOKEN_URL}` (OAuth2 password flow) and send "
    "`Authorization: Bearer <token>`. Errors are JSON `{\"detail\": \"...\"}`."
)


class PipelineHolder:
    """One pipeline (and its page-worker pool) per app, made on the first upload."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pipeline = None
        self._lock = threading.Lock()

    def __call__(self):  # noqa: ANN204 - a Pipeline (imported lazily: OCR stack is heavy)
        with self._lock:
            if self._pipeline is None:
                from dakscan.service.pipeline import Pipeline

                self._pipeline = Pipeline(self.settings)
            return self._pipeline

    def close(self) -> None:
        with self._lock:
            if self._pipeline is not None:
                self._pipeline.close()
                self._pipeline = None


def optional_routers() -> list[APIRouter]:
    found = []
    for name in OPTIONAL_ROUTERS:
        if importlib.util.find_spec(name) is not None:
            router = getattr(importlib.import_module(name), "router", None)
            if isinstance(router, APIRouter):
                found.append(router)
    return found


def create_app(settings: Settings | None = None,
               extra_routers: Iterable[APIRouter] = ()) -> FastAPI:
    """The service over the register `settings` names (default: DAKSCAN_* environment)."""
    settings = settings or get_settings()
    holder = PipelineHolder(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.upload_gate = anyio.CapacityLimiter(max(2, settings.worker_count))
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(holder.close)

    app = FastAPI(title="dakscan", version="1", description=DESCRIPTION, lifespan=lifespan,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.pipeline = holder
    app.add_middleware(LimitsMiddleware, settings=settings)
    api_errors.install(app)
    for router in (*API_ROUTERS, *optional_routers(), *extra_routers):
        app.include_router(router)
    from dakscan.service.web import install as install_pages  # the desk screens and /static

    install_pages(app)
    return app
