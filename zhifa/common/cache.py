"""The shared cache (Redis with REDIS_URL, else local memory) may go away; the platform then degrades, never a 500.

Redis holds nothing that is not also somewhere else or cheap to lose, so each use decides what an outage means:

- plain caches (`get`, `set`): a miss and a skipped write; the database is the truth (reports' next steps).
- sessions (zhifa/common/sessions.py): read from and written to the database, as without Redis.
- counters that protect something (`window_count`, and `get`/`set`/`add` with `local=True`: the per-IP request
  limits, the log-in password-spray guard, the check-in rate, one queued release job per release time): they are
  never lifted. They count in this process's memory instead, so a limit holds per app-server process (at most the
  number of processes times the limit across the cluster) and the lockout by user name + IP (django-axes, in the
  database) is untouched. Failing open would make a Redis outage a brute-force window; failing closed would lock
  every officer out of logging in while Redis is down.
- public survey intake counts in the database (zhifa/surveys/trust.py), exactly, while Redis is away.

Every degraded operation counts in `zhifa_cache_errors_total{use=...}` and logs one warning a minute per use.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from prometheus_client import Counter

logger = logging.getLogger(__name__)

CACHE_ERRORS = Counter("zhifa_cache_errors", "Cache operations that failed and were degraded", ["use"])
_local = LocMemCache("zhifa-degraded", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
_warned: dict[str, float] = {}


def errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "the cache server is unreachable" (redis-py's, and socket errors)."""
    try:
        from redis.exceptions import RedisError
    except ImportError:  # no redis-py: only the local-memory cache, which does not fail this way
        return (OSError,)
    return (RedisError, OSError)


def unavailable(use: str, error: BaseException) -> None:
    """Count a degraded cache operation and log it (once a minute per use, not once per request)."""
    CACHE_ERRORS.labels(use=use).inc()
    now = time.monotonic()
    if now - _warned.get(use, -60.0) >= 60:
        _warned[use] = now
        logger.warning("缓存（Redis）不可用，%s 已降级运行：%s: %s", use, type(error).__name__, error)


def get(key: str, default: Any = None, *, use: str, local: bool = False) -> Any:
    """cache.get; when the cache is unreachable: this process's copy if `local`, else `default` (a miss)."""
    try:
        return cache.get(key, default)
    except errors() as error:
        unavailable(use, error)
        return _local.get(key, default) if local else default


def set(key: str, value: Any, timeout: int, *, use: str, local: bool = False) -> None:
    """cache.set; when the cache is unreachable: kept in this process if `local`, else skipped."""
    try:
        cache.set(key, value, timeout)
    except errors() as error:
        unavailable(use, error)
        if local:
            _local.set(key, value, timeout)


def add(key: str, value: Any, timeout: int, *, use: str) -> bool:
    """cache.add (True when the key was new); when the cache is unreachable, the same in this process's memory."""
    try:
        return cache.add(key, value, timeout)
    except errors() as error:
        unavailable(use, error)
        return _local.add(key, value, timeout)


def _count(store: Any, key: str, seconds: int) -> int:
    if store.add(key, 1, timeout=seconds):
        return 1
    try:
        return store.incr(key)  # atomic on Redis; incr keeps the key's expiry
    except ValueError:  # expired between add and incr: this event opens the next window
        store.add(key, 1, timeout=seconds)
        return 1


def window_count(key: str, *, seconds: int, use: str) -> int:
    """Count one event under `key` in the window opened by its first event (`seconds` long); the count including
    this one. Shared by all app servers through the cache; while it is unreachable, counted in this process."""
    try:
        return _count(cache, key, seconds)
    except errors() as error:
        unavailable(use, error)
        return _count(_local, key, seconds)
