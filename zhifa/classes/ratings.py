"""Aggregating anonymous class ratings (pure): nothing is shown below the threshold of responses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MIN_RESPONSES = 5  # below this, a mean could point at a person (DESIGN.md §8: hidden below 5 responses)
DIMENSIONS = (("content", "内容"), ("usefulness", "对执法工作的帮助"), ("delivery", "讲授"))


@dataclass(frozen=True)
class RatingSummary:
    count: int
    shown: bool
    means: dict[str, float]  # empty when not shown
    comments: list[str]  # empty when not shown; shuffled order is the caller's (sorted here, never by time)

    @property
    def overall(self) -> float | None:
        return round(sum(self.means.values()) / len(self.means), 2) if self.means else None


def summarise(rows: Sequence[Mapping[str, Any]], *, threshold: int = MIN_RESPONSES) -> RatingSummary:
    """Means per dimension and the comments, only when there are at least `threshold` responses."""
    count = len(rows)
    if count < threshold:
        return RatingSummary(count=count, shown=False, means={}, comments=[])
    means = {key: round(sum(r[key] for r in rows) / count, 2) for key, _ in DIMENSIONS}
    comments = sorted(c for c in (r.get("comment", "").strip() for r in rows) if c)
    return RatingSummary(count=count, shown=True, means=means, comments=comments)
