"""The learner home (我的学习), the health check and the server-error page."""

from __future__ import annotations

import sys
from html import escape

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
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
    return render(request, "common/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


UNAVAILABLE = "服务暂时不可用（数据库连接中断），请稍后重试。考试中未保存的答案保留在本机，恢复后自动提交。"
SERVER_ERROR = "服务器内部错误，请稍后重试；如果问题持续，请联系系统管理员。"


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500, in Chinese. While the database cannot be reached (a restart, a failover) the answer is 503 with
    Retry-After: the exam page and the player keep what they have not saved and send it again, and a proxy or
    monitor can tell an outage from a bug. Uses nothing that needs the database (no templates' context processors).
    """
    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    status, message = (503, UNAVAILABLE) if unavailable else (500, SERVER_ERROR)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"code": "unavailable" if unavailable else "server_error", "message": message},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(
            '<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>智慧执法学院</title><body style="font-family:sans-serif;padding:2em"><h1>{status}</h1>'
            f'<p>{escape(message)}</p><p><a href="/">返回首页</a></p></body></html>',
            status=status,
        )
    if unavailable:
        response["Retry-After"] = "5"
    return response
