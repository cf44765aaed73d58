"""GET /api/v1/search (Hindi + English, ranked, highlighted) and GET /api/v1/export."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import and_, select

from dakscan.service import export
from dakscan.service.api_dak import ListParams
from dakscan.service.api_errors import COMMON_RESPONSES
from dakscan.service.api_schemas import Day, SearchOut, dak_out
from dakscan.service.auth import Principal, dak_scope, require, settings_of
from dakscan.service.config import Settings
from dakscan.service.db import session_scope
from dakscan.service.models import Dak
from dakscan.service.search import Query as SearchQuery
from dakscan.service.search import best_snippet, catch_up, pending, rank

router = APIRouter(prefix="/api/v1", tags=["search"], responses=COMMON_RESPONSES)
CHUNK = 500
CATCH_UP_SECONDS = 5.0  # a search indexes new dak for at most this long, then answers


def _visible(settings: Settings, ids: list[int], where) -> set[int]:  # noqa: ANN001
    keep: set[int] = set()
    with session_scope(settings.db_url, readonly=True) as s:
        for i in range(0, len(ids), CHUNK):
            part = ids[i:i + CHUNK]
            keep.update(s.scalars(select(Dak.id).where(and_(Dak.id.in_(part), where))))
    return keep


def search_register(settings: Settings, user: Principal, q: str, conditions: list,
                    limit: int = 20, offset: int = 0) -> dict:
    """Ranked hits the user may see, with snippets (also used by the desk screens)."""
    query = SearchQuery.parse(q)
    if not query.keys:
        return {"query": q, "keys": [], "items": [], "total": 0, "limit": limit,
                "offset": offset, "note": "No word to search for: common words like का, के, "
                "the are skipped. / खोजने के लिए कोई शब्द लिखें।"}
    catch_up(settings.db_url, budget_s=CATCH_UP_SECONDS)
    behind = pending(settings.db_url)
    with session_scope(settings.db_url, readonly=True) as s:
        ranked = rank(s, query)
    visible = _visible(settings, [d for d, _ in ranked], and_(dak_scope(user), *conditions))
    ranked = [(d, score) for d, score in ranked if d in visible]
    page = ranked[offset:offset + limit]
    items = []
    with session_scope(settings.db_url, readonly=True) as s:
        rows = {d.id: d for d in s.scalars(select(Dak).where(Dak.id.in_([d for d, _ in page])))}
        for dak_id, score in page:
            dak = rows[dak_id]
            where, snip = best_snippet(dak, query)
            items.append({"dak": dak_out(dak, settings.timezone), "score": round(score, 3),
                          "field": where, "snippet": snip})
    note = (f"{behind} dak are still being indexed and not yet searchable. / {behind} डाक "
            "अभी खोज में नहीं जुड़ीं।") if behind else None
    return {"query": q, "keys": query.keys, "items": items, "total": len(ranked),
            "limit": limit, "offset": offset, "note": note}


@router.get("/search", response_model=SearchOut,
            summary="Search OCR text, subject, sender and letter number (Hindi and English)")
def search(request: Request, user: Annotated[Principal, Depends(require("read"))],
           q: Annotated[str, Query(min_length=1, max_length=300,
                                   description="Words to find; every word must match. "
                                   "Spelling variants meet: मिश्रा = मिश्र, सितंबर = सितम्बर, "
                                   "ज़िला = जिला, १२३४ = 1234. A trailing * matches "
                                   "as a prefix: प्रशासन* finds प्रशासनिक.")],
           params: Annotated[ListParams, Depends()],
           limit: Annotated[int, Query(ge=1, le=200)] = 20,
           offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> dict:
    settings = settings_of(request)
    return search_register(settings, user, q, params.conditions(settings), limit, offset)


@router.get("/export", summary="e-Office receipts (diarise fields) as JSON or CSV",
            responses={200: {"content": {"application/json": {}, "text/csv": {}},
                             "description": "A list of receipts"}})
def export_receipts(request: Request, user: Annotated[Principal, Depends(require("export"))],
                    since: Annotated[Day | None, Query(description="Received on or after "
                                                       "this day")] = None,
                    until: Annotated[Day | None, Query(description="Received on or before "
                                                       "this day")] = None,
                    format: Annotated[Literal["json", "csv"], Query()] = "json",  # noqa: A002
                    kind: Annotated[Literal["dak", "record", "all"], Query()] = "dak",
                    ) -> Response:
    settings = settings_of(request)
    rows = export.receipts(settings, since, until, None if kind == "all" else kind,
                           where=dak_scope(user))
    if format == "csv":
        return Response("\ufeff" + export.to_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="receipts.csv"'})
    return Response(export.to_json(rows), media_type="application/json")
