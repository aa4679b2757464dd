"""Scoring rules, weights and tiers as pure functions (no ORM): what an indicator value is worth, and what a total
becomes.

A leaf's rule turns its raw value (a percentage, a mean score, a count of events) into 0–100 points; a parent's
score is the weighted sum of its children (weights in percent, summing to 100 within each parent); the total is
the root's score. A veto leaf adds no points: it flags the officer, and a flagged officer is 不合格.

Rules are data (JSON on the indicator):
    {"kind": "linear", "low": 60, "high": 100}        0 points at/below low, 100 at/above high, linear between
    {"kind": "banded", "bands": [[90, 100], [75, 80], [60, 60]]}   the points of the highest band reached, else 0
    {"kind": "pass_fail", "threshold": 60}           100 when value ≥ threshold, else 0
    {"kind": "deduction", "per_event": 20}           100 − per_event × events, never below 0
    {"kind": "veto"}                                 any event vetoes; no points of its own
Optional on every rule: "missing": "zero" | "full" — the points when the officer has no value (default zero).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

KINDS = {
    "linear": "线性（阈值之间按比例）",
    "banded": "分档",
    "pass_fail": "达标/不达标",
    "deduction": "按次扣分",
    "veto": "一票否决",
}

EXCELLENT, PASS, BASIC, FAIL = "excellent", "pass", "basic", "fail"
TIER_LABELS = {EXCELLENT: "优秀", PASS: "合格", BASIC: "基本合格", FAIL: "不合格"}
DEFAULT_THRESHOLDS = {"excellent": 90.0, "pass": 70.0, "basic": 60.0}


@dataclass(frozen=True)
class LeafOutcome:
    points: float  # 0–100
    veto: bool = False
    note: str = ""


def _num(rule: Mapping, key: str) -> float:
    return float(rule[key])


def rule_errors(rule: object) -> list[str]:
    """What is wrong with a rule, in Chinese; [] when it is usable."""
    if not isinstance(rule, Mapping) or rule.get("kind") not in KINDS:
        return [f"评分规则的类型须为：{'、'.join(KINDS.values())}"]
    kind, errors = rule["kind"], []
    try:
        if kind == "linear":
            if _num(rule, "low") == _num(rule, "high"):
                errors.append("线性规则的下限与上限不能相同")
        elif kind == "banded":
            bands = rule.get("bands") or []
            if not bands or not all(isinstance(b, Sequence) and len(b) == 2 for b in bands):
                errors.append("分档规则须列出各档的“起点, 得分”")
            elif any(not 0 <= float(points) <= 100 for _, points in bands):
                errors.append("分档得分须在 0 到 100 之间")
        elif kind == "pass_fail":
            _num(rule, "threshold")
        elif kind == "deduction" and _num(rule, "per_event") <= 0:
            errors.append("每次扣分须大于 0")
    except (KeyError, TypeError, ValueError):
        errors.append(f"“{KINDS[kind]}”规则缺少数值参数或参数不是数字")
    if rule.get("missing", "zero") not in ("zero", "full"):
        errors.append("无数据时的得分须为“zero”（0 分）或“full”（满分）")
    return errors


def leaf_points(rule: Mapping, value: float | None, events: int = 0) -> LeafOutcome:
    """The points (0–100) a rule gives a value; `events` counts deductions or veto occurrences."""
    kind = rule["kind"]
    if kind == "veto":
        return LeafOutcome(100.0, veto=events > 0, note="一票否决" if events > 0 else "无否决事项")
    if kind == "deduction":
        lost = _num(rule, "per_event") * max(events, 0)
        return LeafOutcome(max(0.0, 100.0 - lost), note=f"{events} 次，每次扣 {_fmt(_num(rule, 'per_event'))} 分")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        full = rule.get("missing", "zero") == "full"
        return LeafOutcome(100.0 if full else 0.0, note="无数据，按满分计" if full else "无数据，按 0 分计")
    if kind == "linear":
        low, high = _num(rule, "low"), _num(rule, "high")
        fraction = (value - low) / (high - low)
        return LeafOutcome(100.0 * min(1.0, max(0.0, fraction)), note=f"{_fmt(low)}→0 分，{_fmt(high)}→100 分")
    if kind == "banded":
        reached = [float(p) for start, p in rule["bands"] if value >= float(start)]
        return LeafOutcome(max(reached, default=0.0), note="分档计分")
    if kind == "pass_fail":
        ok = value >= _num(rule, "threshold")
        return LeafOutcome(
            100.0 if ok else 0.0, note=("达标" if ok else "未达标") + f"（{_fmt(_num(rule, 'threshold'))}）"
        )
    raise ValueError(f"unknown rule kind {kind!r}")


def _fmt(x: float) -> str:
    return f"{x:g}"


# --- the tree ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One indicator as the calculation sees it: `weight` in percent of its parent (0 allowed only for veto)."""

    id: int
    parent_id: int | None
    weight: float
    rule: Mapping | None = None  # None for a group


def weight_errors(nodes: Iterable[Node], names: Mapping[int, str] | None = None) -> list[str]:
    """Each parent's children must weigh 100 in total; names the parent (by its name when given)."""
    sums: dict[int | None, float] = defaultdict(float)
    for node in nodes:
        sums[node.parent_id] += node.weight
    names = names or {}
    errors = []
    for parent, total in sums.items():
        if abs(total - 100.0) > 1e-6:
            label = "一级指标" if parent is None else f"“{names.get(parent, parent)}”的下级指标"
            errors.append(f"{label}权重合计为 {total:g}，须为 100")
    return errors


