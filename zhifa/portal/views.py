"""The learner home (我的学习)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhifa.courses import queries as courses_queries
from zhifa.people import access
from zhifa.plans import queries as plans_queries
from zhifa.records import queries as records_queries
from zhifa.reports import services as reports_services


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """我的学习: this year's hours against the requirement, required courses due, where to continue, today's
    micro-lessons. Users without an officer profile (instructors, administrators) see the tiles only."""
    officer = access.officer_of(request.user)
    context: dict = {"officer": officer}
    if officer is not None:
        context["hours_summary"] = records_queries.hours_summary_for(officer, timezone.localdate().year)
        context["learning"] = courses_queries.learner_home(officer=officer)
        context["plan_block"] = plans_queries.home_block(officer=officer)
        context["recommendations"] = reports_services.recommendations_for_today(officer=officer)
    return render(request, "portal/home.html", context)
