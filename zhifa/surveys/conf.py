"""The app's knobs: SURVEYS_* settings (ZHIFA_SURVEYS_* variables in config/settings.py; docs/configuration.md)."""

from __future__ import annotations

from django.conf import settings


def client_limit() -> int:
    """Responses one keyed client (IP) may send per hour, across all targets; more are refused."""
    return int(getattr(settings, "SURVEYS_CLIENT_LIMIT_PER_HOUR", 30))


def burst_allowance() -> int:
    """Responses counted for one officer (or one unit) per burst window; more are held for review."""
    return int(getattr(settings, "SURVEYS_BURST_ALLOWANCE", 20))


def burst_window_seconds() -> int:
    return int(getattr(settings, "SURVEYS_BURST_WINDOW_SECONDS", 600))


def min_fill_seconds() -> float:
    """A form sent back sooner than this after it was served is a bot's (polite page, nothing recorded)."""
    return float(getattr(settings, "SURVEYS_MIN_FILL_SECONDS", 3))


def site_url() -> str:
    """The address printed on posters and sheets (the public host a phone reaches)."""
    return str(getattr(settings, "SITE_URL", "http://127.0.0.1:8000")).rstrip("/")
