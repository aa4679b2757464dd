"""Papers are built before the exam opens: per examinee, parallel forms, frozen once someone started."""

from __future__ import annotations

import pytest

from zhifa.exams import papers, queries, services, tasks
from zhifa.exams.models import Exam, ExamPaper
from zhifa.exams.tests import factories


def test_one_paper_per_examinee_is_built_by_the_task_for_the_audience_only(
    org, unit_admin, officer, outsider, question_bank
):
    exam = factories.exam(org, by=unit_admin, build=False, paper_mode=Exam.PaperMode.PER_EXAMINEE)
    result = tasks.papers_build_task.enqueue(exam.pk, unit_admin.pk)
    owners = set(ExamPaper.objects.filter(exam=exam).values_list("officer__name", flat=True))
    assert result.return_value == {"built": 2} and owners == {"张明", "王芳"}  # 李强 is outside the audience
    paper = queries.attempt_paper_for(exam=exam, officer=officer)
    assert paper.officer == officer
    attempt = services.attempt_start(exam=exam, officer_id=officer.pk, paper_id=paper.pk)
    assert attempt.paper_id == paper.pk


def test_parallel_forms_are_given_out_in_turn(org, unit_admin, officer, question_bank):
    factories.bank(per_kind=3)  # twice the bank: two disjoint forms fit
    exam = factories.exam(org, by=unit_admin, paper_mode=Exam.PaperMode.PARALLEL, form_count=2, attempts_allowed=2)
    forms = list(exam.papers.order_by("form"))
    assert len(forms) == 2 and not set(forms[0].question_ids) & set(forms[1].question_ids)
    first = services.attempt_start(
        exam=exam, officer_id=officer.pk, paper_id=queries.attempt_paper_for(exam=exam, officer=officer).pk
    )
    services.attempt_submit(attempt=first, by=officer.user)
    second = queries.attempt_paper_for(exam=exam, officer=officer)
    assert second.pk != first.paper_id  # the second sitting gets the other form


def test_papers_cannot_be_rebuilt_once_someone_started(org, unit_admin, officer, exam, running_attempt):
    with pytest.raises(papers.PapersLocked):
        papers.papers_build(exam=exam, by=unit_admin)
    assert exam.papers.count() == 1


def test_shuffled_rows_keep_the_stored_seed_and_every_option(exam):
    paper = exam.papers.get()
    assert paper.seed == 7
    for row in paper.rows:
        if row["options"]:
            assert sorted(row["options"]) == ["A", "B", "C", "D"]


def test_someone_who_does_not_manage_the_unit_cannot_build(org, outsider, exam):
    with pytest.raises(papers.NotPermitted, match="不是"):
        papers.papers_build(exam=exam, by=outsider.user)
