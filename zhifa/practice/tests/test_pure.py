"""Pure modules: the rating rule, FSRS scheduling, the forgetting curve, generated items."""

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler
from hypothesis import given
from hypothesis import strategies as st

from zhifa.practice import scheduling
from zhifa.practice.generation import items_from_article, wrong_value
from zhifa.practice.rating import rating_for


@pytest.mark.parametrize(
    "correct, ms, kind, expected",
    [
        (False, 5_000, "single", Rating.Again),
        (False, None, "judge", Rating.Again),
        (True, 5_000, "single", Rating.Easy),  # 5 s ≤ 40 % of 20 s
        (True, 15_000, "single", Rating.Good),
        (True, 41_000, "single", Rating.Hard),  # more than twice 20 s
        (True, 60_000, "multiple", Rating.Good),  # multiple choice expects 35 s
        (True, None, "blank", Rating.Good),  # no timing: no claim about fluency
        (True, -3, "blank", Rating.Good),
        (True, 11 * 60_000, "single", Rating.Good),  # the phone slept
    ],
)
def test_rating_rule(correct, ms, kind, expected):
    assert rating_for(correct=correct, response_ms=ms, kind=kind) == expected


def test_scheduling_a_review_never_sleeps(monkeypatch):
    # fsrs sleeps a millisecond when a Card is made without an id (to keep its clock-stamped ids unique): a
    # millisecond of every recorded review. schedule() gives an id, so the scheduler never waits.
    import fsrs.card

    def no_sleep(seconds):
        raise AssertionError(f"fsrs slept {seconds} s while scheduling")

    monkeypatch.setattr(fsrs.card.time, "sleep", no_sleep)
    at = datetime(2026, 3, 1, 8, tzinfo=UTC)
    card = scheduling.schedule(scheduling.CardState(), Rating.Good, at)
    again = scheduling.schedule(card, Rating.Again, at + timedelta(days=2))
    assert (again.step, again.due) == (0, at + timedelta(days=2, minutes=1))  # back to the first learning step


def test_schedule_agrees_with_fsrs_itself():
    at = datetime(2026, 3, 1, 8, tzinfo=UTC)
    ours = scheduling.CardState()
    reference = Card(due=at)
    scheduler = Scheduler(enable_fuzzing=False)
    for rating in [Rating.Good, Rating.Good, Rating.Again, Rating.Good, Rating.Easy]:
        ours = scheduling.schedule(ours, rating, at)
        reference, _ = scheduler.review_card(reference, rating, review_datetime=at)
        assert ours.due == reference.due
        assert ours.stability == pytest.approx(reference.stability)
        at = ours.due + timedelta(hours=1)


def test_retrievability_matches_fsrs():
    at = datetime(2026, 3, 1, tzinfo=UTC)
    card = scheduling.schedule(
        scheduling.schedule(scheduling.CardState(), Rating.Good, at), Rating.Good, at + timedelta(days=1)
    )
    later = card.last_review + timedelta(days=7)
    reference = Card(
        state=card.state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )
    expected = Scheduler(enable_fuzzing=False).get_card_retrievability(reference, current_datetime=later)
    assert scheduling.retrievability(card.stability, card.last_review, later) == pytest.approx(expected, abs=1e-6)


@given(st.floats(0.1, 3650), st.floats(0, 3650), st.floats(0, 3650))
def test_recall_falls_with_time_and_stays_a_probability(stability, days_a, days_b):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    early, late = sorted([days_a, days_b])
    r_early = scheduling.retrievability(stability, start, start + timedelta(days=early))
    r_late = scheduling.retrievability(stability, start, start + timedelta(days=late))
    assert 0 <= r_late <= r_early <= 1


def test_a_card_never_reviewed_has_no_recall():
    assert scheduling.retrievability(None, None, datetime(2026, 1, 1, tzinfo=UTC)) == 0


HEARING = (
    "听证应当依照以下程序组织：（一）当事人要求听证的，应当在行政机关告知后五日内提出；"
    "（二）行政机关应当在举行听证的七日前，通知当事人及有关人员听证的时间、地点；"
)


def test_cloze_items_hide_the_deadlines_of_an_article():
    items = items_from_article("行政处罚法#第六十四条", HEARING, limit=10)
    blanks = [i for i in items if i.kind == "blank"]
    assert [b.answer for b in blanks] == [[["五日"]], [["七日"]]]
    assert all("____" in b.stem and b.term not in b.stem.split("：", 1)[1] for b in blanks)


def test_true_false_items_are_either_the_article_or_a_plausible_wrong_value():
    items = [i for i in items_from_article("行政处罚法#第六十四条", HEARING, limit=10) if i.kind == "judge"]
    assert items
    for item in items:
        if item.answer == [True]:
            assert item.stem.removeprefix("判断：") in HEARING
        else:
            assert item.stem.removeprefix("判断：") not in HEARING


def test_generation_is_deterministic_and_skips_articles_without_terms():
    assert items_from_article("k#第一条", HEARING) == items_from_article("k#第一条", HEARING)
    assert items_from_article("k#第二条", "行政机关应当依法履行职责，尊重和保障人权。") == []


@pytest.mark.parametrize("number, wrong", [("五", "七"), ("十五", "三十"), ("二千", "五千"), ("八", None)])
def test_wrong_values_are_neighbours(number, wrong):
    assert wrong_value(number) == wrong
