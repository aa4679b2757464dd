"""The administrators' second factor: no administrative role reaches anything but the TOTP pages until verified.

Administrative roles: unit administrator, system administrator, security administrator, audit administrator,
auditor, and Django staff. With
`OTP_REQUIRED_FOR_ADMINS` (on in production; `ZHIFA_OTP_REQUIRED`) such a user whose session has not been verified
by django-otp is sent to the second-factor page (enrolment first if he has no device); the JSON API answers 403.
Every request goes through the whole middleware stack (no path around it: portal/tests/test_hot_endpoints.py).
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect

from zhifa.people import access

ALLOWED_PREFIXES = ("/security/otp/", "/accounts/logout/", "/static/", "/healthz", "/readyz", "/metrics")


def needs_second_factor(user) -> bool:
    """An administrative account (the roles that change others' data or read the audit trail)."""
    return access.holds_admin_role(user)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.OTP_REQUIRED_FOR_ADMINS:
            return self.get_response(request)
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    def _refusal(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(ALLOWED_PREFIXES)
            and needs_second_factor(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "second_factor_required", "message": "管理员须先完成动态口令（第二因素）验证。"},
                    status=403,
                    json_dumps_params={"ensure_ascii": False},
                )
            return redirect(f"/security/otp/?next={request.path}")
        return None
