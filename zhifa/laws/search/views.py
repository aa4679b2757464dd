"""The search page (/laws/search/): the full page, or only the results for htmx requests as the user types."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhifa.laws.models import Law, LawVersion
from zhifa.laws.search import scopes
from zhifa.laws.search.queries import SearchRequest, SearchUnavailable, search_articles
from zhifa.people.models import Domain

FIELDS = ("q", "scope", "category", "status", "domain", "law")


def request_from(params) -> SearchRequest:
    values = {name: (params.get(name) or "").strip()[:200] for name in FIELDS}
    return SearchRequest(**{**values, "scope": values["scope"] or scopes.NATIONAL}, limit=20)


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    search = request_from(request.GET)
    results, error = [], ""
    if search.q:
        try:
            results = search_articles(request=search, user=request.user)
        except (scopes.UnknownScope, SearchUnavailable) as exc:
            error = str(exc)
    context = {"search": search, "results": results, "error": error, "province": scopes.user_province(request.user)}
    if request.headers.get("HX-Request"):
        return render(request, "laws_search/_results.html", context)
    context.update(
        categories=Law.Category.choices, statuses=LawVersion.Status.choices, domains=Domain.objects.order_by("code")
    )
    return render(request, "laws_search/search.html", context)
