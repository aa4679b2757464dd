"""The session engines: sessions in the database, read through Redis when configured; they survive Redis.

`zhifa.common.sessions` (with REDIS_URL) reads through the cache; `zhifa.common.sessions_db` (without) reads the
database only. Both load the row with `row_get` in their public `load()`: through the ORM the look-up cost
0.5 ms of CPU on every authenticated request, a third of a video heartbeat (docs/performance.md, "One fast path").

Django's cached_db store guards only part of its cache calls (6.1: the read and the write after a save); the write
after reading from the database, `exists` (a new session key) and `delete` (log-out, the key cycled at log-in) still
raise when Redis is down, which answered 500. Here every cache call is guarded: while Redis is away the store is
the database store. The cached copy lives at most SESSION_CACHE_SECONDS, so a copy that missed a change during an
outage (a log-out, a new second-factor state) is gone within that time once Redis is back, whatever Redis kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.utils import timezone

from zhifa.common.cache import errors, unavailable
from zhifa.common.rowget import row_get

SESSION_CACHE_SECONDS = 300


def database_load(store: DBStore) -> dict:
    """The database store's load(), with the row read by row_get (same rule: a missing or expired session is {}
    and forgets its key, so a new one is made)."""
    row = (
        row_get(store.model, session_key=store.session_key, expire_date__gt=timezone.now())
        if store.session_key
        else None
    )
    if row is None:
        store._session_key = None
        return {}
    return store.decode(row.session_data)


class SessionStore(CachedDBStore):
    """cached_db whose cache is optional: a cache error reads or writes the database only."""

    _cache: Any  # set by cached_db's __init__ (not in django-stubs)

    def _cache_timeout(self, age: int) -> int:
        return max(1, min(age, SESSION_CACHE_SECONDS))

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except errors() as error:
            unavailable("sessions", error)
            data, cache_up = None, False
        else:
            cache_up = True
        if data is not None:
            return data
        data = database_load(self)  # {} for a missing or expired session
        if data and cache_up:
            self._cache_set(data, self.get_expiry_age(expiry=data.get("_session_expiry")))  # never self.get: recursion
        return data

    def exists(self, session_key):
        if session_key:
            try:
                if (self.cache_key_prefix + session_key) in self._cache:
                    return True
            except errors() as error:
                unavailable("sessions", error)
        return super(CachedDBStore, self).exists(session_key)

    def save(self, must_create=False):
        super(CachedDBStore, self).save(must_create)
        self._cache_set(self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        super(CachedDBStore, self).delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except errors() as error:  # the copy expires within SESSION_CACHE_SECONDS
            unavailable("sessions", error)

    def _cache_set(self, data, age: int) -> None:
        try:
            self._cache.set(self.cache_key, data, self._cache_timeout(age))
        except errors() as error:
            unavailable("sessions", error)
