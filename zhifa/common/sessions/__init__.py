"""Session engines: Django's database and cached-database engines, with the session look-up through `rowget`.

`db` is the default; `cached_db` is chosen when Redis is configured (config/settings.py). Behaviour is Django's;
only the per-request SELECT skips the ORM's query compilation (see zhifa/common/rowget.py for why).
"""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db, db
from django.utils import timezone

from zhifa.common.rowget import row_get


class FastLookupMixin:
    def _get_session_from_db(self):
        session = row_get(self.model, session_key=self.session_key, expire_date__gt=timezone.now())
        if session is None:
            self._session_key = None
        return session


class DatabaseSessionStore(FastLookupMixin, db.SessionStore):
    pass


class CachedDatabaseSessionStore(FastLookupMixin, cached_db.SessionStore):
    pass
