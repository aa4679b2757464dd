"""The project's own deployment checks (`manage.py check --deploy`), beside Django's: 等保 level 3 settings.

Each failing check is an Error in production; ids zhifa.E001… (docs/security.md lists them).
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

WEAK_KEY = "insecure-development-key-do-not-use-in-production"


@register(Tags.security, deploy=True)
def security_settings(app_configs, **kwargs) -> list[Error]:
    errors = []
    key = settings.SECRET_KEY
    if key == WEAK_KEY or len(key) < 50 or len(set(key)) < 12:
        errors.append(Error("ZHIFA_SECRET_KEY 太弱：至少 50 个字符、12 种以上不同字符的随机串。", id="zhifa.E001"))
    csp = getattr(settings, "SECURE_CSP", {}) or {}
    scripts = [str(s) for s in csp.get("script-src", [])]
    if not csp or "'unsafe-inline'" in scripts or "'unsafe-eval'" in scripts or "*" in scripts:
        errors.append(Error("内容安全策略（SECURE_CSP）缺失，或 script-src 允许内联/eval 脚本。", id="zhifa.E002"))
    if not settings.AXES_ENABLED or not 1 <= settings.AXES_FAILURE_LIMIT <= 10:
        errors.append(
            Error(
                "登录失败锁定须开启，失败次数上限 1–10（ZHIFA_AXES_ENABLED、ZHIFA_LOGIN_FAILURE_LIMIT）。",
                id="zhifa.E003",
            )
        )
    if not 0 < settings.SESSION_IDLE_TIMEOUT_SECONDS <= 30 * 60:
        errors.append(Error("会话空闲超时须不超过 30 分钟（ZHIFA_SESSION_IDLE_MINUTES）。", id="zhifa.E004"))
    if not settings.OTP_REQUIRED_FOR_ADMINS:
        errors.append(Error("管理员必须使用动态口令（ZHIFA_OTP_REQUIRED=true）。", id="zhifa.E005"))
    if not settings.FIELD_ENCRYPTION_KEY:
        errors.append(
            Error("须单独设置个人信息加密密钥 ZHIFA_FIELD_ENCRYPTION_KEY（不要由 SECRET_KEY 派生）。", id="zhifa.E006")
        )
    if settings.PASSWORD_MIN_LENGTH < 8 or settings.PASSWORD_MIN_CLASSES < 3:
        errors.append(
            Error("口令策略过弱：至少 8 位、3 类字符（ZHIFA_PASSWORD_MIN_LENGTH/CLASSES）。", id="zhifa.E007")
        )
    if settings.AUDIT_RETENTION_DAYS < 180:
        errors.append(Error("审计记录保存期不得少于 180 天（ZHIFA_AUDIT_RETENTION_DAYS）。", id="zhifa.E008"))
    if not settings.SESSION_COOKIE_SECURE:
        errors.append(Error("生产环境须通过 HTTPS 访问并设置 ZHIFA_SECURE_COOKIES=true。", id="zhifa.E009"))
    return errors
