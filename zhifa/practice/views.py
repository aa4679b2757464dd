"""Practice pages: the practice home, the player (daily or by scope), mistakes book, mastery, admin pages."""

from __future__ import annotations

import json
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.people import access
from zhifa.people.models import Domain, User
from zhifa.practice import queries, services
from zhifa.questions.models import KnowledgePoint


def _officer_or_404(request):
    officer = access.officer_of(request.user)
    if officer is None:
        raise Http404
    return officer


@login_required
def practice_home(request: HttpRequest) -> HttpResponse:
    officer = _officer_or_404(request)
    today = timezone.localdate()
    context = {
        "due_count": len(queries.daily_queue(officer)),
        "streak": queries.streak(officer, today),
        "points": queries.points_total(officer, today.year),
        "mistake_count": queries.mistakes_for(officer)["count"],
        "settings": services.settings_for(officer),
    }
    return render(request, "practice/home.html", context)


@login_required
def practice_player(request: HttpRequest) -> HttpResponse:
    _officer_or_404(request)
    mode = "scope" if request.GET.get("mode") == "scope" else "daily"
    return render(request, "practice/player.html", {"mode": mode, "query": request.GET.urlencode()})


@login_required
def practice_scope(request: HttpRequest) -> HttpResponse:
    _officer_or_404(request)
    context = {
        "points": KnowledgePoint.objects.order_by("path"),
        "domains": Domain.objects.all(),
    }
    return render(request, "practice/scope.html", context)


@login_required
def mistakes_book(request: HttpRequest) -> HttpResponse:
    officer = _officer_or_404(request)
    services.mistakes_collect_from_exams(officer=officer)
    group = "article" if request.GET.get("by") == "article" else "point"
    book = queries.mistakes_for(officer)
    groups = book["by_article"] if group == "article" else book["by_point"]
    return render(request, "practice/mistakes.html", {"groups": groups, "count": book["count"], "group": group})


@login_required
def mastery_map(request: HttpRequest) -> HttpResponse:
    officer = _officer_or_404(request)
    rows = queries.mastery_for(officer)
    return render(request, "practice/mastery.html", {"rows": rows})


@login_required
def heatmap(request: HttpRequest) -> HttpResponse:
    if not access.can_use_console(request.user):
        raise Http404
    cells = queries.heatmap_for(request.user)["cells"]
    units = sorted({c["officer__unit__name"] for c in cells})
    points = sorted({c["knowledge_point__name"] for c in cells})
    data = [
        [points.index(c["knowledge_point__name"]), units.index(c["officer__unit__name"]), round(c["recall"] * 100)]
        for c in cells
    ]
    chart = {"units": units, "points": points, "data": data}
    return render(request, "practice/heatmap.html", {"cells": cells, "chart": json.dumps(chart, ensure_ascii=False)})


def _may_review_generated(user) -> bool:
    return access.is_instructor(user) or access.is_system_admin(user) or access.is_unit_admin(user)


@login_required
def generated_queue(request: HttpRequest) -> HttpResponse:
    if not _may_review_generated(request.user):
        raise Http404
    items = queries.generated_for_review()
    return render(request, "practice/generated.html", {"items": items})


@login_required
@require_POST
def generated_review(request: HttpRequest, question_id: int) -> HttpResponse:
    if not _may_review_generated(request.user):
        raise Http404
    question = queries.generated_get(question_id)
    approve = request.POST.get("decision") == "approve"
    services.generated_item_review(question=question, by=cast(User, request.user), approve=approve)
    messages.success(request, "已发布，练习中可见。" if approve else "已退回，不会出现在练习中。")
    return redirect("practice:generated-queue")


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /practice/ so that its scope covers the practice pages."""
    path = settings.BASE_DIR / "zhifa" / "practice" / "static" / "practice" / "sw.js"
    response = HttpResponse(path.read_text(encoding="utf-8"), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/practice/"
    response["Cache-Control"] = "no-cache"
    return response