@dataclass
class Scored:
    total: float
    veto: bool
    points: dict[int, float] = field(default_factory=dict)  # every node's own 0–100 score
    contribution: dict[int, float] = field(default_factory=dict)  # its share of the total (points × path weights)


def score_tree(nodes: Sequence[Node], leaves: Mapping[int, LeafOutcome]) -> Scored:
    """Weighted sum up the tree; `nodes` in any order, `leaves` the outcome of every leaf."""
    children: dict[int | None, list[Node]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    result = Scored(total=0.0, veto=any(o.veto for o in leaves.values()))

    def visit(node: Node, share: float) -> float:
        kids = children.get(node.id)
        if not kids:
            points = leaves[node.id].points
        else:
            points = sum(k.weight / 100.0 * visit(k, share * k.weight / 100.0) for k in kids)
        result.points[node.id] = points
        result.contribution[node.id] = points * share
        return points

    result.total = sum(r.weight / 100.0 * visit(r, r.weight / 100.0) for r in children[None])
    return result


# --- tiers ---------------------------------------------------------------------------------------------------------


def proposed_tier(total: float, *, veto: bool, thresholds: Mapping[str, float] | None = None) -> str:
    """The tier a score earns before the cap: a veto is always 不合格."""
    t = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    if veto:
        return FAIL
    if total >= t["excellent"]:
        return EXCELLENT
    if total >= t["pass"]:
        return PASS
    if total >= t["basic"]:
        return BASIC
    return FAIL


@dataclass(frozen=True)
class Candidate:
    key: int  # officer id
    group: str  # the unit the cap is counted in
    total: float
    tier: str  # proposed
    barred: bool = False  # a veto or a 基本合格/不合格 finding this year: never 优秀


def excellent_quota(headcount: int, cap: float) -> int:
    """How many of a unit's officers may be 优秀 under the cap (rounded down; a rounding error never adds one)."""
    return math.floor(headcount * cap + 1e-9)


def apply_excellent_cap(candidates: Sequence[Candidate], cap: float) -> dict[int, str]:
    """Final tiers: per unit, the best-scored eligible candidates up to the quota stay 优秀, the rest become 合格.

    Ties at the cut are all demoted (an officer is never excellent where an equal score is not).
    """
    tiers = {c.key: (PASS if c.tier == EXCELLENT and c.barred else c.tier) for c in candidates}
    by_group: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        by_group[c.group].append(c)
    for members in by_group.values():
        quota = excellent_quota(len(members), cap)
        eligible = sorted((c for c in members if tiers[c.key] == EXCELLENT), key=lambda c: -c.total)
        if len(eligible) <= quota:
            continue
        cut = eligible[quota].total
        for c in eligible:
            if c.total <= cut:
                tiers[c.key] = PASS
    return tiers


def cap_errors(cap: float, *, approved: bool, default: float = 0.20, ceiling: float = 0.25) -> list[str]:
    """The excellent share may exceed the default only with a recorded approval, and never the ceiling."""
    if cap < 0 or cap > ceiling:
        return [f"优秀比例须在 0 到 {ceiling:.0%} 之间"]
    if cap > default + 1e-9 and not approved:
        return [f"优秀比例超过 {default:.0%} 须填写审批依据"]
    return []


# --- the same rules over arrays (the assessment of a whole province) -----------------------------------------------


def leaf_points_array(rule: Mapping, values: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """leaf_points for many officers at once: `values` with NaN where an officer has no value; returns the points
    and the veto flags (the same numbers as leaf_points, officer by officer)."""
    kind, n = rule["kind"], len(values)
    no_veto = np.zeros(n, dtype=bool)
    if kind == "veto":
        return np.full(n, 100.0), events > 0
    if kind == "deduction":
        return np.maximum(0.0, 100.0 - _num(rule, "per_event") * np.maximum(events, 0)), no_veto
    missing = np.isnan(values)
    filled = np.where(missing, 0.0, values)
    points: np.ndarray
    if kind == "linear":
        low, high = _num(rule, "low"), _num(rule, "high")
        points = 100.0 * np.clip((filled - low) / (high - low), 0.0, 1.0)
    elif kind == "banded":
        points = np.zeros(n)
        for start, band in rule["bands"]:
            points = np.where(filled >= float(start), np.maximum(points, float(band)), points)
    elif kind == "pass_fail":
        points = np.where(filled >= _num(rule, "threshold"), 100.0, 0.0)
    else:
        raise ValueError(f"unknown rule kind {kind!r}")
    return np.where(missing, 100.0 if rule.get("missing", "zero") == "full" else 0.0, points), no_veto


def score_matrix(nodes: Sequence[Node], leaf_points: Mapping[int, np.ndarray]) -> tuple[np.ndarray, dict, dict]:
    """score_tree over arrays: (totals, {node: points}, {node: contribution}) for every officer at once."""
    children: dict[int | None, list[Node]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    points: dict[int, np.ndarray] = {}
    contribution: dict[int, np.ndarray] = {}
    n = len(next(iter(leaf_points.values()))) if leaf_points else 0

    def visit(node: Node, share: float) -> np.ndarray:
        kids = children.get(node.id)
        if not kids:
            value = leaf_points[node.id]
        else:
            value = sum((k.weight / 100.0 * visit(k, share * k.weight / 100.0) for k in kids), np.zeros(n))
        points[node.id] = value
        contribution[node.id] = value * share
        return value

    total = sum((r.weight / 100.0 * visit(r, r.weight / 100.0) for r in children[None]), np.zeros(n))
    return total, points, contribution
