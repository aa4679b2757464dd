"""The sitting through the JSON API: start, paper without key, save protocol, deadline, takeover, submit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from zhifa.common.models import AuditEvent
from zhifa.exams.models import Answer, Attempt, AttemptEvent, Grade

API = "/api/v1/exams"


def start(client, exam, token=""):
    return client.post(f"{API}/exams/{exam.pk}/start", headers={"X-Device-Token": token})


def save(client, attempt_id, token, seq, answers):
    return client.post(
        f"{API}/attempts/{attempt_id}/answers",
        {"seq": seq, "answers": answers},
        content_type="application/json",
        headers={"X-Device-Token": token},
    )


@pytest.fixture
def started(client, officer, exam):
    client.force_login(officer.user)
    body = start(client, exam).json()
    return body["attempt_id"], body["device_token"]


def paper_of(client, attempt_id):
    return client.get(f"{API}/attempts/{attempt_id}/paper").json()


def test_starting_twice_resumes_the_same_attempt(client, officer, exam, started):
    attempt_id, token = started
    again = start(client, exam, token).json()
    assert again["attempt_id"] == attempt_id and again["resumed"] is True and again["device_token"] == token
    assert Attempt.objects.filter(exam=exam).count() == 1


def test_the_paper_never_carries_the_answer_key_before_release(client, started):
    attempt_id, _ = started
    response = client.get(f"{API}/attempts/{attempt_id}/paper")
    assert response.status_code == 200
    body = response.json()
    assert len(body["questions"]) == 8
    text = response.content.decode()
    assert "answer" not in text and "explanation" not in text and "行政处罚法第四十四条" not in text
    assert "行政处罚" not in text  # the accepted blank text is part of the key


def test_saved_answers_come_back_on_reload(client, started):
    attempt_id, token = started
    q = paper_of(client, attempt_id)["questions"]
    r = save(client, attempt_id, token, 1, [{"question": q[0]["question"], "response": ["B"], "flagged": True}])
    assert r.status_code == 200 and r.json() == {"saved": 1, "seq": 1, "replay": False}
    reloaded = paper_of(client, attempt_id)
    assert reloaded["last_seq"] == 1
    assert reloaded["questions"][0]["response"] == ["B"] and reloaded["questions"][0]["flagged"] is True


def test_a_replayed_older_batch_changes_nothing(client, started):
    attempt_id, token = started
    qid = paper_of(client, attempt_id)["questions"][0]["question"]
    save(client, attempt_id, token, 5, [{"question": qid, "response": ["C"]}])
    r = save(client, attempt_id, token, 4, [{"question": qid, "response": ["A"]}])
    assert r.status_code == 200 and r.json()["replay"] is True
    assert Answer.objects.get(attempt_id=attempt_id, question_id=qid).response == ["C"]
    r = save(client, attempt_id, token, 5, [{"question": qid, "response": ["C"]}])  # the same batch again
    assert r.json() == {"saved": 0, "seq": 5, "replay": True}
    assert Answer.objects.filter(attempt_id=attempt_id).count() == 1


def test_an_answer_to_a_question_not_in_the_attempt_is_refused_and_nothing_is_saved(client, started):
    from zhifa.exams.tests.factories import question

    attempt_id, token = started
    qid = paper_of(client, attempt_id)["questions"][0]["question"]
    stranger = question("single")
    r = save(
        client,
        attempt_id,
        token,
        1,
        [{"question": qid, "response": ["A"]}, {"question": stranger.pk, "response": ["A"]}],
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_answers"
    assert str(stranger.pk) in r.json()["message"]
    assert not Answer.objects.filter(attempt_id=attempt_id).exists()
    assert Attempt.objects.get(pk=attempt_id).last_seq == 0


@pytest.mark.parametrize("seq", [0, -3, 2**60, 10**7])
def test_a_tampered_sequence_number_is_refused(client, started, seq):
    attempt_id, token = started
    qid = paper_of(client, attempt_id)["questions"][0]["question"]
    r = save(client, attempt_id, token, seq, [{"question": qid, "response": ["A"]}])
    assert r.status_code == 400 and "序号" in r.json()["message"]
    assert not Answer.objects.filter(attempt_id=attempt_id).exists()


def test_a_payload_that_is_not_json_answers_is_refused(client, started):
    attempt_id, token = started
    r = client.post(
        f"{API}/attempts/{attempt_id}/answers",
        {"seq": "x", "answers": "all"},
        content_type="application/json",
        headers={"X-Device-Token": token},
    )
    assert r.status_code in (400, 422)
    assert not Answer.objects.filter(attempt_id=attempt_id).exists()


def test_a_save_after_the_deadline_is_refused_and_changes_nothing(client, started, time_machine):
    attempt_id, token = started
    attempt = Attempt.objects.get(pk=attempt_id)
    qid = paper_of(client, attempt_id)["questions"][0]["question"]
    time_machine.move_to(attempt.deadline + timedelta(seconds=1))
    r = save(client, attempt_id, token, 1, [{"question": qid, "response": ["A"]}])
    assert r.status_code == 409 and r.json()["code"] == "attempt_closed"
    assert not Answer.objects.filter(attempt_id=attempt_id).exists()
    attempt.refresh_from_db()
    assert attempt.status != Attempt.Status.RUNNING and attempt.auto_submitted  # submitted lazily
    assert Grade.objects.filter(attempt=attempt).count() == 1


def test_a_client_cannot_extend_its_deadline(client, started, time_machine):
    attempt_id, token = started
    deadline = Attempt.objects.get(pk=attempt_id).deadline
    r = client.post(
        f"{API}/attempts/{attempt_id}/answers",
        {"seq": 1, "answers": [], "deadline": (deadline + timedelta(hours=5)).isoformat()},
        content_type="application/json",
        headers={"X-Device-Token": token},
    )
    assert r.status_code == 200
    assert Attempt.objects.get(pk=attempt_id).deadline == deadline


def test_another_device_takes_over_and_the_old_one_is_told(client, officer, started):
    attempt_id, old_token = started
    r = client.post(f"{API}/attempts/{attempt_id}/claim", {"device_token": ""}, content_type="application/json")
    new_token = r.json()["device_token"]
    assert r.json()["taken_over"] is True and new_token != old_token
    qid = paper_of(client, attempt_id)["questions"][0]["question"]
    old = save(client, attempt_id, old_token, 1, [{"question": qid, "response": ["A"]}])
    assert old.status_code == 409 and old.json()["code"] == "taken_over"
    assert save(client, attempt_id, new_token, 1, [{"question": qid, "response": ["B"]}]).status_code == 200
    assert AttemptEvent.objects.filter(attempt_id=attempt_id, kind="takeover").count() == 1
    assert AuditEvent.objects.filter(action="exams.attempt_takeover", object_id=str(attempt_id)).count() == 1


def test_the_same_device_reclaiming_is_not_a_takeover(client, started):
    attempt_id, token = started
    r = client.post(f"{API}/attempts/{attempt_id}/claim", {"device_token": token}, content_type="application/json")
    assert r.json() == {"device_token": token, "taken_over": False}


def test_submitting_again_and_again_gives_one_grade(client, started):
    attempt_id, token = started
    for q in paper_of(client, attempt_id)["questions"]:
        save(client, attempt_id, token, q["number"], [{"question": q["question"], "response": ["B"]}])
    results = [client.post(f"{API}/attempts/{attempt_id}/submit").json() for _ in range(3)]
    assert all(r["status"] == "graded" for r in results)
    assert Grade.objects.filter(attempt_id=attempt_id).count() == 1


def test_an_outsider_gets_404_for_another_officers_attempt(client, outsider, started):
    attempt_id, token = started
    client.force_login(outsider.user)
    assert client.get(f"{API}/attempts/{attempt_id}/paper").status_code == 404
    assert save(client, attempt_id, token, 1, []).status_code == 404
    assert client.post(f"{API}/attempts/{attempt_id}/submit").status_code == 404


def test_an_officer_outside_the_audience_cannot_start(client, outsider, exam):
    client.force_login(outsider.user)
    assert start(client, exam).status_code == 404


def test_tab_switches_are_logged_as_evidence(client, started):
    attempt_id, _ = started
    r = client.post(
        f"{API}/attempts/{attempt_id}/events",
        {"kind": "tab_hidden", "detail": {"n": 1}},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json() == {"recorded": True}
    bad = client.post(f"{API}/attempts/{attempt_id}/events", {"kind": "score_up"}, content_type="application/json")
    assert bad.status_code == 400
    assert AttemptEvent.objects.filter(attempt_id=attempt_id).count() == 1


def test_no_attempts_left_after_the_allowed_number(client, officer, exam, started):
    attempt_id, _ = started
    client.post(f"{API}/attempts/{attempt_id}/submit")
    r = start(client, exam)
    assert r.status_code == 409 and r.json()["code"] == "no_attempts_left"


def test_an_exam_outside_its_window_cannot_be_started(client, officer, exam):
    exam.opens_at = timezone.now() + timedelta(hours=1)
    exam.save()
    client.force_login(officer.user)
    r = start(client, exam)
    assert r.status_code == 409 and r.json()["code"] == "exam_not_open"
