"""The learner home (我的学习) and health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from zhifa.courses import queries as courses_queries
from zhifa.people import access
from zhifa.records import queries as records_queries


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """我的学习: this year's hours against the requirement, required courses due, where to continue, today's
    micro-lessons. Users without an officer profile (instructors, administrators) see the tiles only."""
    officer = access.officer_of(request.user)
    context: dict = {"officer": officer}
    if officer is not None:
        context["hours_summary"] = records_queries.hours_summary_for(officer, timezone.localdate().year)
        context["learning"] = courses_queries.learner_home(officer=officer)
    return render(request, "common/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
