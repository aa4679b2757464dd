"""From an answer to an FSRS rating: pure, no ORM.

The rule (documented in docs/practice.md):
- a wrong answer is Again;
- a right answer is Good when it took a normal time for its kind of question, Easy when it came in at most 40 % of
  that time, Hard when it took more than twice that time;
- a response time the phone could not have measured (negative, missing, over 10 minutes: the phone slept) says
  nothing about fluency, so a right answer then counts as Good.
"""

from __future__ import annotations

from fsrs import Rating

# Seconds an officer who knows the answer needs to read and answer, by kind of question.
EXPECTED_SECONDS = {"single": 20, "multiple": 35, "judge": 12, "blank": 30, "short": 90, "case": 150}
EASY_SHARE = 0.4
HARD_FACTOR = 2.0
MAX_PLAUSIBLE_MS = 10 * 60 * 1000


def rating_for(*, correct: bool, response_ms: int | None, kind: str) -> Rating:
    """The FSRS rating of one answer."""
    if not correct:
        return Rating.Again
    if response_ms is None or response_ms <= 0 or response_ms > MAX_PLAUSIBLE_MS:
        return Rating.Good
    expected_ms = EXPECTED_SECONDS.get(kind, 30) * 1000
    if response_ms <= expected_ms * EASY_SHARE:
        return Rating.Easy
    if response_ms > expected_ms * HARD_FACTOR:
        return Rating.Hard
    return Rating.Good
