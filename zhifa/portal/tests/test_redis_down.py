"""With Redis configured but unreachable the platform degrades (zhifa/common/cache.py), it never answers 500:
sessions come from the database, the log-in limits and the spray guard keep counting (per process), readiness
reports the cache without failing. The cluster's fault test (tests/reliability/test_faults.py) does it for real."""

from __future__ import annotations

import pytest
from django.test import Client

from zhifa.common import cache as shared_cache
from zhifa.common.tests.cluster import free_port
from zhifa.people.testing import PASSWORD, make_user

LOGIN = "/accounts/login/"


@pytest.fixture
def redis_down(settings):
    port = free_port()  # nothing listens there: every Redis call is refused at once
    settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.SESSION_ENGINE = "zhifa.common.sessions"
    shared_cache._local.clear()
    yield
    shared_cache._local.clear()


def test_a_login_a_page_and_a_logout_work_without_redis(db, redis_down):
    make_user("wangwu")
    client = Client(REMOTE_ADDR="192.0.2.10")
    assert client.post(LOGIN, {"username": "wangwu", "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200  # the session was read from the database
    client.post("/accounts/logout/")
    assert client.get("/", follow=False).status_code == 302  # logged out: the database session is gone


def test_the_login_rate_limit_still_holds_without_redis(db, redis_down, settings):
    settings.RATE_LIMITS = ["POST /accounts/login/ 3/60"]
    client = Client(HTTP_X_REAL_IP="10.0.0.9")
    statuses = [client.post(LOGIN, {"username": "x", "password": "y"}).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]  # fail-closed (counted in this process), not a bypass


def test_the_password_spray_guard_still_holds_without_redis(db, redis_down, settings):
    settings.LOGIN_SPRAY_LIMIT = 3
    make_user("zhaoliu", password="Spring#2026")
    sprayer = Client(REMOTE_ADDR="198.51.100.4")
    for n in range(3):
        sprayer.post(LOGIN, {"username": f"nobody{n}", "password": "Spring#2026"})
    assert sprayer.post(LOGIN, {"username": "zhaoliu", "password": "Spring#2026"}).status_code == 200  # refused


def test_readiness_reports_the_cache_down_but_stays_ready(db, redis_down):
    ready = Client().get("/readyz")
    checks = ready.json()["checks"]
    assert checks["cache"] == {"ok": False, "error": "ConnectionError", "required": False}
    others_ok = all(check["ok"] for name, check in checks.items() if name != "cache")
    assert ready.status_code == (200 if others_ok else 503), ready.content  # the cache alone never makes it 503


def test_a_plain_cache_read_is_a_miss_and_a_counter_counts_locally(redis_down):
    assert shared_cache.get("k", "default", use="test") == "default"
    shared_cache.set("k", 1, 60, use="test")  # skipped, no error
    assert [shared_cache.window_count("c", seconds=60, use="test") for _ in range(3)] == [1, 2, 3]
    assert shared_cache.add("once", 1, 60, use="test") and not shared_cache.add("once", 1, 60, use="test")
