"""The app's knobs, read from settings with defaults (the lead maps them to ZHIFA_COURSES_* variables)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings


def heartbeat_seconds() -> float:
    """How often the player reports watched intervals (10–15 s in production; tests lower it)."""
    return float(getattr(settings, "COURSES_HEARTBEAT_SECONDS", 12))


def completion_share() -> Decimal:
    """Share of unique seconds a video lesson needs, unless the lesson sets its own."""
    return Decimal(str(getattr(settings, "COURSES_COMPLETION_SHARE", "0.95")))


def rate_cap() -> float:
    return float(getattr(settings, "COURSES_RATE_CAP", 2.0))


def video_max_bytes() -> int:
    return int(getattr(settings, "COURSES_VIDEO_MAX_BYTES", 4 * 1024**3))


def chunk_max_bytes() -> int:
    # Below DATA_UPLOAD_MAX_MEMORY_SIZE (10 MB): a chunk is read as the request body.
    return int(getattr(settings, "COURSES_UPLOAD_CHUNK_BYTES", 4 * 1024 * 1024))


def x_accel_prefix() -> str:
    """When set (e.g. "/protected-media/"), media files are handed to nginx with X-Accel-Redirect."""
    return str(getattr(settings, "COURSES_X_ACCEL_PREFIX", ""))


def heartbeat_retention_days() -> int:
    """Days raw heartbeats are kept before `purge_heartbeats` compacts them into their session and deletes them."""
    return int(getattr(settings, "HEARTBEAT_RETENTION_DAYS", 180))
