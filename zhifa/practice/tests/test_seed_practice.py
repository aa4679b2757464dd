"""The demo's month of daily practice: real reviews of the practice-only sample questions, once per officer."""

from django.core.management import call_command

from zhifa.practice.models import Mastery, ReviewCard
from zhifa.practice.services import mastery_compute
from zhifa.questions.models import Question


def test_the_demo_officers_practise_the_practice_only_questions_once(officer, capsys):
    call_command("seed_questions")
    practice = Question.objects.filter(external_id__startswith="zhifa-practice-", use="practice", status="published")
    assert practice.count() == 8
    call_command("seed_practice")
    assert "每日一练示例：1 名人员，24 次练习" in capsys.readouterr().out
    cards = ReviewCard.objects.filter(officer=officer)
    assert cards.count() == 8 and not cards.exclude(question__external_id__startswith="zhifa-practice-").exists()
    mastery_compute()
    assert Mastery.objects.filter(officer=officer).count() == 5  # the knowledge points those questions name
    call_command("seed_practice")
    assert "0 名人员" in capsys.readouterr().out and ReviewCard.objects.filter(officer=officer).count() == 8
