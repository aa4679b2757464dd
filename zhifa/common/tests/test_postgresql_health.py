"""The health check without a round trip (zhifa/common/postgresql): a connection whose server went away is found
before a request uses it, and a healthy one costs no query."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL 的连接检查"),
]


def test_a_healthy_connection_is_usable_without_a_query(django_assert_num_queries):
    connection.ensure_connection()
    with django_assert_num_queries(0):
        assert connection.is_usable()


def test_a_terminated_backend_is_found_and_the_next_request_reconnects(client):
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    dsn = f"host={settings['HOST'] or 'localhost'} port={settings['PORT'] or 5432} dbname={settings['NAME']}"
    with psycopg.connect(dsn, user=settings["USER"] or None, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)
    assert not connection.is_usable()
    connection.health_check_enabled, connection.health_check_done = True, False  # as at a request's start
    assert client.get("/healthz").status_code == 200  # closed and reopened before the request's first query
    assert connection.connection.info.backend_pid != pid
