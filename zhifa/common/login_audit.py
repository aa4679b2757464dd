"""Log-ins for 等保: every log-in, failed log-in, lockout and log-out is an audit event (password changes are audited
by people.services.user_change_password), and one password tried across many user names from one client is
throttled (password spraying, which a lockout by user name + IP never sees).

Django and django-axes announce these moments as signals; the receivers below turn each into one audit event. The
throttle is an authentication backend placed after axes' (settings.AUTHENTICATION_BACKENDS): it refuses, before any
password is checked, a password that has already failed for LOGIN_SPRAY_LIMIT different user names from this client
within the lockout's cool-off. Only keyed digests of passwords and user names are kept, in the cache.
"""

from __future__ import annotations

import hashlib
import hmac

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from zhifa.common import cache as shared_cache
from zhifa.common.audit import audit_record
from zhifa.common.middleware import client_ip

THROTTLED = "_zhifa_login_throttled"
SPRAY_KEY = "_zhifa_login_spray_key"


def _digest(*parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def _window_seconds() -> int:
    return max(60, int(float(settings.AXES_COOLOFF_TIME) * 3600))


def _spray_key(ip: str, password: str) -> str:
    return f"zhifa:login-spray:{_digest(ip, password)}"


def spray_blocked(*, ip: str, password: str) -> bool:
    """True when this password already failed for LOGIN_SPRAY_LIMIT different user names from this client."""
    names = shared_cache.get(_spray_key(ip, password), use="login-spray", local=True)
    return len(names or ()) >= settings.LOGIN_SPRAY_LIMIT


def spray_count(*, key: str, username: str) -> None:
    """Count one failure of a (client, password) pair for this user name (distinct user names only)."""
    names = set(shared_cache.get(key, use="login-spray", local=True) or ())
    names.add(_digest(username.casefold()))
    # Never lifted while Redis is down: counted in this process instead (common/cache.py).
    shared_cache.set(key, sorted(names), _window_seconds(), use="login-spray", local=True)


class PasswordSprayBackend:
    """Refuses a sprayed password from the client that sprays it (PermissionDenied stops Django's backend chain)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not password:
            return None
        ip = client_ip(request) or ""
        # The failure signal carries no password (Django cleans it): keep its digest for the receiver below.
        setattr(request, SPRAY_KEY, _spray_key(ip, password))
        if spray_blocked(ip=ip, password=password):
            setattr(request, THROTTLED, True)
            raise PermissionDenied
        return None  # no `get_user`: this backend never logs anyone in (and force_login must not pick it)


def _account(username: str):
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()


@receiver(user_logged_in, dispatch_uid="zhifa-audit-login")
def audit_login(sender, request, user, **kwargs) -> None:
    backend = getattr(user, "backend", "") or ""
    via = "oidc" if "OIDC" in backend else "cas" if "CAS" in backend else "password"
    audit_record(
        actor=user, action="auth.login", obj=user, new={"via": via}, ip=client_ip(request) if request else None
    )


@receiver(user_login_failed, dispatch_uid="zhifa-audit-login-failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")[:150]
    ip = client_ip(request) if request is not None else None
    throttled = bool(request is not None and getattr(request, THROTTLED, False))
    key = getattr(request, SPRAY_KEY, "") if request is not None else ""
    if key and username:
        spray_count(key=key, username=username)
    reason = "同一密码在多个账号上尝试，已暂时拒绝该来源使用此密码登录" if throttled else ""
    audit_record(
        actor=None,
        action="auth.login-throttled" if throttled else "auth.login-failed",
        obj=_account(username),
        new={"username": username},
        reason=reason,
        ip=ip,
    )


@receiver(user_locked_out, dispatch_uid="zhifa-audit-lockout")
def audit_lockout(sender, request, username, ip_address, **kwargs) -> None:
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    audit_record(
        actor=None,
        action="auth.lockout",
        obj=_account(username or ""),
        new={"username": (username or "")[:150]},
        reason=f"连续登录失败 {settings.AXES_FAILURE_LIMIT} 次，锁定 {minutes} 分钟",
        ip=ip_address or (client_ip(request) if request is not None else None),
    )


@receiver(user_logged_out, dispatch_uid="zhifa-audit-logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None and user.is_authenticated:
        idle = getattr(request, "logout_reason", "") == "idle"
        minutes = settings.SESSION_IDLE_TIMEOUT_SECONDS // 60
        reason = f"空闲超过 {minutes} 分钟，自动退出" if idle else ""
        audit_record(
            actor=user, action="auth.logout", obj=user, reason=reason, ip=client_ip(request) if request else None
        )
