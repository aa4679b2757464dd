"""The administrators' second factor: no administrative role reaches anything but the TOTP pages until verified.

Administrative roles: unit administrator, system administrator, security administrator, audit administrator,
auditor, and Django staff. With
`OTP_REQUIRED_FOR_ADMINS` (on in production; `ZHIFA_OTP_REQUIRED`) such a user whose session has not been verified
by django-otp is sent to the second-factor page (enrolment first if he has no device); the JSON API answers 403.
The session carries `zhifa_2fa_pending` meanwhile, which the lanes honour too (they step aside: the full stack
then refuses), so no path around the middleware stack skips the check.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import JsonResponse
from django.shortcuts import redirect

from zhifa.people import access

PENDING = "zhifa_2fa_pending"
ALLOWED_PREFIXES = ("/security/otp/", "/accounts/logout/", "/static/", "/healthz", "/readyz", "/metrics")


def needs_second_factor(user) -> bool:
    """An administrative account (the roles that change others' data or read the audit trail)."""
    return bool(
        user.is_staff
        or user.is_superuser
        or access.is_unit_admin(user)
        or access.is_system_admin(user)
        or access.is_auditor(user)
        or access.is_security_admin(user)
        or access.is_audit_admin(user)
    )


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.OTP_REQUIRED_FOR_ADMINS:
            return self.get_response(request)
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        before = request.session.get(SESSION_KEY)
        response = self.get_response(request)
        # A log-in happened in this request (password or single sign-on): mark an administrator's session at once,
        # so that even his first request after it, on a lane, is refused until the second factor.
        user = getattr(request, "user", None)
        if (
            request.session.get(SESSION_KEY) != before
            and user is not None
            and user.is_authenticated
            and not getattr(user, "is_verified", lambda: False)()  # the user logged in now: not verified yet
            and needs_second_factor(user)
        ):
            request.session[PENDING] = True
        return response

    def _refusal(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(ALLOWED_PREFIXES)
            and needs_second_factor(user)
        ):
            request.session[PENDING] = True
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "second_factor_required", "message": "管理员须先完成动态口令（第二因素）验证。"},
                    status=403,
                    json_dumps_params={"ensure_ascii": False},
                )
            return redirect(f"/security/otp/?next={request.path}")
        return None
