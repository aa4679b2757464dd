"""The same trust rules with Redis as the shared store (as deployed with more than one app server)."""

from __future__ import annotations

import socket
import uuid

import pytest

from zhifa.surveys.models import Response
from zhifa.surveys.tests.conftest import form_data


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_answers(), reason="Redis 未运行：跳过 Redis 下的限流测试")


@pytest.fixture
def with_redis(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/11"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",  # runs never share counters
        }
    }


def test_with_redis_a_device_counts_once_and_a_burst_is_held(with_redis, citizen, officer, poster_url, settings):
    settings.SURVEYS_BURST_ALLOWANCE = 2
    data = form_data(citizen, poster_url)
    assert citizen.post(poster_url, data, REMOTE_ADDR="198.51.100.1").status_code == 302
    assert citizen.post(poster_url, data, REMOTE_ADDR="198.51.100.1").status_code == 409
    for n in range(2, 5):
        citizen.post(poster_url, data, REMOTE_ADDR=f"198.51.100.{n}")
    assert Response.objects.filter(status=Response.Status.COUNTED).count() == 2
    assert Response.objects.filter(status=Response.Status.HELD).count() == 2


def test_with_redis_one_client_is_refused_past_its_hourly_allowance(with_redis, citizen, officer, poster_url, settings):
    settings.SURVEYS_CLIENT_LIMIT_PER_HOUR = 3
    data = form_data(citizen, poster_url)
    statuses = [
        citizen.post(poster_url, data, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT=f"ua{n}").status_code
        for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]


def test_with_redis_responses_refused_from_one_client_do_not_use_up_the_officers_allowance(
    with_redis, citizen, officer, poster_url, settings
):
    settings.SURVEYS_CLIENT_LIMIT_PER_HOUR = 2
    settings.SURVEYS_BURST_ALLOWANCE = 3
    data = form_data(citizen, poster_url)
    for n in range(10):  # one stuffer: 2 counted, 8 refused (429) that must not count against the officer
        citizen.post(poster_url, data, REMOTE_ADDR="203.0.113.50", HTTP_USER_AGENT=f"ua{n}")
    assert citizen.post(poster_url, data, REMOTE_ADDR="198.51.100.60").status_code == 302
    assert Response.objects.filter(status=Response.Status.COUNTED).count() == 3
