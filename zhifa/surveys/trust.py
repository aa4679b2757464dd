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
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zhifa.surveys.models import DeviceKey, RateBucket

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
    """The raw Redis client behind Django's cache when REDIS_URL is set (one round trip per counter), else None."""
    if not getattr(settings, "REDIS_URL", ""):
        return None
    backend = getattr(cache, "_cache", None)
    return backend.get_client(write=True) if backend is not None and hasattr(backend, "get_client") else None


def _key(name: str, window_seconds: int) -> str:
    slot = int(timezone.now().timestamp()) // window_seconds
    return cache.make_key(f"surveys:{name}:{slot}")


def hit(name: str, *, window_seconds: int) -> int:
    """Count one event under `name` in the current fixed window; returns the count including this one."""
    key = _key(name, window_seconds)
    client = _redis()
    if client is not None:
        pipe = client.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, window_seconds + 5, nx=True)
        return int(pipe.execute()[0])
    return _hit_database(key, expires_at=timezone.now() + timedelta(seconds=window_seconds + 5))


def first_today(device_key: str) -> bool | None:
    """With Redis: True the first time this device key is seen (kept two days), False after. Without: None (the
    caller asks the database). The unique constraint on Response.device_key stays the final word either way."""
    client = _redis()
    if client is None:
        return None
    return bool(client.set(cache.make_key(f"surveys:seen:{device_key}"), 1, nx=True, ex=2 * 86400))


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
