"""Every middleware of the full stack is accounted for on a lane request: run, done by the lane itself, or skipped
for a stated reason. A middleware added to MIDDLEWARE (a second factor, a rate limit) fails this test until it is
placed before LaneMiddleware, done by the lane, or listed below with the reason lanes may skip it (issue 21)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string

from zhifa.common.testing import make_officer
from zhifa.courses import tracking
from zhifa.courses.tests.conftest import add_lesson, make_course

# What LaneMiddleware does itself, with Django's own functions (zhifa/common/lanes.py).
DONE_BY_THE_LANE = {
    "django.contrib.sessions.middleware.SessionMiddleware": "the session from the cookie, the same engine",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "django.contrib.auth.get_user",
    "django.middleware.csrf.CsrfViewMiddleware": "CsrfViewMiddleware.process_view itself",
    "zhifa.common.middleware.IdleTimeoutMiddleware": "idle_state(); anything but 'fresh' goes down the stack",
    "zhifa.security.middleware.SecondFactorMiddleware": "a session pending its second factor goes down the stack",
}
# What a lane request may skip, and why. A lane serves only an officer's own tiny JSON write.
SKIPPED_BY_LANES = {
    "django.middleware.gzip.GZipMiddleware": "replies of a few dozen bytes",
    "django.middleware.locale.LocaleMiddleware": "the reply has no translated text",
    "django.middleware.common.CommonMiddleware": "no slash redirects on API paths",
    "django_otp.middleware.OTPMiddleware": "lanes serve officers' writes, never an endpoint needing a verified device",
    "zhifa.common.middleware.PasswordExpiryMiddleware": "API paths are exempt from the redirect",
    "django.contrib.messages.middleware.MessageMiddleware": "no messages in JSON",
    "django.middleware.clickjacking.XFrameOptionsMiddleware": "JSON is not framed",
    "django.middleware.csp.ContentSecurityPolicyMiddleware": "JSON runs no scripts",
    "axes.middleware.AxesMiddleware": "log-in only",
    "zhifa.common.dbrouter.ReplicaReadsMiddleware": "a lane writes: the primary (only with a replica)",
}


@pytest.fixture
def calls(monkeypatch):
    """The dotted paths of the middleware that ran, in order (each class's __call__ recorded)."""
    ran: list[str] = []
    for path in settings.MIDDLEWARE:
        cls = import_string(path)
        original = cls.__call__

        def recording(self, request, _original=original, _path=path):
            ran.append(_path)
            return _original(self, request)

        monkeypatch.setattr(cls, "__call__", recording)
    return ran


@pytest.mark.django_db
def test_every_middleware_is_run_done_or_skipped_with_a_reason_on_a_lane_request(org, instructor, time_machine, calls):
    time_machine.move_to(timezone.now(), tick=False)
    officer = make_officer(org.market, username="parity")
    lesson = add_lesson(make_course(owner=org.market, instructors=[instructor], audience_domains=[org.market_domain]))
    session, _ = tracking.session_start(officer=officer, lesson=lesson)
    client = Client()
    client.force_login(officer.user)
    url = f"/api/v1/courses/sessions/{session.pk}/heartbeats"
    body = {"seq": 1, "intervals": [[0, 1]], "position": 1}
    assert client.post(url, body, content_type="application/json").status_code == 200  # last_seen due: the stack
    assert "django.middleware.csrf.CsrfViewMiddleware" in calls  # the full stack ran every middleware
    time_machine.shift(timedelta(seconds=12))
    calls.clear()
    body = {"seq": 2, "intervals": [[1, 13]], "position": 13}
    assert client.post(url, body, content_type="application/json").status_code == 200
    assert calls[-1] == "zhifa.common.lanes.LaneMiddleware"  # served by the lane

    unaccounted = [
        path for path in settings.MIDDLEWARE if path not in calls and path not in DONE_BY_THE_LANE | SKIPPED_BY_LANES
    ]
    assert not unaccounted, f"这些中间件在快速通道请求中没有执行，也没有说明理由：{unaccounted}"
    stale = [path for path in DONE_BY_THE_LANE if path not in settings.MIDDLEWARE]
    assert not stale, f"已不在 MIDDLEWARE 中，请从本测试的清单删除：{stale}"
