"""The save protocol as a property: whatever order batches arrive in, the stored answers are those of the
highest-seq batch that carried each question, replays change nothing, and a refused batch changes nothing."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.exams import services
from zhifa.exams.models import Answer, Attempt

batches = st.lists(
    st.tuples(
        st.integers(1, 40),
        st.dictionaries(st.integers(0, 7), st.sampled_from(["A", "B", "C", "D"]), min_size=1, max_size=4),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(arrivals=batches)
def test_the_highest_sequence_number_wins_in_any_arrival_order(running_attempt, officer, arrivals):
    Answer.objects.filter(attempt=running_attempt).delete()
    Attempt.objects.filter(pk=running_attempt.pk).update(last_seq=0)
    questions = running_attempt.paper.question_ids
    expected: dict[int, tuple[int, str]] = {}
    highest = 0
    for seq, picks in arrivals:
        answers = [services.AnswerIn(question=questions[i], response=[letter]) for i, letter in picks.items()]
        result = services.attempt_save_answers(
            attempt_id=running_attempt.pk, by=officer.user, answers=answers, seq=seq, device_token="device-1"
        )
        assert result.replay == (seq <= highest)
        if seq > highest:
            highest = seq
            for i, letter in picks.items():
                expected[questions[i]] = (seq, letter)
    stored = {a.question_id: (a.seq, a.response[0]) for a in Answer.objects.filter(attempt=running_attempt)}
    assert stored == expected
    assert Attempt.objects.get(pk=running_attempt.pk).last_seq == highest
