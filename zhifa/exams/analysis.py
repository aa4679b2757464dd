"""Item analysis (classical test theory): difficulty, discrimination, distractors, reliability. No ORM here.

Scores are fractions of an item's points (0..1, so partial credit counts), totals are paper totals. Every function
returns None when the statistic is undefined (no variance, too few examinees) instead of inventing a number.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

LOW_DISCRIMINATION = 0.2  # below this a question is flagged for review (the usual classroom threshold)
GROUP_FRACTION = 0.27  # Kelley's upper / lower 27 %


def difficulty(item_scores: Sequence[float]) -> float | None:
    """p: the mean fraction of the item's points earned (higher = easier); None without examinees."""
    return float(np.mean(item_scores)) if len(item_scores) else None


def point_biserial(item_scores: Sequence[float], total_scores: Sequence[float]) -> float | None:
    """Correlation of one item with the total; None when either side has no variance."""
    if len(item_scores) != len(total_scores) or len(item_scores) < 2:
        return None
    item, total = np.asarray(item_scores, float), np.asarray(total_scores, float)
    sd_item, sd_total = item.std(), total.std()
    if sd_item < 1e-12 or sd_total < 1e-12:
        return None
    return float(((item - item.mean()) * (total - total.mean())).mean() / (sd_item * sd_total))


def upper_lower_index(
    item_scores: Sequence[float], total_scores: Sequence[float], fraction: float = GROUP_FRACTION
) -> float | None:
    """D = p(upper group) − p(lower group), groups being the top and bottom `fraction` by total; None if < 2 each."""
    n = len(item_scores)
    size = math.floor(n * fraction + 0.5)
    if n != len(total_scores) or size < 2 or 2 * size > n:
        return None
    # A stable sort on the total keeps ties in examinee order, so the groups are reproducible.
    order = sorted(range(n), key=lambda i: total_scores[i])
    lower = [item_scores[i] for i in order[:size]]
    upper = [item_scores[i] for i in order[-size:]]
    return float(np.mean(upper) - np.mean(lower))


def distractor_shares(choices: Sequence[Sequence[str] | None], labels: Sequence[str]) -> dict[str, float]:
    """Share of examinees choosing each option label (multiple choice counts every label picked); blank → ""."""
    n = len(choices)
    counts: Counter[str] = Counter()
    for picked in choices:
        if not picked:
            counts[""] += 1
        for label in set(picked or ()):
            counts[label] += 1
    shares = {label: (counts[label] / n if n else 0.0) for label in labels}
    shares[""] = counts[""] / n if n else 0.0
    return shares


def cronbach_alpha(matrix: Sequence[Sequence[float]]) -> float | None:
    """α for an examinees × items score matrix; None with < 2 items, < 2 examinees or no total variance."""
    scores = np.asarray(matrix, float)
    if scores.ndim != 2 or scores.shape[0] < 2 or scores.shape[1] < 2:
        return None
    k = scores.shape[1]
    total_var = scores.sum(axis=1).var()
    if total_var < 1e-12:
        return None
    return float(k / (k - 1) * (1 - scores.var(axis=0).sum() / total_var))


def kr20(matrix: Sequence[Sequence[float]]) -> float | None:
    """KR-20 for dichotomous (0/1) items; it equals α on such data. None when undefined."""
    scores = np.asarray(matrix, float)
    if scores.size and not np.isin(scores, (0.0, 1.0)).all():
        raise ValueError("KR-20 只适用于 0/1 计分的试题；有部分得分时请使用 Cronbach α。")
    if scores.ndim != 2 or scores.shape[0] < 2 or scores.shape[1] < 2:
        return None
    k = scores.shape[1]
    p = scores.mean(axis=0)
    total_var = scores.sum(axis=1).var()
    if total_var < 1e-12:
        return None
    return float(k / (k - 1) * (1 - (p * (1 - p)).sum() / total_var))


