"""The desktop admin console (units, officers, import, audit log)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from zhifa.people import access


@login_required
def console_home(request: HttpRequest) -> HttpResponse:
    if not access.can_use_console(request.user):
        raise Http404
    units = access.units_viewable_by(request.user).order_by("path")[:200]
    return render(request, "people/console_home.html", {"units": units})
