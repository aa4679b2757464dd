"""The hot JSON endpoints (video heartbeats, exam autosave, practice review sync) go through the whole middleware
stack like every other request, and answer every story as their schemas and services say, refusals included.

They were once served by "lanes" ahead of the stack; there is one path now (docs/performance.md, "One fast path",
has what that costs, issue 21). The first test keeps it so: a request to a hot endpoint must run every middleware
of MIDDLEWARE, in order, and a short cut added for one of them (or a middleware that steps aside for them) fails it.
"""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string

from zhifa.courses import tracking
from zhifa.courses.tests.conftest import add_lesson, make_course
from zhifa.exams import queries as exam_queries
from zhifa.exams import services as exam_services
from zhifa.exams.tests import factories
from zhifa.people.testing import make_officer


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
def test_every_middleware_runs_on_every_hot_endpoint(org, instructor, unit_admin, time_machine, calls):
    time_machine.move_to(timezone.now(), tick=False)
    officer = make_officer(org.market, username="parity", domains=[org.market_domain])
    lesson = add_lesson(make_course(owner=org.market, instructors=[instructor], audience_domains=[org.market_domain]))
    session, _ = tracking.session_start(officer=officer, lesson=lesson)
    factories.bank()
    exam = factories.exam(org, by=unit_admin)
    paper = exam_queries.attempt_paper_for(exam=exam, officer=officer)
    attempt = exam_services.attempt_start(exam=exam, officer_id=officer.pk, paper_id=paper.pk, device_token="device-1")
    client = _client(officer.user)
    question = attempt.paper.question_ids[0]
    for seq, span in ((1, [0, 1]), (2, [1, 13])):  # the first request refreshes the session's last_seen, the second not
        requests = [
            (
                f"/api/v1/courses/sessions/{session.pk}/heartbeats",
                {"seq": seq, "intervals": [span], "position": span[1]},
            ),
            (
                f"/api/v1/exams/attempts/{attempt.pk}/answers",
                {"seq": seq, "answers": [{"question": question, "response": ["A"]}]},
            ),
            ("/api/v1/practice/reviews", {"reviews": []}),
        ]
        for url, body in requests:
            calls.clear()
            response = client.post(url, body, content_type="application/json", headers={"X-Device-Token": "device-1"})
            assert response.status_code == 200, (url, response.content)
            assert calls == settings.MIDDLEWARE, f"热点接口 {url} 没有经过完整的中间件栈：{calls}"
        time_machine.shift(timedelta(seconds=12))


