"""Grading: objective answers at once, short / case answers to people, every grade change audited."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from zhifa.common.models import AuditEvent
from zhifa.exams import grading, queries, services
from zhifa.exams.grading import KeyedRow, grade_item
from zhifa.exams.models import Attempt, Grade, QualificationRecord
from zhifa.exams.tests import factories
from zhifa.records import services as records_services
from zhifa.records.models import HoursEntry, HoursYearly, Statement

D = Decimal


@pytest.mark.parametrize(
    "kind, answer, response, partial, expected",
    [
        ("single", ["B"], ["B"], "none", D("2.00")),
        ("single", ["B"], "b", "none", D("2.00")),
        ("single", ["B"], ["C"], "none", D("0.00")),
        ("multiple", ["A", "C"], ["A", "C"], "none", D("2.00")),
        ("multiple", ["A", "C"], ["A"], "none", D("0.00")),
        ("multiple", ["A", "C"], ["A"], "half", D("1.00")),
        ("multiple", ["A", "C"], ["A", "B"], "half", D("0.00")),
        ("multiple", ["A", "B", "C"], ["A"], "proportional", D("0.67")),
        ("judge", [True], [True], "none", D("2.00")),
        ("judge", [True], "错", "none", D("0.00")),
        ("blank", [["行政处罚", "处罚"]], ["处罚"], "none", D("2.00")),
        ("single", ["B"], None, "none", D("0.00")),
        ("single", ["B"], {"weird": 1}, "none", D("0.00")),
    ],
)
def test_objective_answers_are_graded_at_once(kind, answer, response, partial, expected):
    assert grade_item(KeyedRow(1, kind, answer, D(2)), response, partial_credit=partial).score == expected


def test_a_short_answer_waits_for_a_person_with_a_suggestion():
    row = KeyedRow(1, "short", factories.ANSWERS["short"], D(5))
    item = grade_item(row, "应当告知当事人", partial_credit="none")
    assert item.score is None and item.suggested == D("2.00")
    assert grade_item(row, "", partial_credit="none").score == D(0)  # nothing written: nothing to grade


def test_a_manual_score_outside_the_points_is_refused():
    with pytest.raises(ValueError, match="满分 5"):
        grading.check_manual_score(D(6), D(5))


@pytest.fixture
def short_exam(org, unit_admin):
    factories.bank(kinds=("single", "short"), per_kind=2)
    bp = factories.blueprint(
        org.market,
        sections=[{"kind": "single", "count": 2, "points": "30"}, {"kind": "short", "count": 1, "points": "40"}],
    )
    return factories.exam(org, by=unit_admin, bp=bp, pass_mark=D(60), is_qualification=True, credit_hours=D("2"))


def sit(exam, officer, responses):
    paper = queries.attempt_paper_for(exam=exam, officer=officer)
    attempt = services.attempt_start(exam=exam, officer_id=officer.pk, paper_id=paper.pk, device_token="t")
    answers = [services.AnswerIn(question=row["question"], response=responses(row)) for row in paper.rows]
    services.attempt_save_answers(attempt_id=attempt.pk, by=officer.user, answers=answers, seq=1, device_token="t")
    return attempt


def test_a_qualification_exam_passed_after_manual_grading_updates_records(short_exam, officer, unit_admin):
    kinds = {}
    attempt = sit(
        short_exam, officer, lambda row: ["B"] if row["points"] == "30.00" else "应当告知当事人陈述申辩的权利"
    )
    grade = services.attempt_submit(attempt=attempt, by=officer.user)
    assert grade.status == Grade.Status.PENDING and grade.total == D(60) and grade.passed is None
    assert not QualificationRecord.objects.exists()
    answer = queries.grading_queue(user=unit_admin).get()
    assert answer.suggested_score == D("40.00")
    services.answer_grade_manual(answer=answer, by=unit_admin, score=D(30), comment="要点齐全")
    grade.refresh_from_db()
    assert grade.status == Grade.Status.FINAL and grade.total == D(90) and grade.passed is True
    assert QualificationRecord.objects.get(officer=officer).score == D(90)
    assert Statement.objects.get(officer=officer, verb="passed").result["score"] == 90.0
    assert HoursEntry.objects.filter(officer=officer, hours=D("2")).count() == 1
    assert not queries.grading_queue(user=unit_admin).exists()
    del kinds


def test_changing_a_grade_needs_a_reason_and_is_audited(short_exam, officer, unit_admin):
    attempt = sit(short_exam, officer, lambda row: ["B"] if row["points"] == "30.00" else "告知")
    services.attempt_submit(attempt=attempt, by=officer.user)
    answer = queries.grading_queue(user=unit_admin).get()
    services.answer_grade_manual(answer=answer, by=unit_admin, score=D(10))
    with pytest.raises(ValueError, match="原因"):
        services.answer_grade_manual(answer=answer, by=unit_admin, score=D(20))
    services.answer_grade_manual(answer=answer, by=unit_admin, score=D(20), reason="复核后调整")
    events = AuditEvent.objects.filter(action="exams.grade_manual", object_id=str(attempt.pk)).order_by("id")
    assert [e.new["score"] for e in events] == ["10.00", "20.00"]
    assert events.last().old == {"score": "10.00"} and events.last().reason == "复核后调整"
    assert Grade.objects.get(attempt=attempt).total == D(80)


def test_the_grading_queue_is_blind_and_limited_to_managed_exams(client, short_exam, officer, outsider, unit_admin):
    attempt = sit(short_exam, officer, lambda row: "告知" if row["points"] == "40.00" else ["A"])
    services.attempt_submit(attempt=attempt, by=officer.user)
    client.force_login(unit_admin)
    page = client.get("/exams/manage/grading/")
    answer = queries.grading_queue(user=unit_admin).get()
    detail = client.get(f"/exams/manage/grading/{answer.pk}/")
    for response in (page, detail):
        assert response.status_code == 200
        assert "张明" not in response.content.decode() and officer.certificate_number not in response.content.decode()
    client.force_login(outsider.user)
    assert client.get(f"/exams/manage/grading/{answer.pk}/").status_code == 404


def test_an_auto_submitted_attempt_is_graded_with_what_was_saved(exam, officer, time_machine):
    attempt = sit(exam, officer, lambda row: ["B"])
    time_machine.move_to(attempt.deadline + timezone.timedelta(minutes=1))
    assert services.attempts_autosubmit_due() == 1
    attempt.refresh_from_db()
    assert attempt.auto_submitted and attempt.status == Attempt.Status.GRADED
    assert attempt.submitted_at == attempt.deadline
    assert Grade.objects.get(attempt=attempt).total == D(20)  # the two single choice answers were right


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_submissions_give_exactly_one_grade(org, unit_admin, officer):
    if connection.vendor != "postgresql":
        pytest.skip("真正的并发提交需要 PostgreSQL（SQLite 上见顺序幂等测试）")
    factories.bank()
    exam = factories.exam(org, by=unit_admin)
    attempt = sit(exam, officer, lambda row: ["B"])
    barrier, grades, errors = threading.Barrier(10), [], []

    def submit():
        try:
            barrier.wait()
            grades.append(services.attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk), by=officer.user).pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Grade.objects.filter(attempt=attempt).count() == 1 and len(set(grades)) == 1 and len(grades) == 10
    assert Statement.objects.filter(officer=officer).count() == 1


def test_a_regrade_updates_the_learning_record_and_the_qualification(short_exam, officer, unit_admin):
    short_exam.results_release_at = timezone.now() - timezone.timedelta(minutes=1)  # released: hours count at once
    short_exam.save(update_fields=["results_release_at"])
    attempt = sit(short_exam, officer, lambda row: ["B"] if row["points"] == "30.00" else "告知当事人陈述申辩")
    services.attempt_submit(attempt=attempt, by=officer.user)
    answer = queries.grading_queue(user=unit_admin).get()
    services.answer_grade_manual(answer=answer, by=unit_admin, score=D(10))  # 70: passed
    assert QualificationRecord.objects.get(officer=officer).score == D(70)
    services.answer_grade_manual(answer=answer, by=unit_admin, score=D(20), reason="复核后调整")  # 80
    assert QualificationRecord.objects.get(officer=officer).score == D(80)
    services.answer_grade_manual(answer=answer, by=unit_admin, score=D(20), reason="再次复核")  # unchanged
    assert Statement.objects.filter(officer=officer).count() == 2
    services.answer_grade_manual(answer=answer, by=unit_admin, score=D(0), reason="答案雷同，改判")  # 60 → 0 + 60
    grade = Grade.objects.get(attempt=attempt)
    assert grade.total == D(60) and grade.passed  # the pass mark is 60: still passed
    short_exam.pass_mark = D(65)
    short_exam.save(update_fields=["pass_mark"])
    services.answer_grade_manual(answer=answer, by=unit_admin, score=D(1), reason="复核")  # 61 < 65: failed
    statements = list(Statement.objects.filter(officer=officer).order_by("id"))
    assert [s.verb for s in statements] == ["passed", "passed", "passed", "failed"]
    assert [s.result["score"] for s in statements] == [70.0, 80.0, 60.0, 61.0]
    assert statements[-1].context["supersedes"] == str(statements[-2].uuid)
    assert not QualificationRecord.objects.filter(officer=officer).exists()
    hours = HoursEntry.objects.get(officer=officer)  # the exam's 2 hours lost their evidence: withdrawn, audited
    assert hours.status == HoursEntry.Status.WITHDRAWN and "未通过" in hours.review_reason
    assert HoursYearly.objects.get(officer=officer).legal == 0
    assert AuditEvent.objects.filter(action="hours.withdraw").count() == 1
    services.answer_grade_manual(answer=answer, by=unit_admin, score=D(10), reason="复核")  # 70: passed again
    assert QualificationRecord.objects.get(officer=officer).score == D(70)
    assert Statement.objects.filter(officer=officer).order_by("-id").first().verb == "passed"
    hours.refresh_from_db()
    assert hours.status == HoursEntry.Status.APPROVED and HoursEntry.objects.filter(officer=officer).count() == 1


def test_a_pass_before_the_release_credits_no_visible_hours_until_then(short_exam, officer, unit_admin, time_machine):
    """Issue 22 item 3: the exam's hours (with the score in their evidence) wait, 待公布, for the results' release;
    a regrade to a fail before then withdraws them unseen, and a pass again brings them back to wait."""
    attempt = sit(short_exam, officer, lambda row: ["B"] if row["points"] == "30.00" else "告知当事人陈述申辩")
    services.attempt_submit(attempt=attempt, by=officer.user)
    answer = queries.grading_queue(user=unit_admin).get()
    services.answer_grade_manual(answer=answer, by=unit_admin, score=D(10))  # 70: passed
    hours = HoursEntry.objects.get(officer=officer)
    assert hours.status == HoursEntry.Status.SCHEDULED and not HoursYearly.objects.filter(officer=officer).exists()
    short_exam.pass_mark = D(75)
    short_exam.save(update_fields=["pass_mark"])
    services.answer_grade_manual(answer=answer, by=unit_admin, score=D(0), reason="复核")  # 60 < 75: failed
    hours.refresh_from_db()
    assert hours.status == HoursEntry.Status.WITHDRAWN
    services.answer_grade_manual(answer=answer, by=unit_admin, score=D(20), reason="再次复核")  # 80: passed
    hours.refresh_from_db()
    assert hours.status == HoursEntry.Status.SCHEDULED and not HoursYearly.objects.filter(officer=officer).exists()
    time_machine.move_to(short_exam.closes_at + timezone.timedelta(minutes=1))
    assert records_services.hours_release_due() == 1
    hours.refresh_from_db()
    assert hours.status == HoursEntry.Status.APPROVED and HoursYearly.objects.get(officer=officer).legal == D(2)
    assert records_services.hours_release_due() == 0
