"""Fair results (pure, no ORM): the 5-response floor and the Bayesian average towards the unit mean.

The rule (docs/surveys.md): an officer with n counted responses whose scores (each the mean of the four ratings,
1–5) sum to S, in a unit whose counted responses have mean m, gets

    smoothed = (C · m + S) / (C + n)         with the prior weight C = PRIOR_WEIGHT (10)

and it is shown only when n ≥ MIN_SHOWN (5). With no responses in the unit at all, m = NEUTRAL_MEAN (3.0).
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_SHOWN = 5
PRIOR_WEIGHT = 10
NEUTRAL_MEAN = 3.0


@dataclass(frozen=True)
class Satisfaction:
    """An officer's satisfaction in a period. mean and smoothed are None when there is no counted response;
    shown is False below MIN_SHOWN responses (callers must then not display or use the scores)."""

    count: int
    mean: float | None
    smoothed: float | None
    shown: bool


def smoothed_score(*, total: float, count: int, prior_mean: float, prior_weight: float = PRIOR_WEIGHT) -> float:
    """The Bayesian average (prior_weight · prior_mean + total) / (prior_weight + count)."""
    return (prior_weight * prior_mean + total) / (prior_weight + count)


def satisfaction(*, count: int, total: float, prior_mean: float | None) -> Satisfaction:
    """The officer's Satisfaction from his count and score total and his unit's mean (None: no unit data)."""
    if count == 0:
        return Satisfaction(count=0, mean=None, smoothed=None, shown=False)
    prior = NEUTRAL_MEAN if prior_mean is None else prior_mean
    return Satisfaction(
        count=count,
        mean=round(total / count, 4),
        smoothed=round(smoothed_score(total=total, count=count, prior_mean=prior), 4),
        shown=count >= MIN_SHOWN,
    )


def response_score(ratings: list[int]) -> float:
    """One response's score: the mean of its four ratings."""
    return sum(ratings) / len(ratings)
