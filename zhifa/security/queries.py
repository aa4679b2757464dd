"""Reads of the security administrator's page (三员分立): current lockouts and the security settings in force."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhifa.people import access


def require_security_admin(user) -> None:
    """PermissionDenied with the reason for the other 三员 administrators; callers 404 everybody else first."""
    if refusal := access.separation_refusal(user, "security"):
        raise PermissionDenied(refusal)


def lockouts_current(*, user) -> list[AccessAttempt]:
    """Log-in attempts locked out now (user name + IP at the failure limit within the cool-off time)."""
    require_security_admin(user)
    since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    )
    return list(attempts.order_by("-attempt_time")[:200])


def security_settings(*, user) -> list[tuple[str, str, str]]:
    """The security settings in force as (名称, 值, 环境变量): set in the service's environment, shown here."""
    require_security_admin(user)
    return [
        ("密码最短长度", f"{settings.PASSWORD_MIN_LENGTH} 位", "ZHIFA_PASSWORD_MIN_LENGTH"),
        ("密码字符类别（至少）", f"{settings.PASSWORD_MIN_CLASSES} 类", "ZHIFA_PASSWORD_MIN_CLASSES"),
        ("密码有效期", f"{settings.PASSWORD_MAX_AGE_DAYS} 天", "ZHIFA_PASSWORD_MAX_AGE_DAYS"),
        ("登录失败锁定", f"{settings.AXES_FAILURE_LIMIT} 次", "ZHIFA_LOGIN_FAILURE_LIMIT"),
        ("锁定时长", f"{round(float(settings.AXES_COOLOFF_TIME) * 60)} 分钟", "ZHIFA_LOGIN_COOLOFF_MINUTES"),
        ("空闲超时", f"{settings.SESSION_IDLE_TIMEOUT_SECONDS // 60} 分钟", "ZHIFA_SESSION_IDLE_MINUTES"),
        ("管理员动态口令", "强制" if settings.OTP_REQUIRED_FOR_ADMINS else "未强制", "ZHIFA_OTP_REQUIRED"),
        ("审计记录保存", f"{settings.AUDIT_RETENTION_DAYS} 天", "ZHIFA_AUDIT_RETENTION_DAYS"),
    ]
