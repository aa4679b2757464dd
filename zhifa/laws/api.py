"""The law library's JSON API (/api/v1/laws/): article search."""

from __future__ import annotations

from ninja import Router, Schema, Status

from zhifa.laws.search import scopes
from zhifa.laws.search.queries import SearchRequest, SearchUnavailable, search_articles

router = Router(tags=["laws"])


class SearchHit(Schema):
    key: str
    law: str
    title: str
    snippet: str
    score: float
    url: str
    law_title: str
    category: str
    region: str
    date_pending: bool = False  # 日期待确认: the version was imported without a date


class SearchOut(Schema):
    results: list[SearchHit]


class ErrorOut(Schema):
    code: str
    message: str


@router.get("/search", response={200: SearchOut, 400: ErrorOut, 503: ErrorOut}, url_name="laws-search")
def search(
    request,
    q: str = "",
    limit: int = 10,
    scope: str = scopes.NATIONAL,
    category: str = "",
    status: str = "",
    domain: str = "",
    law: str = "",
    region: str = "",
):
    """Articles for a question or keywords, best first (snippet: HTML with <mark>); empty q gives no results."""
    search_request = SearchRequest(
        q=q, scope=scope, category=category, status=status, domain=domain, law=law, region=region, limit=limit
    )
    try:
        results = search_articles(request=search_request, user=request.user) if q.strip() else []
    except scopes.UnknownScope as exc:
        return Status(400, {"code": "unknown_scope", "message": str(exc)})
    except SearchUnavailable as exc:
        return Status(503, {"code": "search_unavailable", "message": str(exc)})
    return Status(200, {"results": [r.__dict__ for r in results]})