@dataclass
class ItemStats:
    question: int
    n: int
    p: float | None
    point_biserial: float | None
    upper_lower: float | None
    distractors: dict[str, float]
    flag: str  # "" | "low" | "negative"

    @property
    def flag_label(self) -> str:
        return {"low": "区分度低", "negative": "区分度为负", "": ""}[self.flag]


def flag_for(discrimination: float | None) -> str:
    """ "negative" below 0, "low" below LOW_DISCRIMINATION, "" otherwise or when undefined."""
    if discrimination is None:
        return ""
    if discrimination < 0:
        return "negative"
    return "low" if discrimination < LOW_DISCRIMINATION else ""


def analyse_items(
    matrix: Sequence[Sequence[float]],
    questions: Sequence[int],
    choices: Sequence[Sequence[Sequence[str] | None]] | None = None,
    labels: Sequence[Sequence[str]] | None = None,
) -> list[ItemStats]:
    """Per-item statistics for an examinees × items matrix of score fractions (columns in `questions` order).

    `choices[j]` lists each examinee's picked labels for item j (choice questions), `labels[j]` its options.
    """
    scores = np.asarray(matrix, float).reshape(len(matrix), len(questions))
    totals = scores.sum(axis=1).tolist()
    result = []
    for j, qid in enumerate(questions):
        column = scores[:, j].tolist()
        rpb = point_biserial(column, totals)
        result.append(
            ItemStats(
                question=qid,
                n=len(column),
                p=difficulty(column),
                point_biserial=rpb,
                upper_lower=upper_lower_index(column, totals),
                distractors=distractor_shares(choices[j], labels[j]) if choices and labels and labels[j] else {},
                flag=flag_for(rpb),
            )
        )
    return result


def reliability(matrix: Sequence[Sequence[float]]) -> dict[str, float | None]:
    """KR-20 when every score is 0/1 (else None) and Cronbach's α."""
    scores = np.asarray(matrix, float)
    dichotomous = bool(scores.size) and bool(np.isin(scores, (0.0, 1.0)).all())
    return {"kr20": kr20(matrix) if dichotomous else None, "alpha": cronbach_alpha(matrix)}


def score_histogram(totals: Sequence[float], maximum: float, bins: int = 10) -> list[dict]:
    """Counts of totals per band of the maximum score, for the distribution chart (the last band is closed)."""
    if maximum <= 0:
        return []
    width = maximum / bins
    counts = [0] * bins
    for t in totals:
        counts[min(int(t / width), bins - 1) if t >= 0 else 0] += 1
    return [{"from": round(i * width, 2), "to": round((i + 1) * width, 2), "count": counts[i]} for i in range(bins)]


@dataclass
class Observation:
    """One examinee's sitting of one question: the fraction of its points earned, the fraction of the paper's
    points the examinee earned in total, and the option labels picked (choice questions; None otherwise)."""

    exam: int
    score: float
    total: float
    choice: Sequence[str] | None = None


def analyse_across(
    observations: dict[int, list[Observation]], labels: Mapping[int, Sequence[str]]
) -> list[tuple[ItemStats, int]]:
    """Per-question statistics pooled over every exam that used the question, with how many exams that was.

    Totals are fractions of each paper's maximum so that papers of different lengths compare; the point-biserial
    and the upper / lower 27 % groups are taken over all the question's examinees.
    """
    result = []
    for qid, obs in observations.items():
        scores, totals = [o.score for o in obs], [o.total for o in obs]
        rpb = point_biserial(scores, totals)
        options = labels.get(qid) or ()
        stats = ItemStats(
            question=qid,
            n=len(obs),
            p=difficulty(scores),
            point_biserial=rpb,
            upper_lower=upper_lower_index(scores, totals),
            distractors=distractor_shares([o.choice for o in obs], options) if options else {},
            flag=flag_for(rpb),
        )
        result.append((stats, len({o.exam for o in obs})))
    return result
