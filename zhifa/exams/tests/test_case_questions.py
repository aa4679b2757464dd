"""Case-analysis questions on a paper: the case text with its sub-questions, answered, graded and analysed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhifa.exams import papers, queries, results, services
from zhifa.exams.models import Grade
from zhifa.exams.tests import factories
from zhifa.questions import services as question_services
from zhifa.questions.models import Question

D = Decimal


@pytest.fixture
def case_exam(org, unit_admin):
    factories.bank(kinds=("single",), per_kind=2)
    question_services.question_create(
        status=Question.Status.PUBLISHED,
        kind="case",
        stem="<p>某超市销售过期酸奶 20 盒，执法人员现场检查并拍照。</p>",
        answer={"reference": "适用普通程序。", "rubric": []},
        sub_questions=[
            {"kind": "single", "stem": "应当适用的程序是", "options": ["简易程序", "普通程序"], "answer": ["B"]},
            {"kind": "judge", "stem": "照片属于视听资料。", "answer": [True]},
            {
                "kind": "short",
                "stem": "当事人陈述申辩时应如何对待？",
                "answer": {"reference": "充分听取意见", "rubric": [{"point": "听取", "score": 2}]},
            },
        ],
    )
    bp = factories.blueprint(
        org.market,
        sections=[{"kind": "single", "count": 1, "points": "10"}, {"kind": "case", "count": 1, "points": "30"}],
    )
    return factories.exam(org, by=unit_admin, bp=bp, pass_mark=D(30))


def test_a_case_question_is_frozen_with_its_sub_questions_and_their_share_of_points(case_exam):
    paper = case_exam.papers.get()
    case_row = next(r for r in paper.rows if "subs" in r)
    assert [s["points"] for s in case_row["subs"]] == ["10.00", "10.00", "10.00"]
    assert len(paper.question_ids) == 4 and case_row["question"] not in paper.question_ids
    assert papers.split_points(D(10), 3) == [D("3.33"), D("3.33"), D("3.34")]


def test_the_taking_page_lists_the_sub_questions_under_the_case_text_without_the_key(client, case_exam, officer):
    client.force_login(officer.user)
    started = client.post(f"/api/v1/exams/exams/{case_exam.pk}/start").json()
    body = client.get(f"/api/v1/exams/attempts/{started['attempt_id']}/paper").json()
    subs = [q for q in body["questions"] if q["case"]]
    assert [q["sub"] for q in subs] == [1, 2, 3] and [q["kind"] for q in subs] == ["single", "judge", "short"]
    assert all("过期酸奶" in q["case_stem"] for q in subs)
    assert [o["key"] for o in subs[0]["options"]] == ["A", "B"]
    assert "answer" not in subs[0] and "普通程序。" not in str(body)


def test_sub_questions_are_graded_objective_at_once_and_short_by_a_person(case_exam, officer, unit_admin):
    paper = queries.attempt_paper_for(exam=case_exam, officer=officer)
    attempt = services.attempt_start(exam=case_exam, officer_id=officer.pk, paper_id=paper.pk, device_token="t")
    responses = {"single": ["B"], "judge": [True], "short": "应当充分听取意见"}
    kinds = dict(Question.objects.filter(pk__in=paper.question_ids).values_list("id", "kind"))
    answers = [services.AnswerIn(question=q, response=responses[kinds[q]]) for q in paper.question_ids]
    services.attempt_save_answers(attempt_id=attempt.pk, by=officer.user, answers=answers, seq=1, device_token="t")
    grade = services.attempt_submit(attempt=attempt, by=officer.user)
    assert grade.status == Grade.Status.PENDING and grade.auto_score == D(30) and grade.max_score == D(40)
    queued = queries.grading_queue(user=unit_admin).get()
    assert queued.question.kind == "short" and queued.question.parent_id is not None
    with pytest.raises(ValueError, match="满分 10"):
        services.answer_grade_manual(answer=queued, by=unit_admin, score=D(11))
    services.answer_grade_manual(answer=queued, by=unit_admin, score=D(8))
    grade.refresh_from_db()
    assert grade.status == Grade.Status.FINAL and grade.total == D(38) and grade.passed
    stats = {q.pk: s for q, s in results.item_analysis(case_exam)["items"]}
    assert set(stats) == set(paper.question_ids) and stats[queued.question_id].p == pytest.approx(0.8)
