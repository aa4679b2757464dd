import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.reports.stats import change_is_real, rank, rate


@pytest.mark.parametrize(
    "part, whole, expected",
    [(1, 3, 33.3), (0, 5, 0.0), (5, 5, 100.0), (3, 0, None)],
)
def test_rate(part, whole, expected):
    assert rate(part, whole) == expected


@pytest.mark.parametrize(
    "now, before, real",
    [
        ((45, 50), (25, 50), True),  # 90 % against 50 %
        ((26, 50), (25, 50), False),  # one officer more is chance
        ((4, 4), (0, 4), False),  # too few people to say
        ((50, 50), (50, 50), False),
    ],
)
def test_a_change_is_marked_only_beyond_chance(now, before, real):
    assert change_is_real(*now, *before) is real


def test_units_under_five_officers_are_listed_but_not_ranked():
    ranked = rank([(1, 3, 4), (2, 8, 10), (3, 9, 10), (4, 4, 5)])
    assert [(r.key, r.rank) for r in ranked] == [(3, 1), (2, 2), (4, 2), (1, None)]


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)  # a shared, busy machine
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=20))
def test_every_row_appears_once_and_ranks_never_skip_backwards(pairs):
    rows = [(i, min(p, w), w) for i, (p, w) in enumerate(pairs)]
    ranked = rank(rows)
    assert sorted(r.key for r in ranked) == [r[0] for r in rows]
    ranks = [r.rank for r in ranked if r.rank is not None]
    assert ranks == sorted(ranks)
