"""The spread of penalty decisions for the same facts (同案不同罚), against the discretion benchmark. Pure."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0]
    position = q * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def five_numbers(values: Sequence[float]) -> list[float]:
    """[min, Q1, median, Q3, max] (linear interpolation), the order ECharts' boxplot expects."""
    ordered = sorted(values)
    return [ordered[0], _quantile(ordered, 0.25), _quantile(ordered, 0.5), _quantile(ordered, 0.75), ordered[-1]]


def histogram(values: Sequence[float], *, low: float, high: float, bins: int = 10) -> list[dict]:
    """Equal-width bins over [min(values, low), max(values, high)], each with its range and count."""
    if not values:
        return []
    start, end = min(min(values), low), max(max(values), high)
    width = (end - start) / bins or 1.0
    counts = [0] * bins
    for value in values:
        counts[min(int((value - start) / width), bins - 1)] += 1
    return [{"from": start + i * width, "to": start + (i + 1) * width, "count": c} for i, c in enumerate(counts)]


def spread_summary(rows: Sequence[dict], *, low: float, high: float, measures: Sequence[str]) -> dict:
    """Overall and per-unit spread of decisions (`rows`: amount, measure, unit) against the benchmark range."""

    def within(row: dict) -> bool:
        return low <= row["amount"] <= high and (not measures or row["measure"] in measures)

    def summary(group: Sequence[dict]) -> dict:
        amounts = [r["amount"] for r in group]
        mean = statistics.fmean(amounts)
        return {
            "count": len(group),
            "box": five_numbers(amounts),
            "mean": mean,
            "cv": statistics.pstdev(amounts) / mean if mean else 0.0,
            "within_share": sum(within(r) for r in group) / len(group),
            "below": sum(r["amount"] < low for r in group),
            "above": sum(r["amount"] > high for r in group),
            "measures": Counter(r["measure"] for r in group).most_common(),
        }

    if not rows:
        return {"overall": None, "units": []}
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_unit[row["unit"]].append(row)
    return {
        "overall": summary(rows),
        "units": [{"unit": unit, **summary(group)} for unit, group in sorted(by_unit.items())],
        "histogram": histogram([r["amount"] for r in rows], low=low, high=high),
    }
