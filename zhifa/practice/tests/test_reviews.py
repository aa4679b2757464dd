"""Stories of an officer practising: scheduling, replays, offline order, clock skew, the mistakes book, points."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from zhifa.practice import queries, services
from zhifa.practice.models import DailyActivity, Mistake, PracticeSettings, ReviewCard, ReviewLog

TZ = ZoneInfo("Asia/Shanghai")


def right_response(question):
    if question.kind == "judge":
        return question.answer[0]
    if question.kind == "blank":
        return [accepted[0] for accepted in question.answer]
    return question.answer


def review(officer, question, response, client_id, at, ms=15_000, now=None):
    return services.review_record(
        officer=officer,
        question=question,
        response=response,
        response_ms=ms,
        client_id=client_id,
        reviewed_at=at,
        now=now or at,
    )


def test_a_right_answer_schedules_the_card_and_counts_for_the_day(officer, bank):
    question = bank["questions"][0]
    at = datetime(2026, 5, 4, 9, tzinfo=TZ)
    outcome = review(officer, question, ["B"], "c1", at)
    assert outcome.correct and not outcome.duplicate
    card = ReviewCard.objects.get(officer=officer)
    assert card.due > at and card.reps == 1 and card.last_review == at
    day = DailyActivity.objects.get(officer=officer, day=at.date())
    assert (day.reviews, day.correct, day.new_cards, day.points) == (1, 1, 1, 1)


def test_a_replayed_review_changes_nothing(officer, bank):
    at = datetime(2026, 5, 4, 9, tzinfo=TZ)
    review(officer, bank["questions"][0], ["B"], "same", at)
    card_before = ReviewCard.objects.get(officer=officer)
    again = review(officer, bank["questions"][0], ["A"], "same", at + timedelta(minutes=5))
    assert again.duplicate and again.correct  # the first answer stands
    assert ReviewLog.objects.count() == 1
    assert ReviewCard.objects.get(officer=officer).due == card_before.due
    assert DailyActivity.objects.get(officer=officer).reviews == 1


def test_an_older_offline_review_arriving_late_does_not_move_the_schedule_back(officer, bank):
    question = bank["questions"][0]
    t1 = datetime(2026, 5, 4, 9, tzinfo=TZ)
    review(officer, question, ["B"], "later", t1 + timedelta(hours=2), now=t1 + timedelta(hours=3))
    due = ReviewCard.objects.get(officer=officer).due
    outcome = review(officer, question, ["A"], "earlier", t1, now=t1 + timedelta(hours=3))
    assert not outcome.applied
    assert ReviewCard.objects.get(officer=officer).due == due
    assert Mistake.objects.filter(officer=officer).exists()  # still a mistake worth remembering


def test_a_phone_clock_in_the_future_is_taken_as_the_server_time(officer, bank):
    now = datetime(2026, 5, 4, 9, tzinfo=TZ)
    review(officer, bank["questions"][0], ["B"], "skew", now + timedelta(days=3), now=now)
    assert ReviewLog.objects.get().reviewed_at == now


def test_a_batch_is_applied_in_the_phone_time_order(officer, bank):
    question = bank["questions"][0]
    t = datetime(2026, 5, 4, 9, tzinfo=TZ)
    batch = [
        services.ReviewIn(question, ["B"], 9000, "b", t + timedelta(minutes=20)),
        services.ReviewIn(question, ["A"], 9000, "a", t),
    ]
    results = services.reviews_sync(officer=officer, reviews=batch, now=t + timedelta(hours=1))
    assert [r["client_id"] for r in results] == ["a", "b"]
    assert all(r["applied"] for r in results)
    assert ReviewCard.objects.get(officer=officer).reps == 2


def test_a_mistake_leaves_the_book_after_right_answers_on_two_separate_days(officer, bank):
    question = bank["questions"][2]
    day1 = datetime(2026, 5, 4, 9, tzinfo=TZ)
    review(officer, question, False, "w", day1)
    review(officer, question, True, "r1", day1 + timedelta(hours=1))
    review(officer, question, True, "r2", day1 + timedelta(hours=2))  # same day: not yet
    mistake = Mistake.objects.get(officer=officer)
    assert mistake.resolved_at is None and len(mistake.right_days) == 1
    review(officer, question, True, "r3", day1 + timedelta(days=1))
    assert Mistake.objects.get(officer=officer).resolved_at is not None


def test_a_wrong_answer_reopens_the_count(officer, bank):
    question = bank["questions"][2]
    day1 = datetime(2026, 5, 4, 9, tzinfo=TZ)
    review(officer, question, False, "w1", day1)
    review(officer, question, True, "r1", day1 + timedelta(hours=1))
    review(officer, question, False, "w2", day1 + timedelta(days=1))
    mistake = Mistake.objects.get(officer=officer)
    assert mistake.right_days == [] and mistake.wrong_count == 2


def test_points_are_capped_per_day(officer, bank, org):
    PracticeSettings.objects.create(unit=org.market, points_daily_cap=2)
    at = datetime(2026, 5, 4, 9, tzinfo=TZ)
    for i, question in enumerate(bank["questions"][:4]):
        review(officer, question, right_response(question), f"p{i}", at + timedelta(minutes=i))
    assert DailyActivity.objects.get(officer=officer).points == 2
    assert DailyActivity.objects.get(officer=officer).correct == 4


def test_an_unpublished_or_subjective_question_cannot_be_practised(officer, bank):
    from zhifa.questions.tests.factories import make_question

    draft = make_question("single", status="draft")
    with pytest.raises(services.PracticeError):
        review(officer, draft, ["B"], "d", datetime(2026, 5, 4, tzinfo=TZ))


def test_the_daily_queue_puts_due_reviews_first_then_new_ones_within_the_daily_allowance(officer, bank, org):
    PracticeSettings.objects.create(unit=org.market, new_per_day=2)
    first = bank["questions"][0]
    at = datetime(2026, 5, 4, 9, tzinfo=TZ)
    review(officer, first, ["A"], "x", at)  # wrong: due again in minutes
    queue = queries.daily_queue(officer, now=at + timedelta(hours=1))
    assert queue[0] == first
    assert len(queue) == 2  # one new card already made today, so one more new question
    assert bank["questions"][5] not in queue  # a transport question is outside the market officer's scope


def test_scope_practice_by_knowledge_point_and_wrong_only(officer, bank):
    by_point = queries.scope_queue(officer, queries.Scope(knowledge_point=bank["ethics"].pk))
    assert {q.pk for q in by_point} == {bank["questions"][2].pk, bank["questions"][4].pk}
    review(officer, bank["questions"][1], ["A"], "wrong", datetime(2026, 5, 4, tzinfo=TZ))
    wrong = queries.scope_queue(officer, queries.Scope(wrong_only=True))
    assert [q.pk for q in wrong] == [bank["questions"][1].pk]


def test_streak_counts_consecutive_days(officer, bank):
    start = datetime(2026, 5, 1, 9, tzinfo=TZ)
    for day in (0, 1, 2, 4):
        review(officer, bank["questions"][0], ["B"], f"s{day}", start + timedelta(days=day))
    assert queries.streak(officer, (start + timedelta(days=4)).date()) == 1
    assert queries.streak(officer, (start + timedelta(days=2)).date()) == 3


def test_a_phone_clock_hours_behind_is_corrected_by_the_time_it_sent_the_batch(officer, bank):
    question = bank["questions"][0]
    noon = datetime(2026, 5, 4, 12, tzinfo=TZ)
    review(officer, question, ["B"], "online", noon - timedelta(minutes=45))  # on the server's clock
    behind = timedelta(hours=3)  # the phone says 09:00 at noon
    batch = [
        services.ReviewIn(question, ["B"], 9000, "off1", noon - timedelta(minutes=20) - behind),
        services.ReviewIn(question, ["B"], 9000, "off2", noon - timedelta(minutes=10) - behind),
    ]
    results = services.reviews_sync(officer=officer, reviews=batch, now=noon, sent_at=noon - behind)
    assert all(r["applied"] for r in results)  # not mistaken for answers older than the online one
    assert sorted(ReviewLog.objects.filter(client_id__startswith="off").values_list("reviewed_at", flat=True)) == [
        noon - timedelta(minutes=20),
        noon - timedelta(minutes=10),
    ]
    assert ReviewCard.objects.get(officer=officer).reps == 3


def test_a_phone_clock_days_ahead_keeps_the_order_and_spacing_of_its_answers(officer, bank):
    question = bank["questions"][0]
    noon = datetime(2026, 5, 4, 12, tzinfo=TZ)
    ahead = timedelta(days=2)
    batch = [
        services.ReviewIn(question, ["A"], 9000, "late", noon - timedelta(minutes=5) + ahead),
        services.ReviewIn(question, ["B"], 9000, "early", noon - timedelta(hours=2) + ahead),
    ]
    results = services.reviews_sync(officer=officer, reviews=batch, now=noon, sent_at=noon + ahead)
    assert [r["client_id"] for r in results] == ["early", "late"]
    times = dict(ReviewLog.objects.values_list("client_id", "reviewed_at"))
    assert times == {"early": noon - timedelta(hours=2), "late": noon - timedelta(minutes=5)}
    assert DailyActivity.objects.get(officer=officer).day == noon.date()


def test_a_clock_error_within_a_minute_is_taken_as_transit_time_and_ignored():
    now = datetime(2026, 5, 4, 12, tzinfo=TZ)
    assert services.clock_error(now - timedelta(seconds=40), now) == timedelta(0)
    assert services.clock_error(now - timedelta(minutes=5), now) == timedelta(minutes=5)
    assert services.clock_error(None, now) == timedelta(0)


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_answer_racing_in_are_recorded_once(officer, bank):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    question, at = bank["questions"][0], datetime(2026, 5, 4, 9, tzinfo=TZ)
    start, outcomes = threading.Barrier(2), []

    def send() -> None:
        try:
            start.wait()
            outcomes.append(review(officer, question, ["B"], "race", at))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.duplicate for o in outcomes) == [False, True]
    assert ReviewLog.objects.count() == 1
    assert ReviewCard.objects.get(officer=officer).reps == 1
    assert DailyActivity.objects.get(officer=officer).reviews == 1
