"""Reading lessons (minimum time), quizzes from the question bank, and the lesson page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.utils import timezone

from zhifa.courses.models import Lesson, LessonProgress
from zhifa.courses.tests.conftest import add_lesson
from zhifa.records.models import HoursEntry

API = "/api/v1/courses"


def test_an_article_completes_only_after_its_minimum_reading_time(client, officer, course, time_machine):
    lesson = add_lesson(course, kind=Lesson.Kind.ARTICLE, body_html="<p>廉洁自律</p>", min_seconds=60)
    client.force_login(officer.user)
    time_machine.move_to(timezone.now(), tick=False)
    assert "廉洁自律" in client.get(f"/courses/lessons/{lesson.pk}/").content.decode()
    session = client.post(f"{API}/lessons/{lesson.pk}/sessions", content_type="application/json").json()["session"]
    time_machine.shift(timedelta(seconds=20))
    early = client.post(f"{API}/sessions/{session}/read", content_type="application/json")
    assert early.status_code == 409 and "还差 40 秒" in early.json()["message"]
    assert not HoursEntry.objects.exists()
    time_machine.shift(timedelta(seconds=45))
    assert client.post(f"{API}/sessions/{session}/read", content_type="application/json").json()["completed"]
    assert HoursEntry.objects.get(officer=officer).hours == Decimal("0.50")


def test_a_document_lesson_shows_the_pdf_in_the_page(client, officer, course):
    lesson = add_lesson(course, kind=Lesson.Kind.DOCUMENT)
    lesson.document.save("doc.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    client.force_login(officer.user)
    assert f"/courses/lessons/{lesson.pk}/document" in client.get(f"/courses/lessons/{lesson.pk}/").content.decode()
    pdf = client.get(f"/courses/lessons/{lesson.pk}/document")
    assert pdf["Content-Type"] == "application/pdf"
    assert "frame-ancestors 'self'" in pdf["Content-Security-Policy"]


@pytest.fixture
def quiz_lesson(course):
    question_model = apps.get_model("questions", "Question")
    option_model = apps.get_model("questions", "Option")
    lesson = add_lesson(course, kind=Lesson.Kind.QUIZ, title="小测验", pass_share=Decimal("0.5"))
    q1 = question_model.objects.create(kind="single", stem="执法应当？", answer=["A"], status="published")
    option_model.objects.create(question=q1, label="A", text="依法", position=1)
    option_model.objects.create(question=q1, label="B", text="随意", position=2)
    q2 = question_model.objects.create(kind="judge", stem="执法人员可以收受红包。", answer=[False], status="published")
    lesson.quiz_questions.set([q1, q2])
    return lesson, q1, q2


def test_a_quiz_is_graded_and_completes_the_lesson_at_the_pass_mark(client, officer, quiz_lesson):
    lesson, q1, q2 = quiz_lesson
    client.force_login(officer.user)
    page = client.get(f"/courses/lessons/{lesson.pk}/").content.decode()
    assert "执法应当？" in page
    unanswered = client.post(f"/courses/lessons/{lesson.pk}/quiz", {f"q{q1.pk}": "A"}, follow=True)
    assert "第 2 题还没有作答" in unanswered.content.decode()
    failed = client.post(f"/courses/lessons/{lesson.pk}/quiz", {f"q{q1.pk}": "B", f"q{q2.pk}": "true"})
    assert "答对 0 / 2 题" in failed.content.decode()
    assert not HoursEntry.objects.exists()
    passed = client.post(f"/courses/lessons/{lesson.pk}/quiz", {f"q{q1.pk}": "A", f"q{q2.pk}": "false"})
    assert "测验通过" in passed.content.decode()
    assert LessonProgress.objects.get(officer=officer, lesson=lesson).quiz_score == 1.0
    assert HoursEntry.objects.filter(officer=officer).count() == 1


@pytest.mark.parametrize(
    "kind, answer, response, correct",
    [
        ("single", ["A"], "A", True),
        ("single", ["A"], "B", False),
        ("multiple", ["A", "C"], ["C", "A"], True),
        ("multiple", ["A", "C"], ["A"], False),
        ("judge", [True], "true", True),
        ("judge", [False], "true", False),
        ("blank", [["x"]], "x", False),  # not an objective quiz kind
    ],
)
def test_objective_grading(kind, answer, response, correct):
    from zhifa.courses.quiz import objective_correct

    assert objective_correct(kind, answer, response) is correct
