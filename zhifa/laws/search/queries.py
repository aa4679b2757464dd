"""Search for a user: scope, filters, ranking, and the display rows (key, law, title, highlighted snippet, link).

Law texts are public within the platform: every logged-in user may search every article; the scope only
decides which jurisdictions are searched by default.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import quote

from django.db import connection

from zhifa.laws.models import Law, LawVersion, Provision
from zhifa.laws.search import artefact, engine, learned, scopes
from zhifa.laws.search.backends import Filters, IndexUnavailable, get_backend
from zhifa.laws.search.query import parse_query
from zhifa.laws.search.snippets import snippet
from zhifa.people.models import Domain

MAX_LIMIT = 100
logger = logging.getLogger(__name__)


class SearchUnavailable(RuntimeError):
    """This app server cannot open its search index. The user is told to try later; the log has the directory and
    the fix (IndexUnavailable's message), which is the operator's business, not the officer's."""

    def __init__(self) -> None:
        super().__init__(
            "法规检索暂时不可用：本服务器的检索索引无法打开，已记录待运维处理。请稍后再试，或在“法规库”中按法规浏览条文。"
        )


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked: the text, a scope, and optional filters (empty = no restriction)."""

    q: str
    scope: str = scopes.NATIONAL
    category: str = ""
    status: str = ""
    domain: str = ""  # Domain.code
    law: str = ""  # Law.short_title
    region: str = ""
    limit: int = 10


@dataclass(frozen=True)
class SearchResult:
    key: str
    law: str
    law_title: str
    title: str
    label: str
    snippet: str
    score: float
    url: str
    category: str
    region: str
    date_pending: bool = False  # the version was imported without a date: shown as 日期待确认


def filters_for(request: SearchRequest, *, user=None) -> Filters:
    """The backend filters of a request; raises scopes.UnknownScope for a bad scope."""
    regions = (request.region,) if request.region else scopes.scope_regions(request.scope, user=user)
    law_ids = None
    if request.law:
        law_ids = tuple(Law.objects.filter(short_title=request.law).values_list("pk", flat=True))
    domain_ids = None
    if request.domain:
        domain_ids = tuple(Domain.objects.filter(code=request.domain).values_list("pk", flat=True))
    return Filters(
        categories=(request.category,) if request.category else None,
        statuses=(request.status,) if request.status else None,
        regions=regions,
        law_ids=law_ids,
        domain_ids=domain_ids,
    )


def article_url(short_title: str, label: str) -> str:
    """The article's permalink, /laws/<short title>/<第X条>/."""
    return f"/laws/{quote(short_title)}/{quote(label)}/"


def search_articles(*, request: SearchRequest, user=None, recipe: engine.Recipe = engine.DEFAULT) -> list[SearchResult]:
    """The best articles for the request, best first; raises scopes.UnknownScope for a bad scope and
    SearchUnavailable when this server's index cannot be opened (the rest of the platform keeps working)."""
    limit = max(1, min(request.limit, MAX_LIMIT))
    filters = filters_for(request, user=user)
    try:
        backend = get_backend()
    except IndexUnavailable as exc:
        logger.error("law search unavailable: %s", exc)
        raise SearchUnavailable from exc
    ranked = engine.rank(
        backend,
        request.q,
        filters=filters,
        limit=limit,
        recipe=recipe,
        prior=learned.current_prior(),
        ranker=artefact.current(),
    )
    return results_for(ranked, request.q)


def ranked_keys(
    *,
    q: str,
    filters: Filters,
    limit: int,
    recipe: engine.Recipe = engine.DEFAULT,
    prior: engine.Prior | None = None,
    ranker=None,
) -> list[str]:
    """Only the article keys of the ranking (for evaluation: no snippets, one query for the keys)."""
    ranked = engine.rank(get_backend(), q, filters=filters, limit=limit, recipe=recipe, prior=prior, ranker=ranker)
    keys = dict(Provision.objects.filter(pk__in=[r.id for r in ranked]).values_list("pk", "key"))
    return [keys[r.id] for r in ranked if r.id in keys]


def _result_rows(ids: list[int]) -> dict[int, tuple]:
    """(key, label, text, law short title, law title, category, region, the version's date_confirmed) of each
    provision id, in one statement.

    Plain SQL rather than the ORM: building the ORM query (select_related, defer) took ~2 ms of a 4 ms keyword
    search, more than the statement itself."""
    if not ids:
        return {}
    provision, version, law = Provision._meta.db_table, LawVersion._meta.db_table, Law._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, p.key, p.label, p.text, l.short_title, l.title, l.category, l.region, v.date_confirmed"
            f" FROM {provision} p"
            f" JOIN {version} v ON v.id = p.version_id JOIN {law} l ON l.id = v.law_id WHERE p.id IN ({marks})",
            ids,
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def results_for(ranked: list[engine.Ranked], q: str) -> list[SearchResult]:
    """Display rows for ranked provision ids (one query); ids no longer in the database are skipped."""
    parsed = parse_query(q)
    rows = _result_rows([r.id for r in ranked])
    categories = dict(Law.Category.choices)
    results = []
    for r in ranked:
        if r.id not in rows:
            continue
        key, label, text, short_title, law_title, category, region, date_confirmed = rows[r.id]
        results.append(
            SearchResult(
                key=key,
                law=short_title,
                law_title=law_title,
                label=label,
                title=f"{short_title} {label}",
                snippet=snippet(text, parsed),
                score=round(r.score, 6),
                url=article_url(short_title, label),
                category=categories.get(category, category),
                region=region,
                date_pending=not date_confirmed,
            )
        )
    return results
