"""The interval union and the heartbeat plausibility check (pure)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.courses import intervals
from zhifa.courses.intervals import BeatClaim, judge


@pytest.mark.parametrize(
    "given_intervals, expected",
    [
        ([], []),
        ([[0, 10]], [(0, 10)]),
        ([[0, 10], [5, 15]], [(0, 15)]),
        ([[0, 10], [10, 20]], [(0, 20)]),
        ([[20, 30], [0, 10]], [(0, 10), (20, 30)]),
        ([[0, 10], [2, 3]], [(0, 10)]),
        ([[5, 5], [7, 6]], []),
    ],
)
def test_normalise_merges_overlapping_and_touching_intervals(given_intervals, expected):
    assert intervals.normalise(given_intervals) == expected


def test_rewatching_adds_nothing_to_the_union_but_counts_against_the_wall_clock():
    watched = [[0, 30], [0, 30], [10, 20]]
    assert intervals.total(watched) == 30
    assert intervals.raw_length(watched) == 70


span = st.tuples(st.integers(0, 4000), st.integers(0, 800)).map(lambda t: (t[0] / 4, (t[0] + t[1]) / 4))
relaxed = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)  # the machine is shared and busy


@relaxed
@given(st.lists(span, max_size=20), st.lists(span, max_size=20))
def test_union_properties(a, b):
    merged = intervals.union(a, b)
    assert all(s < e for s, e in merged)
    assert all(merged[i][1] < merged[i + 1][0] for i in range(len(merged) - 1))  # disjoint, sorted
    assert intervals.total(merged) <= intervals.raw_length(a) + intervals.raw_length(b) + 1e-6
    assert intervals.total(merged) >= max(intervals.total(a), intervals.total(b)) - 1e-6
    assert intervals.union(b, a) == merged  # order does not matter
    assert intervals.union(merged, a) == merged  # idempotent


@relaxed
@given(st.lists(span, max_size=20), st.floats(1, 1200))
def test_share_watched_is_a_share(watched, duration):
    assert 0 <= intervals.share_watched(watched, duration) <= 1


def claim(**overrides) -> BeatClaim:
    base = dict(
        intervals=[[0, 12]],
        rate=1.0,
        seq=1,
        duration=100,
        furthest=0,
        completed=False,
        last_seq=0,
        wall_seconds=12,
        rate_cap=2.0,
    )
    return BeatClaim(**{**base, **overrides})


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({}, ""),
        ({"rate": 2.0, "intervals": [[0, 24]]}, ""),  # double speed within the cap
        ({"seq": 1, "last_seq": 1}, "replayed"),
        ({"rate": 3.0}, "rate"),
        ({"intervals": [[0, 120]], "wall_seconds": 200}, "future"),  # beyond the end of the video
        ({"intervals": [[50, 62]], "furthest": 12}, "future"),  # skipped ahead of what was watched
        ({"intervals": [[13, 25]], "furthest": 12}, ""),  # within the seek slack
        ({"intervals": [[50, 62]], "furthest": 12, "completed": True}, ""),  # a completed lesson: free seeking
        ({"intervals": [[0, 60]], "wall_seconds": 12}, "too_fast"),  # 60 s of video in 12 s
        ({"intervals": [[0, 12], [0, 12], [0, 12]], "wall_seconds": 12}, "too_fast"),  # overlapping replays
        ({"intervals": [[10, 5]]}, "malformed"),
        ({"intervals": [[1, 2, 3]]}, "malformed"),
        ({"intervals": [[0, float("nan")]]}, "malformed"),
        ({"intervals": [[float("-inf"), 5]]}, "malformed"),
    ],
)
def test_judge(overrides, code):
    verdict = judge(claim(**overrides))
    assert verdict.code == code
    assert verdict.ok == (code == "")
    if code:
        assert verdict.message  # a Chinese explanation for the player


@relaxed
@given(st.floats(0.1, 600), st.floats(0.25, 2.0))
def test_real_time_playback_is_always_accepted(seconds, rate):
    verdict = judge(claim(intervals=[[0, min(100, seconds * rate)]], rate=rate, wall_seconds=seconds))
    assert verdict.ok
