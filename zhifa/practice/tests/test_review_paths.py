"""How a review is written (services.review_record, docs/practice.md "Speed").

On PostgreSQL a review outside any transaction is two round trips it controls itself (BEGIN pipelined with the card
lock, one statement of CTEs pipelined with COMMIT); inside a caller's transaction the same statements run in a
savepoint; SQLite runs the writes statement by statement. These tests hold the paths to the same behaviour: the
stories of test_reviews.py run inside the test's transaction, the ones here also outside it (transaction=True).
"""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from zhifa.practice import scheduling, services
from zhifa.practice.models import DailyActivity, Mistake, PracticeSettings, ReviewCard, ReviewLog

TZ = ZoneInfo("Asia/Shanghai")
DAY1 = datetime(2026, 5, 4, 9, tzinfo=TZ)
outside_a_transaction = pytest.mark.django_db(transaction=True)


def review(officer, question, response, client_id, at, now=None):
    return services.review_record(
        officer=officer,
        question=question,
        response=response,
        response_ms=15_000,
        client_id=client_id,
        reviewed_at=at,
        now=now or at,
    )


def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the two-round-trip path is PostgreSQL's")


def connection_is_idle() -> bool:
    from psycopg.pq import TransactionStatus

    return connection.get_autocommit() and connection.connection.info.transaction_status == TransactionStatus.IDLE


def mistake_story(officer, question):
    """Wrong, then right answers arriving out of order; the book's state after each step."""
    seen = []
    review(officer, question, False, "w", DAY1 + timedelta(days=2, hours=1))
    review(officer, question, True, "before-wrong", DAY1 + timedelta(days=2), now=DAY1 + timedelta(days=2, hours=2))
    seen.append(Mistake.objects.get(officer=officer).right_days)  # older than the wrong answer: not counted
    review(officer, question, True, "day5", DAY1 + timedelta(days=4))
    review(officer, question, True, "day5-again", DAY1 + timedelta(days=4, hours=1))
    seen.append(Mistake.objects.get(officer=officer).right_days)  # the same day once
    late = DAY1 + timedelta(days=3)  # answered offline on day 4, arriving after day 5's
    review(officer, question, True, "day4-late", late, now=DAY1 + timedelta(days=4, hours=2))
    mistake = Mistake.objects.get(officer=officer)
    seen.append((mistake.right_days, mistake.resolved_at is not None))
    return seen


EXPECTED_MISTAKE_STORY = [[], ["2026-05-08"], (["2026-05-07", "2026-05-08"], True)]


def test_the_mistakes_book_rule_holds_inside_a_transaction(officer, bank):
    # PostgreSQL: the rule in SQL (the write's CTE); SQLite: the rule in Python (_mistake_note).
    assert mistake_story(officer, bank["questions"][2]) == EXPECTED_MISTAKE_STORY


def test_a_client_id_reused_for_another_new_question_records_nothing_new(officer, bank):
    review(officer, bank["questions"][0], ["B"], "same", DAY1)
    again = review(officer, bank["questions"][1], ["A"], "same", DAY1 + timedelta(minutes=1))
    assert again.duplicate and again.correct  # the first answer's outcome
    assert list(ReviewCard.objects.values_list("question_id", flat=True)) == [bank["questions"][0].pk]
    assert DailyActivity.objects.get(officer=officer).reviews == 1
    assert not Mistake.objects.exists()  # the wrong second answer was not noted


@outside_a_transaction
def test_a_held_card_review_is_four_statements_in_two_round_trips_and_leaves_the_connection_idle(officer, bank):
    needs_postgres()
    question = bank["questions"][0]
    review(officer, question, ["B"], "first", DAY1)
    sent = []

    def record(execute, sql, params, many, context):
        sent.append(sql.split(None, 1)[0].upper())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record), CaptureQueriesContext(connection) as logged:
        outcome = review(officer, question, ["B"], "second", DAY1 + timedelta(days=1))
    assert sent == ["BEGIN", "SELECT", "WITH", "COMMIT"]
    assert len(logged) == 4  # in Django's query log as well (DEBUG, assertNumQueries)
    assert outcome.applied and not outcome.duplicate
    assert connection_is_idle()
    card = ReviewCard.objects.get(officer=officer)
    assert card.reps == 2 and card.last_review == DAY1 + timedelta(days=1) and card.due == outcome.due
    if connection.settings_dict["OPTIONS"].get("server_side_binding"):  # ZHIFA_DB_SERVER_SIDE_BINDING=1
        with connection.cursor() as cursor:  # prepared once per connection: the lock and the write
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql")
            assert cursor.fetchone()[0] >= 2


