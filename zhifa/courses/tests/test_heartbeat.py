"""Honest tracking through the player's API: real watching completes a lesson once; forged heartbeats credit nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from zhifa.courses.models import Checkpoint, Heartbeat, LessonProgress, WatchSession
from zhifa.records.models import HoursEntry, Statement

API = "/api/v1/courses"


def start(client, lesson) -> int:
    response = client.post(f"{API}/lessons/{lesson.pk}/sessions", content_type="application/json")
    assert response.status_code == 200
    return response.json()["session"]


def beat(client, session, seq, spans, rate=1.0):
    return client.post(
        f"{API}/sessions/{session}/heartbeats",
        {"seq": seq, "intervals": spans, "position": spans[-1][1] if spans else 0, "rate": rate},
        content_type="application/json",
    )


def watch(client, session, time_machine, *, until: float, step: float = 12, first_seq: int = 1, start_at: float = 0):
    """Play from start_at to `until` in real time, one heartbeat per `step` seconds."""
    position, seq = start_at, first_seq
    while position < until:
        end = min(until, position + step)
        time_machine.shift(timedelta(seconds=end - position))
        response = beat(client, session, seq, [[position, end]])
        assert response.status_code == 200, response.json()
        position, seq = end, seq + 1
    return seq


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer.user)
    return client


def test_watching_95_percent_in_real_time_completes_the_lesson_and_credits_hours_once(
    officer_client, officer, video_lesson, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    session = start(officer_client, video_lesson)
    seq = watch(officer_client, session, time_machine, until=90)
    progress = LessonProgress.objects.get(officer=officer, lesson=video_lesson)
    assert progress.unique_seconds == 90 and progress.completed_at is None
    assert not HoursEntry.objects.filter(officer=officer).exists()

    watch(officer_client, session, time_machine, until=96, start_at=90, first_seq=seq)
    progress.refresh_from_db()
    assert progress.completed_at is not None
    entry = HoursEntry.objects.get(officer=officer)
    assert entry.category == "ethics" and str(entry.hours) == "0.50"
    assert "去重观看 96 秒" in entry.evidence
    statement = Statement.objects.get(officer=officer, object_type="lesson")
    assert statement.verb == "completed"

    # Watching again (free seeking once complete) credits nothing more.
    time_machine.shift(timedelta(seconds=12))
    assert beat(officer_client, session, seq + 5, [[0, 12]]).status_code == 200
    assert HoursEntry.objects.filter(officer=officer).count() == 1


def test_rewatching_the_same_minute_does_not_complete_the_lesson(officer_client, officer, video_lesson, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    session = start(officer_client, video_lesson)
    seq = 1
    for _ in range(20):
        seq = watch(officer_client, session, time_machine, until=12, first_seq=seq)
    progress = LessonProgress.objects.get(officer=officer, lesson=video_lesson)
    assert progress.unique_seconds == 12
    assert progress.completed_at is None


@pytest.mark.parametrize(
    "spans, rate, code",
    [
        ([[0, 80]], 1.0, "too_fast"),  # 80 s of video claimed 12 s after the start
        ([[50, 62]], 1.0, "future"),  # a part not reached yet (seeking ahead)
        ([[0, 12]], 4.0, "rate"),  # above the 2x cap
        ([[0, 300]], 1.0, "future"),  # beyond the end of a 100 s video
    ],
)
def test_forged_heartbeats_are_refused_logged_and_credit_nothing(
    officer_client, officer, video_lesson, time_machine, caplog, spans, rate, code
):
    time_machine.move_to(timezone.now(), tick=False)
    session = start(officer_client, video_lesson)
    time_machine.shift(timedelta(seconds=12))
    response = beat(officer_client, session, 1, spans, rate=rate)
    assert response.status_code == 409
    assert response.json()["code"] == code
    assert "不计入学时" in response.json()["message"]
    assert LessonProgress.objects.get(officer=officer, lesson=video_lesson).unique_seconds == 0
    stored = Heartbeat.objects.get(session_id=session)
    assert stored.accepted is False and stored.reason == code  # kept as evidence
    assert "heartbeat refused" in caplog.text


def test_a_second_window_supersedes_the_first(officer_client, officer, course, video_lesson, time_machine):
    from zhifa.courses.tests.conftest import add_lesson

    other = add_lesson(course, title="廉洁自律")
    time_machine.move_to(timezone.now(), tick=False)
    first = start(officer_client, video_lesson)
    second = start(officer_client, other)
    time_machine.shift(timedelta(seconds=12))
    refused = beat(officer_client, first, 1, [[0, 12]])
    assert refused.status_code == 409 and refused.json()["code"] == "superseded"
    assert beat(officer_client, second, 1, [[0, 12]]).status_code == 200
    assert WatchSession.objects.get(pk=first).status == WatchSession.Status.SUPERSEDED


def test_a_replayed_heartbeat_is_refused(officer_client, video_lesson, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    session = start(officer_client, video_lesson)
    time_machine.shift(timedelta(seconds=12))
    assert beat(officer_client, session, 1, [[0, 12]]).status_code == 200
    time_machine.shift(timedelta(seconds=12))
    replay = beat(officer_client, session, 1, [[12, 24]])
    assert replay.status_code == 409 and replay.json()["code"] == "replayed"


def test_another_officers_session_is_not_found(client, officer, outsider, video_lesson, time_machine):
    client.force_login(officer.user)
    session = start(client, video_lesson)
    client.force_login(outsider.user)
    assert beat(client, session, 1, [[0, 5]]).status_code == 404


def test_checkpoints_must_be_answered_before_completion(officer_client, officer, video_lesson, time_machine):
    checkpoint = Checkpoint.objects.create(
        lesson=video_lesson,
        at_seconds=30,
        prompt="执法首先要？",
        options=[{"label": "A", "text": "依法"}, {"label": "B", "text": "从快"}],
        answer="A",
    )
    url = f"{API}/checkpoints/{checkpoint.pk}/answer"
    time_machine.move_to(timezone.now(), tick=False)
    session = start(officer_client, video_lesson)
    too_early = officer_client.post(url, {"response": "A"}, content_type="application/json")
    assert too_early.status_code == 409 and "尚未播放到" in too_early.json()["message"]

    watch(officer_client, session, time_machine, until=100)
    progress = LessonProgress.objects.get(officer=officer, lesson=video_lesson)
    assert progress.unique_seconds == 100 and progress.completed_at is None  # the question is still open

    wrong = officer_client.post(url, {"response": "B"}, content_type="application/json").json()
    assert wrong["correct"] is False and wrong["completed"] is False
    right = officer_client.post(url, {"response": "A"}, content_type="application/json").json()
    assert right["correct"] is True and right["completed"] is True
    assert HoursEntry.objects.filter(officer=officer).count() == 1


def test_an_officer_outside_the_audience_cannot_start_a_session(client, outsider, video_lesson):
    client.force_login(outsider.user)
    response = client.post(f"{API}/lessons/{video_lesson.pk}/sessions", content_type="application/json")
    assert response.status_code == 404
