"""Raw practice answers are kept for the retention, then deleted; what they proved (the day, the card, the mistakes
book) stays (issue 21 item 4)."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

from django.core.management import call_command

from zhifa.practice import services
from zhifa.practice.models import DailyActivity, Mistake, ReviewCard, ReviewLog
from zhifa.security.retention import purge_expired

TZ = ZoneInfo("Asia/Shanghai")


def review(officer, question, response, client_id, at):
    return services.review_record(
        officer=officer, question=question, response=response, response_ms=15_000, client_id=client_id,
        reviewed_at=at, now=at,
    )  # fmt: skip


def snapshot(officer) -> dict:
    return {
        "days": list(DailyActivity.objects.filter(officer=officer).values_list("day", "reviews", "correct", "points")),
        "cards": list(ReviewCard.objects.filter(officer=officer).values_list("question_id", "reps", "lapses", "due")),
        "mistakes": list(Mistake.objects.filter(officer=officer).values_list("question_id", "wrong_count")),
    }


def test_old_answers_are_deleted_and_the_day_the_card_and_the_mistakes_book_keep_what_they_proved(
    officer, bank, settings, time_machine
):
    assert settings.PRACTICE_REVIEW_LOG_RETENTION_DAYS == 180  # the default, read by the retention register
    single, judge = bank["questions"][0], bank["questions"][2]
    old = datetime(2026, 1, 5, 9, tzinfo=TZ)
    review(officer, single, ["B"], "old-right", old)
    review(officer, judge, ["X"], "old-wrong", old + timedelta(minutes=1))
    recent = old + timedelta(days=200)
    review(officer, single, ["B"], "recent", recent)
    before = snapshot(officer)
    assert before["mistakes"] and ReviewLog.objects.count() == 3

    time_machine.move_to(recent + timedelta(days=1), tick=False)
    out = StringIO()
    call_command("purge_review_logs", stdout=out)

    assert "练习作答记录 2 条" in out.getvalue()
    assert list(ReviewLog.objects.values_list("client_id", flat=True)) == ["recent"]
    assert snapshot(officer) == before


def test_the_nightly_retention_purge_runs_it(officer, bank, time_machine):
    at = datetime(2026, 1, 5, 9, tzinfo=TZ)
    review(officer, bank["questions"][0], ["B"], "c1", at)
    time_machine.move_to(at + timedelta(days=181), tick=False)
    assert {line.kind.key: line.purged for line in purge_expired(dry_run=True)}["review_logs"] == -1
    assert {line.kind.key: line.purged for line in purge_expired(only="review_logs")}["review_logs"] == 1
    assert not ReviewLog.objects.exists()


def test_small_windows_walk_the_whole_table_and_stop_at_the_kept_answers(officer, bank):
    at = datetime(2026, 1, 5, 9, tzinfo=TZ)
    for i, question in enumerate(bank["questions"][:5]):
        review(officer, question, ["B"], f"c{i}", at + timedelta(days=i))
    purged = services.review_logs_purge(before=at + timedelta(days=3), batch_size=2)
    assert purged == 3
    assert sorted(ReviewLog.objects.values_list("client_id", flat=True)) == ["c3", "c4"]
