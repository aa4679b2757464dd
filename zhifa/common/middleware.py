"""Request middleware: client IP for the audit log, the 30-minute idle timeout, forced password change."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from zhifa.common import files
from zhifa.common.proxies import real_client_ip
from zhifa.common.request_context import reset_current_ip, set_current_ip


def client_ip(request) -> str | None:
    """The client's address: X-Real-IP / X-Forwarded-For only when the request comes from a trusted proxy
    (ZHIFA_TRUSTED_PROXIES, common/proxies.py), REMOTE_ADDR otherwise, so no client can forge it."""
    meta = request.META
    return real_client_ip(
        remote_addr=meta.get("REMOTE_ADDR"),
        x_real_ip=meta.get("HTTP_X_REAL_IP"),
        x_forwarded_for=meta.get("HTTP_X_FORWARDED_FOR"),
        proxies=settings.TRUSTED_PROXY_NETWORKS,
    )


def idle_state(session, now: float | None = None) -> str:
    """ "expired" (idle past SESSION_IDLE_TIMEOUT_SECONDS), "due" (last_seen to be refreshed) or "fresh".

    last_seen is written at most once a minute: a session save per request would serialise autosave traffic.
    """
    now = time.time() if now is None else now
    last = session.get("last_seen")
    if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT_SECONDS:
        return "expired"
    if last is None or now - last > 60:
        return "due"
    return "fresh"


class IdleTimeoutMiddleware:
    """Log out a session that has been idle longer than SESSION_IDLE_TIMEOUT_SECONDS; also records the client IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_current_ip(client_ip(request))
        viewer = files.set_viewer(request.user.pk if request.user.is_authenticated else None)
        try:
            if request.user.is_authenticated:
                now = time.time()
                state = idle_state(request.session, now)
                if state == "expired":
                    request.logout_reason = "idle"  # the audit event says why (common/login_audit.py)
                    logout(request)
                    if request.path.startswith("/api/"):
                        return self.get_response(request)
                    return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}&timeout=1")
                if state == "due":
                    request.session["last_seen"] = now
            return self.get_response(request)
        finally:
            files.reset_viewer(viewer)
            reset_current_ip(token)


class PasswordExpiryMiddleware:
    """Send a user whose password is older than the policy allows to the change-password page."""

    allowed_prefixes = ("/accounts/", "/static/", "/api/", "/django-admin/logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.allowed_prefixes)
            and getattr(user, "password_expired", lambda: False)()
        ):
            return redirect(reverse("people:password-change") + "?expired=1")
        return self.get_response(request)
