"""Comparisons that mean something (pure, no ORM): rates with their counts, ranks only from 5 officers, and a change
against last period marked only when a two-proportion z-test says it is larger than chance (|z| ≥ 1.96, p < 0.05)."""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_RANKED = 5  # no unit is ranked, and no rate compared, on fewer officers than this
Z_95 = 1.96


def rate(part: int, whole: int) -> float | None:
    """part / whole as a percentage with one decimal; None when there is nobody to divide by."""
    return round(100 * part / whole, 1) if whole else None


def change_is_real(part_now: int, whole_now: int, part_before: int, whole_before: int) -> bool:
    """True when the two proportions differ beyond chance (pooled two-proportion z-test, two-sided 5 %).

    Both periods need at least MIN_RANKED people; a pooled proportion of 0 or 1 never differs."""
    if whole_now < MIN_RANKED or whole_before < MIN_RANKED:
        return False
    pooled = (part_now + part_before) / (whole_now + whole_before)
    if pooled in (0.0, 1.0):
        return False
    se = math.sqrt(pooled * (1 - pooled) * (1 / whole_now + 1 / whole_before))
    z = (part_now / whole_now - part_before / whole_before) / se
    return abs(z) >= Z_95


@dataclass(frozen=True)
class Ranked:
    key: int
    part: int
    whole: int
    rate: float | None
    rank: int | None  # None: fewer than MIN_RANKED officers, not ranked


def rank(rows: list[tuple[int, int, int]]) -> list[Ranked]:
    """Rank (key, part, whole) rows by rate, highest first; rows under MIN_RANKED officers are listed unranked,
    after the ranked ones. Equal rates share a rank (1, 2, 2, 4)."""
    eligible = sorted((r for r in rows if r[2] >= MIN_RANKED), key=lambda r: -(r[1] / r[2]))
    result: list[Ranked] = []
    for i, (key, part, whole) in enumerate(eligible):
        same = result and result[-1].rate == rate(part, whole)
        result.append(Ranked(key, part, whole, rate(part, whole), result[-1].rank if same else i + 1))
    for key, part, whole in rows:
        if whole < MIN_RANKED:
            result.append(Ranked(key, part, whole, rate(part, whole), None))
    return result
