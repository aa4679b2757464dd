"""The learner home (我的学习) and health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from zhifa.people import access


@login_required
def home(request: HttpRequest) -> HttpResponse:
    officer = access.officer_of(request.user)
    return render(request, "common/home.html", {"officer": officer})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
