"""Exam integrity (issue 20 item 1): exam-only questions never reach practice, and a question on the paper of an
exam an officer sits is withheld from him everywhere he can reach until the exam closes."""

import json
from datetime import timedelta

from django.utils import timezone

from zhifa.exams import queries as exam_queries
from zhifa.exams import services as exam_services
from zhifa.exams.models import Exam
from zhifa.exams.tests import factories as exam_factories
from zhifa.practice import queries
from zhifa.practice.models import Mistake
from zhifa.questions.models import Question

API = "/api/v1/practice"


def _sitting(org, officer, unit_admin):
    """张明 in a running attempt of an open exam whose questions (use: both) are also in his practice scope."""
    exam_factories.bank()
    exam = exam_factories.exam(org, by=unit_admin)
    paper = exam_queries.attempt_paper_for(exam=exam, officer=officer)
    attempt = exam_services.attempt_start(exam=exam, officer_id=officer.pk, paper_id=paper.pk, device_token="device-1")
    on_paper = paper.question_ids
    for question in Question.objects.filter(pk__in=on_paper):
        question.explanation = f"保密解析标记{question.pk}号"
        question.save(update_fields=["explanation"])
        Mistake.objects.create(officer=officer, question_id=question.pk, last_wrong_at=timezone.now())
    return exam, attempt, on_paper


def _no_key_in(text: str, on_paper: list[int], where: str) -> None:
    for pk in on_paper:
        assert f"保密解析标记{pk}号" not in text, f"{where} 泄露了第 {pk} 题的解析"


def test_an_examinee_finds_no_key_of_his_paper_anywhere_he_can_reach(client, org, officer, unit_admin):
    _exam, attempt, on_paper = _sitting(org, officer, unit_admin)
    client.force_login(officer.user)
    api_paths = [
        f"{API}/session",
        f"{API}/session?mode=daily",
        f"{API}/session?mode=scope",
        f"{API}/session?mode=scope&wrong=1",
        f"{API}/session?mode=scope&law=行政处罚法",
        f"/api/v1/exams/attempts/{attempt.pk}/paper",
    ]
    for path in api_paths:
        response = client.get(path, headers={"X-Device-Token": "device-1"})
        assert response.status_code == 200, path
        body = response.json()
        _no_key_in(json.dumps(body, ensure_ascii=False), on_paper, path)
        for item in body.get("items", []):
            assert item["id"] not in on_paper, path
        for row in body.get("questions", []):
            assert "answer" not in row and "explanation" not in row, path
    pages = ["/practice/", "/practice/play/", "/practice/scope/", "/practice/mistakes/", "/practice/mastery/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        _no_key_in(response.content.decode(), on_paper, path)
    for pk in on_paper:  # the bank's own pages are closed to officers
        assert client.get(f"/questions/{pk}/").status_code == 404
    # a review of a withheld question sent meanwhile is refused, not scored against the key
    sent = client.post(
        f"{API}/reviews",
        json.dumps(
            {"reviews": [{"client_id": "c1", "question_id": on_paper[0], "response": ["A"], "response_ms": 900}]}
        ),
        content_type="application/json",
    ).json()["results"]
    assert sent[0]["ok"] is False


def test_the_paper_comes_back_to_practice_when_the_exam_closes(org, officer, unit_admin):
    exam, _attempt, on_paper = _sitting(org, officer, unit_admin)
    assert set(on_paper) <= exam_queries.withheld_question_ids(officer=officer)
    Exam.objects.filter(pk=exam.pk).update(
        opens_at=timezone.now() - timedelta(days=2), closes_at=timezone.now() - timedelta(minutes=1)
    )
    assert exam_queries.withheld_question_ids(officer=officer) == set()
    practised = {q.pk for q in queries.daily_queue(officer)}
    assert set(on_paper) & practised


def test_an_officer_outside_the_exam_still_practises_its_questions(org, officer, outsider, unit_admin):
    _exam, _attempt, on_paper = _sitting(org, officer, unit_admin)
    assert exam_queries.withheld_question_ids(officer=outsider) == set()
    assert exam_queries.withheld_question_ids(officer=officer) >= set(on_paper)


def test_exam_only_questions_never_reach_practice(client, org, officer):
    secret = exam_factories.question("single")
    secret.use = Question.Use.EXAM
    secret.explanation = "保密题解析"
    secret.save(update_fields=["use", "explanation"])
    open_question = exam_factories.question("judge")
    Mistake.objects.create(officer=officer, question_id=secret.pk, last_wrong_at=timezone.now())
    client.force_login(officer.user)
    ids = {item["id"] for item in client.get(f"{API}/session").json()["items"]}
    assert open_question.pk in ids and secret.pk not in ids
    scoped = client.get(f"{API}/session?mode=scope&wrong=1").json()["items"]
    assert secret.pk not in {item["id"] for item in scoped}
    assert queries.questions_in_scope(officer, [secret.pk]) == {}
    assert secret.pk not in {q.pk for q in queries.scope_for(officer)}


def test_practice_only_questions_never_go_onto_a_paper(db):
    from zhifa.exams.papers import question_pool

    practice_only = exam_factories.question("single")
    practice_only.use = Question.Use.PRACTICE
    practice_only.save(update_fields=["use"])
    both = exam_factories.question("single")
    pool = {item.id for item in question_pool()}
    assert both.pk in pool and practice_only.pk not in pool


def test_generated_items_are_practice_only(db):
    from zhifa.practice.services import generated_items_create

    text = "行政机关作出行政处罚决定前，应当告知当事人。当事人有权在五日内进行陈述和申辩。"
    assert generated_items_create(articles=[("行政处罚法#第四十四条", text)], publish=True) >= 1
    made = Question.objects.filter(source="generated")
    assert set(made.values_list("use", flat=True)) == {Question.Use.PRACTICE}
    assert set(made.values_list("status", flat=True)) == {Question.Status.PUBLISHED}
