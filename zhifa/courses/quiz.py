"""Short quizzes at the end of a chapter: objective questions from the question bank, graded on submission.

Grading is the question bank's own (`questions.checking`): courses sit above questions in the layers for this.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from zhifa.courses.models import Lesson, LessonProgress
from zhifa.courses.services import CourseError
from zhifa.people.models import Officer
from zhifa.questions import checking

QUIZ_KINDS = ("single", "multiple", "judge")


def objective_correct(kind: str, answer: Any, response: Any) -> bool:
    """Whether a response to a single/multiple/judge question is right (other kinds are not quiz material)."""
    return kind in QUIZ_KINDS and checking.is_correct(kind, answer, response)


@dataclass
class QuizResult:
    correct: int
    total: int
    passed: bool
    per_question: dict[int, bool]

    @property
    def share(self) -> float:
        return self.correct / self.total if self.total else 0.0


def quiz_questions(lesson: Lesson) -> list:
    return list(lesson.quiz_questions.filter(kind__in=QUIZ_KINDS).prefetch_related("options").order_by("pk"))


@transaction.atomic
def quiz_submit(*, officer: Officer, lesson: Lesson, responses: Mapping[int, Any]) -> QuizResult:
    """Grade a quiz attempt; the lesson completes when the share correct reaches its pass mark.

    Raises CourseError for a lesson that is not a quiz or an attempt that leaves questions unanswered.
    """
    from zhifa.courses.tracking import lesson_complete

    if lesson.kind != Lesson.Kind.QUIZ:
        raise CourseError("该课时不是测验。")
    questions = quiz_questions(lesson)
    missing = [i + 1 for i, q in enumerate(questions) if not responses.get(q.pk)]
    if missing:
        raise CourseError(f"第 {'、'.join(map(str, missing))} 题还没有作答，请全部作答后再提交。")
    per_question = {q.pk: objective_correct(q.kind, q.answer, responses[q.pk]) for q in questions}
    result = QuizResult(sum(per_question.values()), len(questions), False, per_question)
    result.passed = result.total > 0 and result.share >= float(lesson.pass_share)
    progress, _ = LessonProgress.objects.select_for_update().get_or_create(officer=officer, lesson=lesson)
    progress.quiz_score = max(progress.quiz_score or 0.0, result.share)
    progress.save(update_fields=["quiz_score", "updated_at"])
    if result.passed:
        lesson_complete(
            progress=progress,
            evidence=f"测验答对 {result.correct}/{result.total} 题",
            result={"score": {"scaled": round(result.share, 3)}, "success": True},
        )
    return result
