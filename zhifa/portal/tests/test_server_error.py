"""The error pages: Chinese; 503 with Retry-After while the database cannot be reached."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

from zhifa.courses import tracking
from zhifa.courses.tests.conftest import add_lesson, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def watching(org, officer, instructor):
    lesson = add_lesson(make_course(owner=org.market, instructors=[instructor], audience_domains=[org.market_domain]))
    session, _ = tracking.session_start(officer=officer, lesson=lesson)
    client = Client(raise_request_exception=False)
    client.force_login(officer.user)
    return client, f"/api/v1/courses/sessions/{session.pk}/heartbeats"


def beat(client, url, seq):
    return client.post(url, {"seq": seq, "intervals": [[0, 1]], "position": 1}, content_type="application/json")


@pytest.mark.parametrize("session_seen", [False, True])
def test_a_lost_database_connection_is_a_503_the_client_retries(watching, session_seen):
    client, url = watching
    if session_seen:
        assert beat(client, url, 1).status_code == 200  # refreshes last_seen: the next beat writes no session
    with mock.patch.object(tracking, "heartbeat_record", side_effect=OperationalError("server closed the connection")):
        response = beat(client, url, 2)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["code"] == "unavailable" and "未保存的答案保留在本机" in response.json()["message"]


def test_any_other_error_is_a_500_in_chinese(watching):
    client, url = watching
    with mock.patch.object(tracking, "heartbeat_record", side_effect=RuntimeError("a bug")):
        response = beat(client, url, 1)
    assert response.status_code == 500 and "Retry-After" not in response
    assert response.json() == {
        "code": "server_error",
        "message": "服务器内部错误，请稍后重试；如果问题持续，请联系系统管理员。",
    }


def test_a_page_gets_the_chinese_page(client, officer):
    client = Client(raise_request_exception=False)
    client.force_login(officer.user)
    with mock.patch("zhifa.portal.views.render", side_effect=OperationalError("no connection")):
        response = client.get("/")
    assert response.status_code == 503 and "服务暂时不可用" in response.content.decode()


def test_a_missing_page_is_a_404_in_chinese(client, officer):
    client.force_login(officer.user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode() and "Not Found" not in response.content.decode()
