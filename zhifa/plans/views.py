"""The learner's page: 我的培训计划 (every item of this year's plans that applies to him, with status and why)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhifa.people import access
from zhifa.plans import queries


@login_required
def my_plan(request: HttpRequest) -> HttpResponse:
    officer = access.officer_of(request.user)
    today = timezone.localdate()
    items = queries.my_plan(officer=officer, today=today) if officer is not None else []
    return render(request, "plans/my_plan.html", {"officer": officer, "items": items, "year": today.year})
