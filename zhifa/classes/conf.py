"""The app's knobs: settings first (CLASSES_*), then the ZHIFA_* environment variable, then the default.

ZHIFA_CHECKIN_STEP_SECONDS (default 15): how often the classroom QR code changes, unless a session sets its own.
ZHIFA_CHECKIN_RATE_PER_MINUTE (default 12): check-in attempts one user may make per minute.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _int(setting: str, variable: str, default: int, low: int, high: int, help: str) -> int:
    raw = getattr(settings, setting, None)
    if raw is None:
        raw = os.environ.get(variable, "") or default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = low - 1
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{variable} 应为 {low} 到 {high} 之间的整数（{help}），当前为“{raw}”。")
    return value


def checkin_step_seconds() -> int:
    return _int("CLASSES_CHECKIN_STEP_SECONDS", "ZHIFA_CHECKIN_STEP_SECONDS", 15, 5, 300, "签到二维码刷新间隔，秒")


def checkin_rate_per_minute() -> int:
    return _int(
        "CLASSES_CHECKIN_RATE_PER_MINUTE", "ZHIFA_CHECKIN_RATE_PER_MINUTE", 12, 1, 1000, "每人每分钟签到尝试次数"
    )
