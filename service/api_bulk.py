"""/api/v1/bulk: progress of record-room conversions (local or on Celery workers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from dakscan.service import bulk_journal as journal
from dakscan.service.api_errors import COMMON_RESPONSES
from dakscan.service.auth import Principal, require, settings_of

router = APIRouter(prefix="/api/v1/bulk", tags=["bulk"], responses=COMMON_RESPONSES)
Viewer = Annotated[Principal, Depends(require("bulk"))]


@router.get("/runs", summary="Bulk runs with their progress, newest first")
def runs(request: Request, _: Viewer) -> list[dict]:
    return journal.runs(settings_of(request).db_url)
