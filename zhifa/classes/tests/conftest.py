"""Classes test set-up: a temporary MEDIA_ROOT, a clean cache (rate limits) and a class running now."""

import pytest
from django.core.cache import cache

from zhifa.classes.tests.factories import enrol, make_class, make_session


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def running(org, officer):
    """A class of 江北市市场监督管理局 with one session that started ten minutes ago; 张明 is enrolled."""
    klass = make_class(org.market)
    # A long step: on a loaded CI machine a request must not outlive the code it carries (the stale-code tests
    # set their own step and freeze time).
    session = make_session(klass, step_seconds=60)
    enrol(klass, officer)
    return session
