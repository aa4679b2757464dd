"""The health check and the server-error page (the learner home is zhifa/portal/views.py)."""

from __future__ import annotations

import sys
from html import escape

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse


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
