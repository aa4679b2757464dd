"""The session engine without Redis (settings.SESSION_ENGINE on one box): Django's database sessions, the row read
by row_get (zhifa/common/sessions.py says why)."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DBStore

from zhifa.common.sessions import database_load


class SessionStore(DBStore):
    def load(self):
        return database_load(self)
