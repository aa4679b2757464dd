"""Scheduling with FSRS-6 (the `fsrs` package, default parameters): pure, no ORM. We never hand-write the scheduler.

A card's state travels as CardState (the columns of ReviewCard); `schedule` applies one rating, `retrievability`
gives the expected recall at a moment. Fuzzing is off so the same reviews give the same schedule on every server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler, State

SCHEDULER = Scheduler(enable_fuzzing=False)
# FSRS-6 forgetting curve R(t, S) = (1 + FACTOR · t / S) ^ DECAY with DECAY = -w20; the nightly mastery job
# evaluates the same curve in SQL, so it takes these constants from here.
DECAY = -SCHEDULER.parameters[20]
FACTOR = 0.9 ** (1 / DECAY) - 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CardState:
    state: int = State.Learning.value
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None


def schedule(card: CardState, rating: Rating, at: datetime) -> CardState:
    """The card after one review rated `rating` at time `at` (timezone-aware)."""
    at = at.astimezone(UTC)  # fsrs insists on UTC datetimes
    fsrs_card = Card(
        # An explicit id: without one, fsrs stamps the card with the clock and sleeps a millisecond so two cards never
        # share a stamp — a millisecond of every review's time, for an id we never read.
        card_id=0,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=(card.due or at).astimezone(UTC),
        last_review=card.last_review.astimezone(UTC) if card.last_review else None,
    )
    updated, _log = SCHEDULER.review_card(fsrs_card, rating, review_datetime=at)
    return CardState(
        state=updated.state.value,
        step=updated.step,
        stability=updated.stability,
        difficulty=updated.difficulty,
        due=updated.due,
        last_review=updated.last_review,
    )


def retrievability(stability: float | None, last_review: datetime | None, at: datetime) -> float:
    """Expected recall probability at `at`; 0 for a card never reviewed."""
    if stability is None or last_review is None or stability <= 0:
        return 0.0
    elapsed_days = max((at - last_review).total_seconds() / 86400, 0.0)
    return (1 + FACTOR * elapsed_days / stability) ** DECAY


def epoch_days(moment: datetime) -> float:
    """Days since 1970 as a float: lets SQL compute elapsed time portably (SQLite and PostgreSQL)."""
    return (moment - EPOCH).total_seconds() / 86400


def mean(values: list[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None
