"""Grading an attempt: objective questions at once (questions.checking), short and case answers queued for people.

Pure functions, no ORM: the service loads the paper rows, answer keys and responses and stores what this returns.
Points are Decimals rounded to 0.01 so totals add up exactly in the database and in exports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from zhifa.questions import checking

MANUAL_KINDS = frozenset({"short", "case"})
CENT = Decimal("0.01")


def to_points(value: float | Decimal | str) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class KeyedRow:
    """One paper row with its answer key (never sent to the browser before release)."""

    question: int
    kind: str
    answer: Any
    points: Decimal


@dataclass
class ItemGrade:
    question: int
    points: Decimal
    score: Decimal | None  # None: waits for a person (short / case)
    suggested: Decimal | None = None  # rubric-keyword suggestion for the grader
    correct: bool | None = None


@dataclass
class PaperGrade:
    items: list[ItemGrade] = field(default_factory=list)

    @property
    def auto_score(self) -> Decimal:
        return sum((i.score for i in self.items if i.score is not None), Decimal(0))

    @property
    def pending(self) -> list[int]:
        return [i.question for i in self.items if i.score is None]

    @property
    def max_score(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal(0))


def grade_item(row: KeyedRow, response: Any, *, partial_credit: bool | str) -> ItemGrade:
    """Score one answer; an unanswered question scores 0; a short/case answer gets only a suggestion."""
    if row.kind in MANUAL_KINDS:
        if response in (None, "", [], {}):
            return ItemGrade(row.question, row.points, score=Decimal(0), suggested=Decimal(0), correct=False)
        suggestion = checking.score(row.kind, row.answer, response, float(row.points))
        return ItemGrade(row.question, row.points, score=None, suggested=to_points(suggestion))
    if response is None:
        return ItemGrade(row.question, row.points, score=Decimal(0), correct=False)
    earned = to_points(checking.score(row.kind, row.answer, response, float(row.points), partial_credit))
    return ItemGrade(row.question, row.points, score=min(earned, row.points), correct=earned >= row.points)


def grade_paper(rows: Sequence[KeyedRow], responses: Mapping[int, Any], *, partial_credit: bool | str) -> PaperGrade:
    """Grade every row of a paper against the stored responses (missing = unanswered)."""
    return PaperGrade([grade_item(r, responses.get(r.question), partial_credit=partial_credit) for r in rows])


def check_manual_score(score: Decimal, points: Decimal) -> Decimal:
    """A grader's score rounded to 0.01; raises ValueError (Chinese) outside 0..points."""
    value = to_points(score)
    if value < 0 or value > points:
        raise ValueError(f"得分 {value} 超出范围：本题满分 {points} 分，请填写 0–{points} 之间的分数。")
    return value


def has_passed(total: Decimal, pass_mark: Decimal) -> bool:
    return total >= pass_mark
