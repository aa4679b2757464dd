"""Lanes serve the hot JSON endpoints ahead of the middleware stack, and answer exactly as those endpoints do.

Each story runs twice: with the lane (as deployed) and with LaneMiddleware taken out of MIDDLEWARE, and the two
runs must give the same statuses and bodies, including every refusal (zhifa/common/lanes.py).
"""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import resolve, reverse
from django.utils import timezone

from zhifa.common import lanes
from zhifa.common.middleware import IdleTimeoutMiddleware
from zhifa.common.testing import make_officer
from zhifa.courses import tracking
from zhifa.courses.tests.conftest import add_lesson, make_course
from zhifa.exams import queries as exam_queries
from zhifa.exams import services as exam_services
from zhifa.exams.tests import factories

WITHOUT_LANES = [m for m in settings.MIDDLEWARE if m != "zhifa.common.lanes.LaneMiddleware"]


def test_every_lane_shadows_the_endpoint_it_names(client, db):
    client.get("/healthz")  # loads the middleware, which imports the URLconf and so every lane
    assert {entry.url_name for entry in lanes.LANES} >= {"courses-heartbeat", "exams-attempt-save"}
    for entry in lanes.LANES:
        path = reverse(f"api:{entry.url_name}", kwargs={name: 7 for name in entry.pattern.groupindex})
        assert entry.pattern.match(path), (entry.url_name, path)
        assert resolve(path).url_name == entry.url_name


class StackCounter:
    """Counts the requests that went down the full stack (IdleTimeoutMiddleware sees each of them)."""

    def __init__(self):
        self.calls = 0
        original = IdleTimeoutMiddleware.__call__
        counter = self

        def counting(middleware, request):
            counter.calls += 1
            return original(middleware, request)

        self.patch = mock.patch.object(IdleTimeoutMiddleware, "__call__", counting)


def _client(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _heartbeat_story(org, instructor, time_machine) -> list[tuple[int, dict]]:
    officer = make_officer(org.market, username=f"lane{time.monotonic_ns()}")
    other = make_officer(org.market, username=f"lane{time.monotonic_ns()}")
    lesson = add_lesson(make_course(owner=org.market, instructors=[instructor], audience_domains=[org.market_domain]))
    session, _ = tracking.session_start(officer=officer, lesson=lesson)
    url = f"/api/v1/courses/sessions/{session.pk}/heartbeats"
    mine, theirs = _client(officer.user), _client(other.user)

    def beat(client, body, **extra):
        response = client.post(url, body, content_type="application/json", **extra)
        return response.status_code, response.json()

    out = [beat(mine, {"seq": 1, "intervals": [[0, 1]], "position": 1})]  # last_seen due: the stack
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
def test_heartbeats_answer_the_same_with_and_without_the_lane(org, instructor, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    counter = StackCounter()
    with counter.patch:
        with_lane = _heartbeat_story(org, instructor, time_machine)
    # Down the stack: each client's first request (last_seen due), the 422, the 404 and the CSRF refusal (the lane
    # steps aside for them) and the idle logout; the lane served the two ordinary beats.
    assert counter.calls == 6
    with override_settings(MIDDLEWARE=WITHOUT_LANES):
        without = _heartbeat_story(org, instructor, time_machine)
    assert with_lane == without
    assert [status for status, _ in with_lane] == [200, 200, 409, 422, 404, 404, 403, 401]


def _save_story(org, admin) -> list[tuple[int, dict]]:
    exam = factories.exam(org, by=admin)
    officer = make_officer(org.market, username=f"lane{time.monotonic_ns()}")
    other = make_officer(org.market, username=f"lane{time.monotonic_ns()}")
    paper = exam_queries.attempt_paper_for(exam=exam, officer=officer)
    attempt = exam_services.attempt_start(exam=exam, officer=officer, paper=paper, device_token="device-1")
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

    out = [save(mine, 1), save(mine, 2), save(mine, 2)]  # the stack (last_seen due), then the lane; a replay
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
def test_autosaves_answer_the_same_with_and_without_the_lane(org, unit_admin):
    factories.bank()
    counter = StackCounter()
    with counter.patch:
        with_lane = _save_story(org, unit_admin)
    # Down the stack: each client's first save (last_seen due) and the 404; the lane answered the other six,
    # refusals included (they come from the service, identical either way).
    assert counter.calls == 3
    with override_settings(MIDDLEWARE=WITHOUT_LANES):
        without = _save_story(org, unit_admin)
    assert with_lane == without
    assert [status for status, _ in with_lane] == [200, 200, 200, 409, 400, 404, 404, 0, 409, 0]
    assert with_lane[2][1]["replay"] is True and with_lane[-1][1]["status"] == "graded"


@pytest.mark.django_db
def test_lanes_stand_aside_while_a_secret_key_is_rotated(org, instructor, time_machine, settings):
    """get_user may then move the session to a new key, whose cookie only the full stack sends back."""
    settings.SECRET_KEY_FALLBACKS = ["an-older-key-" + "x" * 40]
    time_machine.move_to(timezone.now(), tick=False)
    counter = StackCounter()
    with counter.patch:
        story = _heartbeat_story(org, instructor, time_machine)
    assert counter.calls == len(story)


def _reviews_story(org) -> list[tuple[int, dict]]:
    from zhifa.questions.tests.factories import make_question

    officer = make_officer(org.market, username=f"lane{time.monotonic_ns()}", domains=[org.market_domain])
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

    out = [sync([review(inside, "a")])]  # the stack (last_seen due)
    out.append(sync([review(inside, "b", "A"), review(outside, "c")]))  # one recorded, one out of scope
    out.append(sync([review(inside, "b", "A")]))  # resent after a lost response: a duplicate
    out.append(sync([{"client_id": "", "question_id": inside.pk}]))  # malformed: 422
    out.append(sync([review(inside, "d")], client=_client(make_officer(org.market).user)))
    return out


@pytest.mark.django_db
def test_practice_reviews_answer_the_same_with_and_without_the_lane(org):
    counter = StackCounter()
    with counter.patch:
        with_lane = _reviews_story(org)
    assert counter.calls == 3  # each client's first request, and the 422
    with override_settings(MIDDLEWARE=WITHOUT_LANES):
        without = _reviews_story(org)
    assert with_lane == without
    assert [status for status, _ in with_lane] == [200, 200, 200, 422, 200]
    assert {r["client_id"]: r["ok"] for r in with_lane[1][1]["results"]} == {"b": True, "c": False}
    assert with_lane[2][1]["results"][0]["duplicate"] is True


def _huge_id_story(org) -> list[tuple[int, str]]:
    officer = make_officer(org.market, username=f"lane{time.monotonic_ns()}")
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
    for url, body in posts * 2:  # the second round is past the session's last_seen refresh: the lanes' turn
        response = client.post(url, body, content_type="application/json")
        out.append((response.status_code, json.dumps(response.json(), ensure_ascii=False)))
    return out


@pytest.mark.django_db
def test_an_id_beyond_64_bits_is_refused_in_chinese_with_and_without_the_lane(org):
    with_lane = _huge_id_story(org)
    with override_settings(MIDDLEWARE=WITHOUT_LANES):
        without = _huge_id_story(org)
    assert [status for status, _ in with_lane] == [status for status, _ in without] == [422] * 10
    assert all("超出范围" in body for _, body in with_lane + without), with_lane
