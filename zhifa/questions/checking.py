"""Checking a response against a question's answer key: pure functions, no ORM (used by exams and practice).

Answer keys by kind (see Question.answer): single/multiple ["A","C"]; judge [true]; blank one list of accepted
alternatives per blank; short/case {"reference": "...", "rubric": [{"point": "...", "score": 2, "keywords": [...]}]}.

Responses are what a learner sends: single "A" or ["A"]; multiple ["A","C"] (or "AC"); judge true/false (or
"对"/"错", "√"/"×", "T"/"F", [true]); blank a list of strings (or one string for a single blank); short/case the
answer text. Unreadable responses count as wrong, never raise: a learner's bad input must not break grading.

Short and case answers are graded by people; `score` gives a rubric-keyword *suggestion* for them (each rubric point
whose keywords — or whose point text — appear in the answer earns its score), scaled to `points`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

CHOICE_LABELS = "ABCDEFGH"
OBJECTIVE_KINDS = frozenset({"single", "multiple", "judge", "blank"})
ALL_KINDS = frozenset({"single", "multiple", "judge", "blank", "short", "case"})

_TRUE_WORDS = frozenset({"true", "t", "1", "对", "正确", "是", "√", "✓", "✔", "y", "yes"})
_FALSE_WORDS = frozenset({"false", "f", "0", "错", "错误", "否", "×", "✗", "✘", "x", "n", "no"})
_TRAILING_PUNCTUATION = "。.，,；;、!！?？"
_WHITESPACE = re.compile(r"\s+")


class PartialCredit(StrEnum):
    """How a multiple choice answer that picks some right options and no wrong one is scored."""

    NONE = "none"  # all or nothing
    HALF = "half"  # half the points for a non-empty subset without wrong picks
    PROPORTIONAL = "proportional"  # points × right picks / right options, when there is no wrong pick


class UnknownKind(ValueError):
    """The kind is not one of single, multiple, judge, blank, short, case."""


def normalise_text(text: Any) -> str:
    """Text for comparison: NFKC (full-width → half-width), lower case, no whitespace, no trailing punctuation."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return _WHITESPACE.sub("", folded).rstrip(_TRAILING_PUNCTUATION)


def choice_set(response: Any) -> frozenset[str]:
    """The option labels a choice response names ("A", "ac", ["A","C"], "A,C" → {"A","C"}); empty when unreadable."""
    if response is None or isinstance(response, bool):
        return frozenset()
    items: Iterable[Any] = [response] if isinstance(response, str) else response
    labels: set[str] = set()
    try:
        for item in items:
            if not isinstance(item, str):
                return frozenset()
            for char in unicodedata.normalize("NFKC", item).upper():
                if char in CHOICE_LABELS:
                    labels.add(char)
                elif not (char.isspace() or char in ",，、;；"):
                    return frozenset()
    except TypeError:
        return frozenset()
    return frozenset(labels)


def judge_value(value: Any) -> bool | None:
    """True/False from a judge answer or response ([true], "对", "×", …); None when it is neither."""
    if isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = normalise_text(value)
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def blank_responses(response: Any) -> list[str]:
    """The filled-in texts in order; a single string is one blank."""
    if isinstance(response, str):
        return [response]
    if isinstance(response, list | tuple):
        return ["" if item is None else str(item) for item in response]
    return []


def blank_matches(accepted: Any, text: str) -> bool:
    """Whether one filled-in text equals (normalised) one of the accepted alternatives of that blank."""
    alternatives = [accepted] if isinstance(accepted, str) else list(accepted or [])
    given = normalise_text(text)
    return bool(given) and any(given == normalise_text(alternative) for alternative in alternatives)


def blanks_right(answer: Any, response: Any) -> tuple[int, int]:
    """(blanks filled correctly, number of blanks)."""
    keys = list(answer or [])
    given = blank_responses(response)
    right = sum(1 for i, accepted in enumerate(keys) if i < len(given) and blank_matches(accepted, given[i]))
    return right, len(keys)


def rubric_fraction(answer: Any, response: Any) -> float:
    """Share of rubric score whose point (or any of its keywords) appears in the response; 0 without a rubric."""
    rubric = answer.get("rubric", []) if isinstance(answer, dict) else []
    total = sum(float(item.get("score", 0) or 0) for item in rubric)
    if total <= 0:
        return 0.0
    text = normalise_text(response if isinstance(response, str) else "")
    earned = 0.0
    for item in rubric:
        cues = item.get("keywords") or [item.get("point", "")]
        if text and any(normalise_text(cue) and normalise_text(cue) in text for cue in cues):
            earned += float(item.get("score", 0) or 0)
    return earned / total


def is_correct(kind: str, answer: Any, response: Any) -> bool:
    """Whether the response is fully right; raises UnknownKind for an unknown kind."""
    if kind in ("single", "multiple"):
        expected = choice_set(answer)
        return bool(expected) and choice_set(response) == expected
    if kind == "judge":
        expected_value = judge_value(answer)
        return expected_value is not None and judge_value(response) is expected_value
    if kind == "blank":
        right, total = blanks_right(answer, response)
        return total > 0 and right == total
    if kind in ("short", "case"):
        return rubric_fraction(answer, response) >= 1.0
    raise UnknownKind(f"未知题型：{kind}")


def score(
    kind: str,
    answer: Any,
    response: Any,
    points: float,
    partial_credit: bool | str = False,
) -> float:
    """Points earned. `partial_credit`: False/"none", True/"half" or "proportional" (multiple choice and blanks).

    Blanks with partial credit earn points per right blank. Raises UnknownKind for an unknown kind.
    """
    mode = _partial_mode(partial_credit)
    if kind == "multiple":
        return _multiple_score(choice_set(answer), choice_set(response), points, mode)
    if kind == "blank":
        right, total = blanks_right(answer, response)
        if total == 0:
            return 0.0
        if right == total:
            return float(points)
        return float(points) * right / total if mode is not PartialCredit.NONE else 0.0
    if kind in ("short", "case"):
        return round(float(points) * rubric_fraction(answer, response), 2)
    return float(points) if is_correct(kind, answer, response) else 0.0


def _partial_mode(partial_credit: bool | str) -> PartialCredit:
    if partial_credit is True:
        return PartialCredit.HALF
    if partial_credit is False or partial_credit is None:
        return PartialCredit.NONE
    return PartialCredit(partial_credit)


def _multiple_score(expected: frozenset[str], given: frozenset[str], points: float, mode: PartialCredit) -> float:
    if not expected or not given:
        return 0.0
    if given == expected:
        return float(points)
    if not given <= expected or mode is PartialCredit.NONE:
        return 0.0
    if mode is PartialCredit.HALF:
        return float(points) / 2
    return float(points) * len(given) / len(expected)
