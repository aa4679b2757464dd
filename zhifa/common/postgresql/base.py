"""Django's PostgreSQL backend with a health check that costs no round trip (ENGINE in config/settings.py).

With CONN_HEALTH_CHECKS Django asks `is_usable()` once per request before reusing a persistent connection, and the
stock check is a `SELECT 1`: one round trip on every request, 0.17 ms of the app's CPU and a wake-up of the
server's backend — 7 % of an exam autosave. A connection whose server went away (a restart, a failover, a
terminated backend) has the server's last message and the end of the stream waiting in its socket; two non-blocking
reads (libpq's PQconsumeInput, through psycopg) find them, and an idle healthy connection has nothing to read. What
it cannot see — a peer that vanished without closing, such as a cable pulled — a `SELECT 1` would only find after
its own timeout; the request then fails and Django closes the connection, as it always did.
"""

from __future__ import annotations

import psycopg
from django.db.backends.postgresql import base
from psycopg.pq import ConnStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        pgconn = self.connection.pgconn
        try:
            pgconn.consume_input()  # the server's goodbye (FATAL 57P01 …), if it sent one
            pgconn.consume_input()  # and the end of the stream after it: raises
        except psycopg.OperationalError:
            return False
        return pgconn.status == ConnStatus.OK
