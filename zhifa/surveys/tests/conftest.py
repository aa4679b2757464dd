from __future__ import annotations

import pytest
from django.urls import reverse

from zhifa.surveys.tokens import token_make

GOOD = {"civility": "5", "integrity": "4", "efficiency": "5", "attitude": "4"}


@pytest.fixture(autouse=True)
def _quick_forms(settings):
    """No minimum fill time unless a test sets it (the bot test does); the database counts rate limits."""
    settings.SURVEYS_MIN_FILL_SECONDS = 0
    settings.REDIS_URL = ""
    from zhifa.surveys import queries

    queries._SUBJECTS.clear()  # the per-process subject cache would outlive each test's rolled-back rows


@pytest.fixture
def poster_url(officer) -> str:
    return reverse("surveys:respond", kwargs={"token": token_make("o", officer.pk)})


def form_data(client, url: str, **overrides) -> dict:
    """What a browser sends: the page's hidden fields plus the answers."""
    import re

    html = client.get(url).content.decode()
    match = re.search(r'name="started" value="([^"]+)"', html)
    assert match is not None, "the page carries its fill-time stamp"
    started = match[1]
    return {"started": started, "website": "", **GOOD, **overrides}
