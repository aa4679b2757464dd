"""The user's notices (the bell's page) and his choice of outside channels. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhifa.notices import queries, services
from zhifa.people.models import User

PAGE_SIZE = 30


def _me(request: HttpRequest) -> User:
    """The logged-in user (every page here requires a login)."""
    assert isinstance(request.user, User)
    return request.user


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    notices = queries.notices_for_user(user=_me(request))
    if request.GET.get("unread") == "1":
        notices = notices.filter(read_at__isnull=True)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/notice_list.html",
        {"page": page, "unread_only": request.GET.get("unread") == "1"},
    )


@login_required
def notice_open(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Mark the notice read and go where it points (its page on this site), or back to the list."""
    notice = queries.notice_get_own(user=_me(request), notice_id=notice_id)
    services.notices_mark_read(user=_me(request), notice_ids=[notice.pk])
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts={request.get_host()}):
        return redirect(notice.url)
    return redirect("notices:list")


@require_POST
@login_required
def notice_read(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = queries.notice_get_own(user=_me(request), notice_id=notice_id)
    services.notices_mark_read(user=_me(request), notice_ids=[notice.pk])
    return redirect("notices:list")


@require_POST
@login_required
def notice_read_all(request: HttpRequest) -> HttpResponse:
    changed = services.notices_mark_read(user=_me(request))
    messages.success(request, f"已将 {changed} 条通知标为已读。" if changed else "没有未读通知。")
    return redirect("notices:list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.channel_preferences_set(user=_me(request), enabled=request.POST.getlist("channels"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "通知设置已保存。")
            return redirect("notices:preferences")
    return render(
        request,
        "notices/preferences.html",
        {"channels": queries.channel_choices(user=_me(request)), "email": _me(request).email},
    )
