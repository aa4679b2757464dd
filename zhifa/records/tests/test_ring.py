"""The server-drawn hours ring."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.records.ring import INNER, OUTER, arc_path, ring_segments


def points(d):
    """The four corners of a segment's path: M outer-start A … outer-end L inner-end A … inner-start."""
    t = d.split()
    return [
        (float(t[1]), float(t[2])),
        (float(t[9]), float(t[10])),
        (float(t[12]), float(t[13])),
        (float(t[20]), float(t[21])),
    ]


def sweeps(segments):
    """The angle each segment covers, read back from its path's start and end points on the outer circle."""
    result = []
    for segment in segments:
        (x0, y0), (x1, y1) = points(segment.d)[:2]
        a0, a1 = math.atan2(y0, x0), math.atan2(y1, x1)
        result.append((a1 - a0) % (2 * math.pi))
    return result


def test_each_category_has_its_earned_and_missing_share_of_the_ring():
    segments = ring_segments(
        [("legal", "法律知识", 15, 15), ("skill", "业务技能", 0, 20), ("ethics", "职业道德", 10, 0)]
    )
    assert [s.color for s in segments] == ["#b3261e", "#f3d3d0", "#d2deef", "#1f7a3a"]
    assert [a / (2 * math.pi) * 60 for a in sweeps(segments)] == pytest.approx([15, 15, 20, 10], abs=1e-3)


def test_a_single_category_or_nothing_at_all_is_a_whole_ring():
    assert len(ring_segments([("legal", "法律知识", 30, 0)])) == 2
    assert [s.title for s in ring_segments([])] == ["暂无学时要求", "暂无学时要求"]


@given(st.lists(st.tuples(st.floats(0, 500), st.floats(0, 500)), min_size=1, max_size=3))
def test_the_segments_always_close_the_ring(values):
    parts = [
        (code, code, earned, missing)
        for code, (earned, missing) in zip(["legal", "skill", "ethics"], values, strict=False)
    ]
    total = sum(sweeps(ring_segments(parts)))
    assert math.isclose(total, 2 * math.pi, rel_tol=1e-3)


def test_a_segment_runs_along_the_outer_circle_and_back_along_the_inner_one():
    radii = [round(math.hypot(x, y), 2) for x, y in points(arc_path(0.3, 2.0))]
    assert radii == [OUTER, OUTER, INNER, INNER]
