"""Short quizzes at the end of a chapter: objective questions from the question bank, graded on submission.

questions and courses are sibling layers (neither imports the other): a quiz lesson reaches its Question rows through
the `Lesson.quiz_questions` relation, and the objective grading below is the few lines it needs (single, multiple,
judge), matching the answer format of the question bank (["A","C"], [true]).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from zhifa.courses.models import Lesson, LessonProgress
from zhifa.courses.services import CourseError
from zhifa.people.models import Officer

QUIZ_KINDS = ("single", "multiple", "judge")


def _choices(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset(ch for ch in value.upper() if ch.isalpha())
    if isinstance(value, Iterable):
        return frozenset(str(v).strip().upper() for v in value if str(v).strip())
    return frozenset()


def _truth(value: Any) -> bool | None:
    if isinstance(value, list | tuple):
        value = value[0] if len(value) == 1 else None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "对": True, "正确": True, "false": False, "错": False, "错误": False}.get(value.lower())
    return None


def objective_correct(kind: str, answer: Any, response: Any) -> bool:
    """Whether a response to a single/multiple/judge question is right (unknown kinds are never right)."""
    if kind in ("single", "multiple"):
        expected = _choices(answer)
        return bool(expected) and _choices(response) == expected
    if kind == "judge":
        expected_truth = _truth(answer)
        return expected_truth is not None and _truth(response) is expected_truth
    return False


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