@outside_a_transaction
def test_the_stories_hold_outside_a_transaction(officer, bank, org):
    needs_postgres()
    PracticeSettings.objects.create(unit=org.market, points_daily_cap=1)
    first, judge = bank["questions"][0], bank["questions"][2]
    review(officer, first, ["B"], "a", DAY1)
    replay = review(officer, first, ["A"], "a", DAY1 + timedelta(minutes=5))
    assert replay.duplicate and replay.correct
    late = review(officer, first, ["A"], "late", DAY1 - timedelta(hours=1), now=DAY1 + timedelta(hours=1))
    assert not late.applied and not late.duplicate
    assert ReviewCard.objects.get(officer=officer, question=first).reps == 1  # neither moved the schedule
    day = DailyActivity.objects.get(officer=officer, day=DAY1.date())
    assert (day.reviews, day.correct, day.new_cards, day.points) == (2, 1, 1, 1)
    multiple = bank["questions"][1]
    assert review(officer, multiple, multiple.answer, "b", DAY1 + timedelta(minutes=10)).correct
    assert DailyActivity.objects.get(officer=officer, day=DAY1.date()).points == 1  # capped at 1
    Mistake.objects.all().delete()
    assert mistake_story(officer, judge) == EXPECTED_MISTAKE_STORY
    assert connection_is_idle()


@outside_a_transaction
def test_a_client_id_reused_for_another_new_question_outside_a_transaction(officer, bank):
    needs_postgres()
    test_a_client_id_reused_for_another_new_question_records_nothing_new(officer, bank)
    assert connection_is_idle()


@outside_a_transaction
def test_a_failure_between_the_two_round_trips_writes_nothing_and_frees_the_connection(officer, bank, monkeypatch):
    needs_postgres()
    question = bank["questions"][0]
    review(officer, question, ["B"], "first", DAY1)

    def broken(*args, **kwargs):
        raise RuntimeError("scheduler broke")

    with monkeypatch.context() as patched:
        patched.setattr(scheduling, "schedule", broken)
        with pytest.raises(RuntimeError):
            review(officer, question, ["B"], "lost", DAY1 + timedelta(days=1))
    assert connection_is_idle()  # rolled back: the card's lock is released
    assert not ReviewLog.objects.filter(client_id="lost").exists()
    assert review(officer, question, ["B"], "next", DAY1 + timedelta(days=1)).applied
    assert ReviewCard.objects.get(officer=officer).reps == 2


@outside_a_transaction
def test_two_answers_to_one_new_question_racing_in_make_one_card_with_both(officer, bank):
    needs_postgres()
    question, start, outcomes = bank["questions"][0], threading.Barrier(2), []

    def send(client_id: str, minutes: int) -> None:
        try:
            start.wait()
            outcomes.append(review(officer, question, ["B"], client_id, DAY1 + timedelta(minutes=minutes)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(f"phone{i}", i)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2 and not any(o.duplicate for o in outcomes)
    card = ReviewCard.objects.get(officer=officer)  # made once, by whichever came first
    assert ReviewLog.objects.filter(card=card).count() == 2
    assert card.reps == sum(o.applied for o in outcomes) >= 1  # the earlier answer, if second, is logged only
    assert DailyActivity.objects.get(officer=officer).new_cards == 1


def test_the_nightly_mastery_job_leaves_fresh_statistics_for_the_queue(officer, bank):
    if connection.vendor != "postgresql":
        pytest.skip("pg_class statistics are PostgreSQL's")
    for i, question in enumerate(bank["questions"][:3]):
        review(officer, question, question.answer, f"m{i}", DAY1 + timedelta(minutes=i))
    rows = services.mastery_compute(now=DAY1 + timedelta(days=1))
    with connection.cursor() as cursor:  # ANALYZE writes reltuples in place: visible inside this transaction
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'practice_mastery'")
        assert cursor.fetchone()[0] == rows == 2  # two knowledge points


def test_postgresql_connections_run_without_jit(db):
    """The queue's new-question statement passes jit_above_cost from about 2,500 questions: compiled on every call,
    0.6 s for a 2 ms query. The app's connections have JIT off (config/settings.py)."""
    needs_postgres()
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