def _client(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _heartbeat_story(org, instructor, time_machine) -> list[tuple[int, dict]]:
    officer = make_officer(org.market, username=f"hot{time.monotonic_ns()}")
    other = make_officer(org.market, username=f"hot{time.monotonic_ns()}")
    lesson = add_lesson(make_course(owner=org.market, instructors=[instructor], audience_domains=[org.market_domain]))
    session, _ = tracking.session_start(officer=officer, lesson=lesson)
    url = f"/api/v1/courses/sessions/{session.pk}/heartbeats"
    mine, theirs = _client(officer.user), _client(other.user)

    def beat(client, body, **extra):
        response = client.post(url, body, content_type="application/json", **extra)
        return response.status_code, response.json()

    out = [beat(mine, {"seq": 1, "intervals": [[0, 1]], "position": 1})]  # last_seen due: the session is written
    time_machine.shift(timedelta(seconds=12))
    out.append(beat(mine, {"seq": 2, "intervals": [[1, 13]], "position": 13}))  # accepted
    out.append(beat(mine, {"seq": 3, "intervals": [[13, 60]], "position": 60}))  # faster than the wall clock: 409
    out.append(beat(mine, {"seq": "x", "intervals": [[13, 14]]}))  # not a number: 422
    out.append(beat(theirs, {"seq": 1, "intervals": [[0, 1]], "position": 1}))  # not his session: 404
    out.append(beat(theirs, {"seq": 2, "intervals": [[0, 1]], "position": 1}))  # the same, on a fresh session
    strict = _client(officer.user, csrf=True)
    refused = strict.post(url, {"seq": 4, "intervals": [[13, 14]]}, content_type="application/json")
    out.append((refused.status_code, {}))  # no CSRF token: 403
    session_store = mine.session
    session_store["last_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT_SECONDS - 5
    session_store.save()
    out.append(beat(mine, {"seq": 4, "intervals": [[13, 14]], "position": 14}))  # idle too long: logged out, 401
    return out


@pytest.mark.django_db
def test_a_heartbeats_story_refusals_included(org, instructor, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    story = _heartbeat_story(org, instructor, time_machine)
    assert [status for status, _ in story] == [200, 200, 409, 422, 404, 404, 403, 401]


def _save_story(org, admin) -> list[tuple[int, dict]]:
    exam = factories.exam(org, by=admin)
    officer = make_officer(org.market, username=f"hot{time.monotonic_ns()}")
    other = make_officer(org.market, username=f"hot{time.monotonic_ns()}")
    paper = exam_queries.attempt_paper_for(exam=exam, officer=officer)
    attempt = exam_services.attempt_start(exam=exam, officer_id=officer.pk, paper_id=paper.pk, device_token="device-1")
    question = attempt.paper.question_ids[0]
    url = f"/api/v1/exams/attempts/{attempt.pk}/answers"
    mine, theirs = _client(officer.user), _client(other.user)

    def save(client, seq, token="device-1", question=question):
        response = client.post(
            url,
            {"seq": seq, "answers": [{"question": question, "response": ["A"]}]},
            content_type="application/json",
            headers={"X-Device-Token": token},
        )
        return response.status_code, response.json()

    out = [save(mine, 1), save(mine, 2), save(mine, 2)]  # the first writes last_seen; a replay
    out.append(save(mine, 3, token="device-2"))  # another device took over: 409
    out.append(save(mine, 3, question=999_999))  # not on the paper: 400
    out.append(save(theirs, 3))  # not his attempt: 404
    out.append(save(theirs, 4))
    Answer = attempt.answers.model
    out.append((0, {"stored": sorted(Answer.objects.filter(attempt=attempt).values_list("seq", flat=True))}))
    type(attempt).objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    out.append(save(mine, 5))  # after the deadline: 409, and the attempt is submitted lazily
    attempt.refresh_from_db()
    out.append((0, {"status": attempt.status}))
    return out


@pytest.mark.django_db
def test_an_autosave_story_refusals_included(org, unit_admin):
    factories.bank()
    story = _save_story(org, unit_admin)
    assert [status for status, _ in story] == [200, 200, 200, 409, 400, 404, 404, 0, 409, 0]
    assert story[2][1]["replay"] is True and story[-1][1]["status"] == "graded"
    assert story[3][1]["code"] == "taken_over" and story[8][1]["code"] == "attempt_closed"


def _reviews_story(org) -> list[tuple[int, dict]]:
    from zhifa.questions.tests.factories import make_question

    officer = make_officer(org.market, username=f"hot{time.monotonic_ns()}", domains=[org.market_domain])
    inside = make_question("single", domains=["market"])
    outside = make_question("single", domains=["transport"])  # not the officer's domain
    phone = _client(officer.user)
    url = "/api/v1/practice/reviews"

    def sync(reviews, client=phone):
        response = client.post(url, {"reviews": reviews}, content_type="application/json")
        body = response.json()
        for result in body.get("results", []):  # question ids differ between the two runs
            result["client_id"] = result["client_id"].split("-")[0]
            result["error"] = result["error"] and re.sub(r"\d+", "<id>", result["error"])
        return response.status_code, body

    def review(question, client_id, answer="B"):
        tag = f"{client_id}-{question.pk}"
        return {"client_id": tag, "question_id": question.pk, "response": [answer], "response_ms": 8000}

    out = [sync([review(inside, "a")])]  # writes last_seen
    out.append(sync([review(inside, "b", "A"), review(outside, "c")]))  # one recorded, one out of scope
    out.append(sync([review(inside, "b", "A")]))  # resent after a lost response: a duplicate
    out.append(sync([{"client_id": "", "question_id": inside.pk}]))  # malformed: 422
    out.append(sync([review(inside, "d")], client=_client(make_officer(org.market).user)))
    return out


@pytest.mark.django_db
def test_a_practice_review_sync_story_refusals_included(org):
    story = _reviews_story(org)
    assert [status for status, _ in story] == [200, 200, 200, 422, 200]
    assert {r["client_id"]: r["ok"] for r in story[1][1]["results"]} == {"b": True, "c": False}
    assert story[2][1]["results"][0]["duplicate"] is True


def _huge_id_story(org) -> list[tuple[int, str]]:
    officer = make_officer(org.market, username=f"hot{time.monotonic_ns()}")
    client = _client(officer.user)
    huge = 2**64  # beyond the database's 64-bit integer: it answered 500 (reliability suite, schemathesis)
    posts = [
        (f"/api/v1/exams/attempts/{huge}/answers", {"seq": 1, "answers": [{"question": 1, "response": ["A"]}]}),
        ("/api/v1/exams/attempts/1/answers", {"seq": 1, "answers": [{"question": huge, "response": ["A"]}]}),
        (f"/api/v1/courses/sessions/{huge}/heartbeats", {"seq": 1, "intervals": [[0, 1]]}),
        ("/api/v1/courses/sessions/1/heartbeats", {"seq": huge, "intervals": [[0, 1]]}),
        ("/api/v1/practice/reviews", {"reviews": [{"client_id": "a", "question_id": huge}]}),
    ]
    out = []
    for url, body in posts * 2:  # the second round: last_seen refreshed already
        response = client.post(url, body, content_type="application/json")
        out.append((response.status_code, json.dumps(response.json(), ensure_ascii=False)))
    return out


@pytest.mark.django_db
def test_an_id_beyond_64_bits_is_refused_in_chinese(org):
    story = _huge_id_story(org)
    assert [status for status, _ in story] == [422] * 10
    assert all("超出范围" in body for _, body in story), story
