"""Wrong answers of an exam reach the mistakes book only after the results are released, and only once."""

from datetime import timedelta

from zhifa.exams import queries as exam_queries
from zhifa.exams import services as exam_services
from zhifa.exams.tests import factories
from zhifa.practice import services
from zhifa.practice.models import Mistake
from zhifa.questions.models import Question


def test_exam_mistakes_are_collected_after_release_and_once(org, officer, unit_admin):
    factories.bank()
    exam = factories.exam(org, by=unit_admin)
    paper = exam_queries.attempt_paper_for(exam=exam, officer=officer)
    attempt = exam_services.attempt_start(exam=exam, officer_id=officer.pk, paper_id=paper.pk, device_token="d")
    objective = Question.objects.filter(pk__in=paper.question_ids, kind__in=services.PRACTICE_KINDS)
    answers = [exam_services.AnswerIn(question=q.pk, response="Z") for q in objective]
    exam_services.attempt_save_answers(attempt_id=attempt.pk, by=officer.user, answers=answers, seq=1, device_token="d")
    exam_services.attempt_submit(attempt=attempt, by=officer.user)

    assert services.mistakes_collect_from_exams(officer=officer) == 0  # results not yet released
    assert not Mistake.objects.exists()
    after_release = exam.closes_at + timedelta(minutes=1)
    added = services.mistakes_collect_from_exams(officer=officer, now=after_release)
    assert added == len(answers) > 0
    assert services.mistakes_collect_from_exams(officer=officer, now=after_release) == 0
    assert Mistake.objects.filter(officer=officer, source="exam").count() == added
