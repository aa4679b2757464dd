"""The pure token and geofence modules, with tables of cases."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.classes import checkin_tokens as t
from zhifa.classes import geofence

NOW = datetime(2026, 5, 1, 9, 0, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    "shift, accepted",
    [(0, True), (-15, True), (-22, True), (-30, False), (-45, False), (15, False)],
)
def test_current_and_previous_steps_only(shift, accepted):
    step = t.step_at(NOW + timedelta(seconds=shift), 15)
    token = t.token_make(session_id=7, step=step)
    if accepted:
        assert t.token_check(token, session_id=7, now=NOW, step_seconds=15).step == step
    else:
        with pytest.raises(t.TokenError):
            t.token_check(token, session_id=7, now=NOW, step_seconds=15)


def test_other_session_and_forgery():
    token = t.token_make(session_id=7, step=t.step_at(NOW, 15))
    with pytest.raises(t.OtherSessionToken):
        t.token_check(token, session_id=8, now=NOW, step_seconds=15)
    with pytest.raises(t.ForgedToken):
        t.token_check(token[:-2] + "xx", session_id=7, now=NOW, step_seconds=15)
    with pytest.raises(t.ForgedToken):
        t.token_read("7.1.sideways:" + token.split(":")[-1])


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=0, max_value=10**8), st.sampled_from(t.ACTIONS))
def test_a_token_reads_back_what_was_signed(session_id, step, action):
    assert t.token_read(t.token_make(session_id=session_id, step=step, action=action)) == t.Token(
        session_id, step, action
    )


@pytest.mark.parametrize(
    "lat, lng, radius, inside",
    [
        (30.0, 120.0, 50, True),
        (30.0004, 120.0, 50, True),  # ~44 m north
        (30.0009, 120.0, 50, False),  # ~100 m north
        (30.0, 120.001, 100, True),  # ~96 m east at 30°N
        (95.0, 120.0, 5000, False),  # not a position
    ],
)
def test_geofence(lat, lng, radius, inside):
    assert geofence.within(lat=lat, lng=lng, centre_lat=30.0, centre_lng=120.0, radius_m=radius) is inside
