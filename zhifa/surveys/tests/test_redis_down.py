"""With Redis configured but unreachable, survey intake counts in the database (zhifa/surveys/trust.py): the same
rules hold, nothing answers 500."""

from __future__ import annotations

import pytest

from zhifa.common.tests.cluster import free_port
from zhifa.surveys.models import Response
from zhifa.surveys.tests.conftest import form_data


@pytest.fixture
def redis_down(settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def test_without_redis_a_device_counts_once_and_a_client_is_still_limited(
    redis_down, citizen, officer, poster_url, settings
):
    settings.SURVEYS_CLIENT_LIMIT_PER_HOUR = 3
    data = form_data(citizen, poster_url)
    assert citizen.post(poster_url, data, REMOTE_ADDR="198.51.100.1").status_code == 302
    assert citizen.post(poster_url, data, REMOTE_ADDR="198.51.100.1").status_code == 409  # the same device
    statuses = [
        citizen.post(poster_url, data, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT=f"ua{n}").status_code
        for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    assert Response.objects.filter(status=Response.Status.COUNTED).count() == 4
