"""The second-factor pages (enrolment, verification), the single sign-on entry points, and the security
administrator's page (三员分立: lockouts, second-factor resets, the security settings in force)."""

from __future__ import annotations

from typing import cast
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from zhifa.common.decorators import page_for
from zhifa.people import access
from zhifa.people import queries as people_queries
from zhifa.people.models import User
from zhifa.security import dataprotection, queries, services


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/"


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code of the administrator's phone; enrolment first when he has no device yet."""
    user = cast(User, request.user)  # login_required
    if services.second_factor_device(user=user) is None:
        return redirect(f"/security/otp/setup/?next={_next(request)}")
    error = ""
    if request.method == "POST":
        try:
            device = services.second_factor_check(user=user, token=request.POST.get("token", ""))
        except services.SecondFactorError as exc:
            error = str(exc)
        else:
            otp_login(request, device)
            return redirect(_next(request))
    return render(request, "security/otp_verify.html", {"error": error, "next": _next(request)}, status=200)


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP device: a QR code for the authenticator app, then one code to confirm it."""
    user = cast(User, request.user)  # login_required
    if services.second_factor_device(user=user) is not None:
        return redirect(f"/security/otp/?next={_next(request)}")
    device = services.second_factor_enrol(user=user)
    error = ""
    if request.method == "POST":
        try:
            device = services.second_factor_confirm(user=user, token=request.POST.get("token", ""))
        except services.SecondFactorError as exc:
            error = str(exc)
        else:
            otp_login(request, device)
            return redirect(_next(request))
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
    context = {"qr": qr, "secret": _base32(device.bin_key), "error": error, "next": _next(request)}
    return render(request, "security/otp_setup.html", context)


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


def oidc_login(request: HttpRequest) -> HttpResponse:
    """Start an OIDC log-in at the province's identity platform (404 when OIDC is not configured)."""
    if not settings.OIDC_ENABLED:
        raise Http404
    from mozilla_django_oidc.views import OIDCAuthenticationRequestView

    return OIDCAuthenticationRequestView.as_view()(request)


def oidc_callback(request: HttpRequest) -> HttpResponse:
    if not settings.OIDC_ENABLED:
        raise Http404
    from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

    return OIDCAuthenticationCallbackView.as_view()(request)


def cas_login(request: HttpRequest) -> HttpResponseBase:
    """CAS: to the CAS server, and back here with a service ticket that the server validates."""
    if not settings.CAS_ENABLED:
        raise Http404
    from django_cas_ng.views import LoginView

    return LoginView.as_view()(request)


def sso_failed(request: HttpRequest) -> HttpResponse:
    """Where a refused single sign-on lands: why, and what to do (no detail on which check failed)."""
    return render(request, "security/sso_failed.html")


def _security_page(view):
    """The security administrator's pages: 403 with the reason for the other 三员 administrators, 404 for others."""
    allowed = page_for(lambda user: access.can_manage_security(user) or access.separation_refusal(user, "security"))
    return allowed(view)


@_security_page
def security_manage(request: HttpRequest) -> HttpResponse:
    """The settings in force, the accounts locked out now, and the forms to unlock one or reset a second factor."""
    user = cast(User, request.user)
    context = {
        "lockouts": queries.lockouts_current(user=user),
        "settings_rows": queries.security_settings(user=user),
    }
    return render(request, "security/manage.html", context)


@require_POST
@_security_page
def lockout_reset(request: HttpRequest) -> HttpResponse:
    try:
        cleared = services.lockout_reset(by=cast(User, request.user), username=request.POST.get("username", ""))
    except services.SecurityDutyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已解锁（清除 {cleared} 条锁定记录）。")
    return redirect("security:manage")


@require_POST
@_security_page
def second_factor_reset(request: HttpRequest) -> HttpResponse:
    try:
        user = services.second_factor_reset(
            by=cast(User, request.user),
            username=request.POST.get("username", ""),
            reason=request.POST.get("reason", ""),
        )
    except services.SecurityDutyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已重置“{user.username}”的动态口令，其下次登录时须重新绑定。")
    return redirect("security:manage")


def _zip(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@page_for(lambda user: access.officer_of(user) is not None)
def my_data_export(request: HttpRequest) -> HttpResponse:
    """The officer's own data, as a zip (PIPL art. 45: a copy of one's personal information)."""
    officer = access.officer_of(request.user)
    assert officer is not None  # page_for
    content = dataprotection.person_export(officer=officer, by=cast(User, request.user))
    return _zip(content, f"个人信息-{officer.name}.zip")


@login_required
def person_export(request: HttpRequest, officer_id: int) -> HttpResponse:
    """An administrator exports an officer's data at his request (the officer's unit's administrators)."""
    if refusal := access.separation_refusal(request.user, "people"):
        raise PermissionDenied(refusal)
    officer = people_queries.officer_get_for_user(officer_id=officer_id, user=request.user)
    content = dataprotection.person_export(officer=officer, by=cast(User, request.user))
    return _zip(content, f"个人信息-{officer.name}.zip")


@require_POST
@login_required
def person_erase(request: HttpRequest, officer_id: int) -> HttpResponse:
    """The system administrator erases a departed officer's personal data at his request (what is kept: see
    security.dataprotection)."""
    if refusal := access.separation_refusal(request.user, "people"):
        raise PermissionDenied(refusal)
    officer = people_queries.officer_get_for_user(officer_id=officer_id, user=request.user)
    try:
        dataprotection.person_erase(officer=officer, by=cast(User, request.user), reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已删除该人员的身份证号、手机号并注销账号；培训档案和审计日志依法保留。")
    return redirect("console:officer-detail", officer_id=officer.pk)
