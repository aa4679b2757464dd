"""The pure rules: leaf points, the weighted tree, tiers and the excellent cap (tables and properties)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.evaluation import scoring
from zhifa.evaluation.scoring import Candidate, LeafOutcome, Node

LINEAR = {"kind": "linear", "low": 60, "high": 100}
BANDED = {"kind": "banded", "bands": [[90, 100], [75, 80], [60, 60]]}


@pytest.mark.parametrize(
    "rule, value, events, points, veto",
    [
        (LINEAR, 50, 0, 0, False),
        (LINEAR, 60, 0, 0, False),
        (LINEAR, 80, 0, 50, False),
        (LINEAR, 120, 0, 100, False),
        (LINEAR, None, 0, 0, False),
        ({**LINEAR, "missing": "full"}, None, 0, 100, False),
        ({"kind": "linear", "low": 10, "high": 0}, 2.5, 0, 75, False),  # fewer is better
        (BANDED, 95, 0, 100, False),
        (BANDED, 80, 0, 80, False),
        (BANDED, 59.9, 0, 0, False),
        ({"kind": "pass_fail", "threshold": 60}, 60, 0, 100, False),
        ({"kind": "pass_fail", "threshold": 60}, 59, 0, 0, False),
        ({"kind": "deduction", "per_event": 25}, None, 2, 50, False),
        ({"kind": "deduction", "per_event": 25}, None, 9, 0, False),
        ({"kind": "veto"}, None, 0, 100, False),
        ({"kind": "veto"}, None, 1, 100, True),
    ],
)
def test_leaf_points(rule, value, events, points, veto):
    outcome = scoring.leaf_points(rule, value, events)
    assert outcome.points == pytest.approx(points)
    assert outcome.veto is veto


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"kind": "guess"}, "评分规则的类型"),
        ({"kind": "linear", "low": 5, "high": 5}, "下限与上限不能相同"),
        ({"kind": "linear", "low": "a", "high": 5}, "参数不是数字"),
        ({"kind": "deduction", "per_event": 0}, "每次扣分须大于 0"),
        ({"kind": "banded", "bands": [[1, 200]]}, "0 到 100"),
        ({"kind": "veto", "missing": "half"}, "无数据时的得分"),
    ],
)
def test_a_bad_rule_is_explained_in_chinese(rule, message):
    assert any(message in e for e in scoring.rule_errors(rule))


def test_the_default_template_rules_are_all_valid():
    from zhifa.evaluation.template import DEFAULT_TEMPLATE

    def walk(entries):
        for _, _, _, _, _, rule, children in entries:
            if rule is not None:
                assert scoring.rule_errors(rule) == []
            walk(children)

    walk(DEFAULT_TEMPLATE)


TREE = [Node(1, None, 60), Node(2, None, 40), Node(11, 1, 50), Node(12, 1, 50), Node(21, 2, 100), Node(22, 2, 0)]


def test_the_total_is_the_weighted_sum_and_each_node_shows_its_share():
    leaves = {11: LeafOutcome(100), 12: LeafOutcome(50), 21: LeafOutcome(80), 22: LeafOutcome(100)}
    scored = scoring.score_tree(TREE, leaves)
    assert scored.total == pytest.approx(0.6 * 75 + 0.4 * 80)
    assert scored.points[1] == pytest.approx(75)
    assert scored.contribution[11] == pytest.approx(30)
    assert sum(scored.contribution[k] for k in (11, 12, 21, 22)) == pytest.approx(scored.total)
    assert not scored.veto


def test_a_veto_leaf_flags_the_officer_without_points():
    leaves = {11: LeafOutcome(100), 12: LeafOutcome(100), 21: LeafOutcome(100), 22: LeafOutcome(100, veto=True)}
    scored = scoring.score_tree(TREE, leaves)
    assert scored.total == pytest.approx(100) and scored.veto
    assert scoring.proposed_tier(scored.total, veto=scored.veto) == scoring.FAIL


def test_weights_that_do_not_sum_to_100_are_named():
    errors = scoring.weight_errors([Node(1, None, 60), Node(2, None, 30)], {})
    assert errors == ["一级指标权重合计为 90，须为 100"]
    errors = scoring.weight_errors([Node(1, None, 100), Node(11, 1, 70), Node(12, 1, 20)], {1: "学习培训"})
    assert errors == ["“学习培训”的下级指标权重合计为 90，须为 100"]


@pytest.mark.parametrize(
    "total, veto, tier",
    [(95, False, "excellent"), (90, False, "excellent"), (89.99, False, "pass"), (70, False, "pass"),
     (65, False, "basic"), (59, False, "fail"), (99, True, "fail")],
)  # fmt: skip
def test_proposed_tier(total, veto, tier):
    assert scoring.proposed_tier(total, veto=veto) == tier


def test_the_cap_keeps_the_best_and_demotes_the_rest_per_unit():
    cands = [Candidate(i, "A", 99 - i, "excellent") for i in range(5)] + [
        Candidate(10 + i, "A", 80, "pass") for i in range(5)
    ]
    tiers = scoring.apply_excellent_cap(cands, 0.2)  # 10 officers → 2 excellent
    assert [k for k, t in tiers.items() if t == "excellent"] == [0, 1]
    assert tiers[2] == tiers[3] == "pass"


def test_a_barred_officer_is_never_excellent_and_ties_at_the_cut_are_all_demoted():
    cands = [
        Candidate(1, "A", 99, "excellent", barred=True),
        Candidate(2, "A", 95, "excellent"),
        Candidate(3, "A", 95, "excellent"),
    ] + [Candidate(10 + i, "A", 70, "pass") for i in range(7)]
    tiers = scoring.apply_excellent_cap(cands, 0.2)  # quota 2, but 2 and 3 tie for the second place with 1 barred
    assert tiers[1] == "pass"
    assert tiers[2] == tiers[3] == "excellent"
    tiers = scoring.apply_excellent_cap(cands, 0.1)  # quota 1: the tie cannot be split, both demoted
    assert tiers[2] == tiers[3] == "pass"


@pytest.mark.parametrize(
    "cap, approved, ok",
    [(0.20, False, True), (0.25, False, False), (0.25, True, True), (0.30, True, False), (-0.1, True, False)],
)
def test_the_cap_needs_an_approval_above_20_percent_and_never_exceeds_25(cap, approved, ok):
    assert (scoring.cap_errors(cap, approved=approved) == []) is ok


candidate_lists = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C"]),
        st.floats(min_value=0, max_value=100, allow_nan=False),
        st.booleans(),
        st.booleans(),
    ),
    max_size=60,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(candidate_lists, st.sampled_from([0.0, 0.1, 0.2, 0.25]))
def test_the_cap_holds_in_every_unit_and_never_promotes(rows, cap):
    cands = []
    for i, (group, total, veto, barred) in enumerate(rows):
        cands.append(Candidate(i, group, total, scoring.proposed_tier(total, veto=veto), barred=barred or veto))
    tiers = scoring.apply_excellent_cap(cands, cap)
    for group in "ABC":
        members = [c for c in cands if c.group == group]
        excellent = [c for c in members if tiers[c.key] == "excellent"]
        assert len(excellent) <= scoring.excellent_quota(len(members), cap)
        # Nobody excellent is barred, and nobody not excellent outranks an excellent one of the same unit unless
        # barred or not eligible by score.
        assert not any(c.barred for c in excellent)
        for c in members:
            if tiers[c.key] != "excellent" and c.tier == "excellent" and not c.barred:
                assert all(c.total <= e.total for e in excellent)
    for c in cands:  # the cap only ever demotes excellent to pass
        assert tiers[c.key] == c.tier or (c.tier == "excellent" and tiers[c.key] == "pass")


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=4, max_size=4),
    st.floats(min_value=0, max_value=100, allow_nan=False),
)
def test_the_total_stays_within_0_and_100(points, weight):
    tree = [Node(1, None, weight), Node(2, None, 100 - weight), Node(11, 1, 50), Node(12, 1, 50), Node(21, 2, 30),
            Node(22, 2, 70)]  # fmt: skip
    leaves = dict(zip([11, 12, 21, 22], [LeafOutcome(p) for p in points], strict=True))
    total = scoring.score_tree(tree, leaves).total
    assert -1e-9 <= total <= 100 + 1e-9
    assert min(points) - 1e-9 <= total <= max(points) + 1e-9


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 100))
def test_every_rule_gives_points_between_0_and_100(value, events):
    for rule in (LINEAR, BANDED, {"kind": "pass_fail", "threshold": 3}, {"kind": "deduction", "per_event": 7}):
        assert 0 <= scoring.leaf_points(rule, value, events).points <= 100


RULES = [LINEAR, BANDED, {**LINEAR, "missing": "full"}, {"kind": "pass_fail", "threshold": 3},
         {"kind": "deduction", "per_event": 7}, {"kind": "veto"}]  # fmt: skip


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.floats(min_value=-50, max_value=200, allow_nan=False)), st.integers(0, 9)),
        min_size=1,
        max_size=20,
    )
)
def test_the_array_form_gives_the_same_points_and_totals_as_officer_by_officer(rows):
    values = np.array([np.nan if v is None else v for v, _ in rows])
    events = np.array([e for _, e in rows], dtype=float)
    for rule in RULES:
        points, veto = scoring.leaf_points_array(rule, values, events)
        for i, (v, e) in enumerate(rows):
            one = scoring.leaf_points(rule, v, e)
            assert points[i] == pytest.approx(one.points) and bool(veto[i]) == one.veto
    leaves = {
        11: np.full(len(rows), 40.0),
        12: np.nan_to_num(values, nan=0.0).clip(0, 100),
        21: events * 10,
        22: events * 0,
    }
    totals, _, contribution = scoring.score_matrix(TREE, leaves)
    for i in range(len(rows)):
        one = scoring.score_tree(TREE, {k: LeafOutcome(float(v[i])) for k, v in leaves.items()})
        assert totals[i] == pytest.approx(one.total)
        assert contribution[12][i] == pytest.approx(one.contribution[12])
