"""Trust mechanics: the keyed device hash of the day and fixed-window rate counters (Redis, else the database).

No raw IP address or user agent leaves this module: callers pass them in and get an HMAC back. The HMAC key of a
day is random (DeviceKey), kept until the day after and then deleted, so a stored device key can no longer be tested
against candidate addresses once its day is over.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zhifa.common import cache as shared_cache
from zhifa.surveys.models import DeviceKey, RateBucket, Response

_day_secrets: dict[date, bytes] = {}


def day_secret(day: date) -> bytes:
    """The random key of `day` (made on first use; keys older than the day before are deleted then)."""
    secret = _day_secrets.get(day)
    if secret is not None:
        return secret
    row = DeviceKey.objects.filter(day=day).first()
    if row is None:
        try:
            with transaction.atomic():
                row = DeviceKey.objects.create(day=day, secret=secrets.token_hex(32))
            DeviceKey.objects.filter(day__lt=day - timedelta(days=1)).delete()
        except IntegrityError:  # another process made it first
            row = DeviceKey.objects.get(day=day)
    if len(_day_secrets) > 4:
        _day_secrets.clear()
    _day_secrets[day] = bytes.fromhex(row.secret)
    return _day_secrets[day]


def keyed(*parts: str, day: date | None = None) -> str:
    """HMAC-SHA256 of the parts under the day's key (hex)."""
    day = day or timezone.localdate()
    return hmac.new(day_secret(day), "\n".join(parts).encode(), hashlib.sha256).hexdigest()


def device_key(*, ip: str, user_agent: str, target: str) -> str:
    """One device, one target, one day: the duplicate-suppression key stored on a response."""
    return keyed("device", ip, user_agent, target)


def client_key(*, ip: str) -> str:
    """The rate-limit key of a client (by address only, so changing the user agent does not evade it)."""
    return keyed("client", ip)[:32]


def _redis():
    """The raw Redis client behind Django's cache when REDIS_URL is set, else None."""
    if not getattr(settings, "REDIS_URL", ""):
        return None
    backend = getattr(cache, "_cache", None)
    return backend.get_client(write=True) if backend is not None and hasattr(backend, "get_client") else None


def _key(name: str, window_seconds: int) -> str:
    slot = int(timezone.now().timestamp()) // window_seconds
    return cache.make_key(f"surveys:{name}:{slot}")


def _hit(name: str, *, window_seconds: int) -> int:
    """Count one event under `name` in the current fixed window of the database; the count including this one."""
    key = _key(name, window_seconds)
    return _hit_database(key, expires_at=timezone.now() + timedelta(seconds=window_seconds + 5))


@dataclass(frozen=True)
class IntakeCounts:
    """One response's counters: the client's count this hour; whether its device is new for the target today (None
    when the device was not asked: over the client limit, or an act link); the target's count in its burst window
    (None when not counted: refused before)."""

    client: int
    first: bool | None
    target: int | None


# The client counter, then (unless refused) the device's first-today mark, then (unless a duplicate) the target's
# counter: the same order and semantics as three calls, in one round trip. A refused response never counts against
# its target (else one address could push an officer's later responses into "held").
_INTAKE_SCRIPT = """
local client = redis.call('INCR', KEYS[1])
if client == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if client > tonumber(ARGV[2]) then return {client, -1, -1} end
local first = -1
if ARGV[3] ~= '' then
  if redis.call('SET', KEYS[2], 1, 'NX', 'EX', ARGV[3]) then first = 1 else return {client, 0, -1} end
end
local target = redis.call('INCR', KEYS[3])
if target == 1 then redis.call('EXPIRE', KEYS[3], ARGV[4]) end
return {client, first, target}
"""
_script: Any = None  # redis-py's Script (EVALSHA, loading the script when Redis does not know it yet)


def intake_counts(
    *, client_key: str, client_limit: int, device_key: str, target_key: str, target_window_seconds: int
) -> IntakeCounts:
    """Count one response (device_key "" for an act link, which has no device check): with REDIS_URL one round
    trip to Redis (a Lua script), else the database (fixed-window rows; a device is new when no stored response
    has its key). The unique constraint on Response.device_key stays the final word either way. While Redis is
    down the database counts (exact, slower): no response is refused or let through for want of a counter."""
    client = _redis()
    if client is not None:
        try:
            return _intake_counts_redis(client, client_key, client_limit, device_key, target_key, target_window_seconds)
        except shared_cache.errors() as error:
            shared_cache.unavailable("survey-intake", error)
    count = _hit(f"client:{client_key}", window_seconds=3600)
    if count > client_limit:
        return IntakeCounts(client=count, first=None, target=None)
    first = not Response.objects.filter(device_key=device_key).exists() if device_key else None
    if first is False:
        return IntakeCounts(client=count, first=False, target=None)
    return IntakeCounts(client=count, first=first, target=_hit(target_key, window_seconds=target_window_seconds))


def _intake_counts_redis(
    client: Any, client_key: str, client_limit: int, device_key: str, target_key: str, target_window_seconds: int
) -> IntakeCounts:
    global _script
    if _script is None:
        _script = client.register_script(_INTAKE_SCRIPT)
    keys = [
        _key(f"client:{client_key}", 3600),
        cache.make_key(f"surveys:seen:{device_key}"),
        _key(target_key, target_window_seconds),
    ]
    args = [3600 + 5, client_limit, 2 * 86400 if device_key else "", target_window_seconds + 5]
    counts = [int(n) for n in _script(keys=keys, args=args, client=client)]
    return IntakeCounts(
        client=counts[0],
        first=None if counts[1] < 0 else bool(counts[1]),
        target=None if counts[2] < 0 else counts[2],
    )


def _hit_database(key: str, *, expires_at) -> int:
    with transaction.atomic():
        if RateBucket.objects.filter(key=key).update(count=F("count") + 1) == 0:
            try:
                with transaction.atomic():
                    RateBucket.objects.create(key=key, count=1, expires_at=expires_at)
                    count = 1
            except IntegrityError:
                RateBucket.objects.filter(key=key).update(count=F("count") + 1)
                count = RateBucket.objects.get(key=key).count
        else:
            count = RateBucket.objects.get(key=key).count
    if random.random() < 0.01:  # now and then, drop finished windows
        RateBucket.objects.filter(expires_at__lt=timezone.now()).delete()
    return count
