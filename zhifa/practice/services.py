"""Writes for practice: recording reviews (online and synced from offline), the mistakes book, generated items.

Offline answers arrive late, repeated and out of order (see docs/practice.md):
- a resent review (same officer and `client_id`) is recognised and changes nothing;
- the phone's clock is trusted only within [the card's last review, the server's now]: a time in the future is the
  server's now; a review older than the card's last applied review is logged (`applied=False`) and counts for the
  mistakes book and daily activity, but does not move the schedule backwards;
- a batch is applied in the order of the phone's timestamps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeGuard

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from zhifa.people.models import Officer, User
from zhifa.practice import scheduling
from zhifa.practice.models import Mistake, PracticeSettings, ReviewLog
from zhifa.practice.rating import rating_for
from zhifa.questions import checking
from zhifa.questions.models import Question

PRACTICE_KINDS = ("single", "multiple", "judge", "blank")


class PracticeError(ValueError):
    """A review the server refuses; the message is Chinese and says what to do."""


@dataclass(frozen=True)
class ReviewOutcome:
    client_id: str
    correct: bool
    rating: int
    due: datetime
    duplicate: bool
    applied: bool


def lineage_id(question: Question) -> int:
    return question.lineage_id or question.pk


def settings_for(officer: Officer) -> PracticeSettings:
    """The most specific settings for the officer's unit (one query); defaults when none is configured."""
    parts = [p for p in officer.unit.path.split("/") if p]
    prefixes = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    rows = PracticeSettings.objects.filter(Q(unit__isnull=True) | Q(unit__path__in=prefixes)).select_related("unit")
    return max(rows, key=lambda row: len(row.unit.path) if row.unit else 0, default=None) or PracticeSettings()


# The officer's most specific settings row, by his unit's path (the hot paths only know the officer's id): select a
# column FROM this. No row when nothing is configured; callers fall back to the model's defaults (DEFAULTS).
SETTINGS_FROM = """
FROM practice_practicesettings s
LEFT JOIN people_unit u ON u.id = s.unit_id
WHERE s.unit_id IS NULL
   OR u.path = (SELECT SUBSTR(ou.path, 1, LENGTH(u.path)) FROM people_officer o
                JOIN people_unit ou ON ou.id = o.unit_id WHERE o.id = %s)
ORDER BY LENGTH(COALESCE(u.path, '')) DESC
LIMIT 1"""
DEFAULTS = PracticeSettings()


def _for_update() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def _dt(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _day(at: datetime) -> Any:
    return connection.ops.adapt_datefield_value(timezone.localdate(at))


def _aware(value: datetime) -> datetime:
    """A datetime read by a raw cursor: aware on PostgreSQL, naive UTC on SQLite."""
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value


def _clamp(client_time: datetime | None, now: datetime) -> datetime:
    if client_time is None or timezone.is_naive(client_time) or client_time > now:
        return now
    return client_time


CARD_SQL = """
SELECT id, state, step, stability, difficulty, due, last_review
FROM practice_reviewcard WHERE officer_id = %s AND question_id = %s"""
CARD_INSERT_SQL = """
INSERT INTO practice_reviewcard (officer_id, question_id, state, step, stability, difficulty, due, last_review,
                                 last_review_day, reps, lapses, created_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 1, 0, %s)
ON CONFLICT (officer_id, question_id) DO NOTHING
RETURNING id"""
CARD_UPDATE_SQL = """
UPDATE practice_reviewcard
SET state = %s, step = %s, stability = %s, difficulty = %s, due = %s, last_review = %s, last_review_day = %s,
    reps = reps + 1, lapses = lapses + %s
WHERE id = %s"""
LOG_INSERT_SQL = """
INSERT INTO practice_reviewlog (card_id, officer_id, question_id, client_id, rating, correct, response, response_ms,
                                reviewed_at, received_at, applied, source)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (officer_id, client_id) DO NOTHING"""
LOGGED_SQL = """
SELECT l.client_id, l.correct, l.rating, c.due, l.applied
FROM practice_reviewlog l JOIN practice_reviewcard c ON c.id = l.card_id
WHERE l.officer_id = %s AND l.client_id = %s"""
# One statement counts the review for the day: the row is created or incremented, a right answer earns a point
# while the day's points are under the cap of the officer's settings (looked up in the same statement).
CAP_SQL = f"COALESCE((SELECT s.points_daily_cap {SETTINGS_FROM}), {DEFAULTS.points_daily_cap})"
DAY_UPSERT_SQL = f"""
INSERT INTO practice_dailyactivity (officer_id, day, reviews, correct, new_cards, points)
VALUES (%s, %s, 1, %s, %s, CASE WHEN %s = 1 AND {CAP_SQL} > 0 THEN 1 ELSE 0 END)
ON CONFLICT (officer_id, day) DO UPDATE SET
    reviews = practice_dailyactivity.reviews + 1,
    correct = practice_dailyactivity.correct + excluded.correct,
    new_cards = practice_dailyactivity.new_cards + excluded.new_cards,
    points = CASE WHEN excluded.correct = 1 AND practice_dailyactivity.points < {CAP_SQL}
                  THEN practice_dailyactivity.points + 1 ELSE practice_dailyactivity.points END"""


@transaction.atomic
def review_record(
    *,
    officer: Officer,
    question: Question,
    response,
    response_ms: int | None,
    client_id: str,
    reviewed_at: datetime | None = None,
    source: str = ReviewLog.Source.PRACTICE,
    now: datetime | None = None,
) -> ReviewOutcome:
    """Record one answer: schedule the card with FSRS, log it, update the day and the mistakes book.

    Raises PracticeError for a question that cannot be practised or an empty client_id. Idempotent per client_id.
    One transaction of five or six short statements (docs/practice.md): lock or create the card, insert the log
    unless this client_id is already logged, update the card, count the day, note the mistakes book. The FSRS
    update is computed in Python between them; nothing is read back.
    """
    now = now or timezone.now()
    if not client_id or len(client_id) > 64:
        raise PracticeError("缺少或过长的作答编号（client_id），请刷新页面后重试。")
    if question.kind not in PRACTICE_KINDS or question.status != Question.Status.PUBLISHED:
        raise PracticeError(f"试题 {question.pk} 不能用于练习（仅限已发布的客观题）。")
    at = _clamp(reviewed_at, now)
    correct = checking.is_correct(question.kind, question.answer, response)
    rating = rating_for(correct=correct, response_ms=response_ms, kind=question.kind)
    root = lineage_id(question)
    with connection.cursor() as cursor:
        cursor.execute(CARD_SQL + _for_update(), [officer.pk, root])
        row = cursor.fetchone()
        created = False
        if row is None:  # a new card: scheduled in Python, inserted with its first review applied
            after = scheduling.schedule(scheduling.CardState(), rating, at)
            cursor.execute(CARD_INSERT_SQL, [officer.pk, root, *_card_values(after, at), _dt(now)])
            inserted = cursor.fetchone()
            if inserted is not None:
                card_id, due, applied, created = inserted[0], after.due or at, True, True
            else:  # the same card was created concurrently: lock it and go on as for a held card
                cursor.execute(CARD_SQL + _for_update(), [officer.pk, root])
                row = cursor.fetchone()
        if row is not None:
            card_id, state, step, stability, difficulty, due, last_review = row
            due, last_review = _aware(due), _aware(last_review) if last_review else None
            applied = last_review is None or at >= last_review
            if applied:
                before = scheduling.CardState(state, step, stability, difficulty, due, last_review)
                after = scheduling.schedule(before, rating, at)
                due = after.due or at
        cursor.execute(
            LOG_INSERT_SQL,
            [
                card_id,
                officer.pk,
                question.pk,
                client_id,
                int(rating),
                correct,
                RESPONSE_FIELD.get_db_prep_value(response, connection),
                response_ms,
                _dt(at),
                _dt(now),
                applied,
                source,
            ],
        )
        if cursor.rowcount == 0:  # this client_id is logged already (a resend, or a race): the first one counts
            cursor.execute(LOGGED_SQL, [officer.pk, client_id])
            client_id, was_correct, was_rating, was_due, was_applied = cursor.fetchone()
            if created:
                transaction.set_rollback(True)  # undo the card this resend created
            return ReviewOutcome(client_id, bool(was_correct), was_rating, _aware(was_due), True, bool(was_applied))
        if applied and not created:
            lapse = int(int(rating) == 1 and state == 2)
            cursor.execute(CARD_UPDATE_SQL, [*_card_values(after, at), lapse, card_id])
        cursor.execute(
            DAY_UPSERT_SQL,
            [officer.pk, _day(at), int(correct), int(created), int(correct), officer.pk, officer.pk],
        )
        _mistake_note(cursor, officer.pk, root, correct=correct, at=at, source=source)
    return ReviewOutcome(client_id, correct, int(rating), due, False, applied)


RESPONSE_FIELD = ReviewLog._meta.get_field("response")
RIGHT_DAYS_FIELD = Mistake._meta.get_field("right_days")


def _card_values(after: scheduling.CardState, at: datetime) -> list:
    return [
        after.state,
        after.step,
        after.stability,
        after.difficulty,
        _dt(after.due or at),
        _dt(after.last_review or at),
        scheduling.epoch_days(at),
    ]


MISTAKE_WRONG_SQL = """
INSERT INTO practice_mistake (officer_id, question_id, source, source_ref, wrong_count, last_wrong_at, right_days,
                              resolved_at)
VALUES (%s, %s, %s, %s, 1, %s, '[]', NULL)
ON CONFLICT (officer_id, question_id) DO UPDATE SET
    wrong_count = practice_mistake.wrong_count + 1, last_wrong_at = excluded.last_wrong_at, right_days = '[]',
    resolved_at = NULL"""
MISTAKE_OPEN_SQL = """
SELECT id, last_wrong_at, right_days FROM practice_mistake
WHERE officer_id = %s AND question_id = %s AND resolved_at IS NULL"""


def _mistake_note(
    cursor, officer_id: int, root: int, *, correct: bool, at: datetime, source: str, ref: str = ""
) -> None:
    day = timezone.localdate(at).isoformat()
    if not correct:  # into the book, or back to a count of zero right days
        cursor.execute(MISTAKE_WRONG_SQL, [officer_id, root, source, ref, _dt(at)])
        return
    cursor.execute(MISTAKE_OPEN_SQL + _for_update(), [officer_id, root])
    row = cursor.fetchone()
    if row is None or at < _aware(row[1]):
        return
    right_days = json.loads(row[2]) if isinstance(row[2], str) else list(row[2])
    if day in right_days:
        return
    right_days = sorted([*right_days, day])
    resolved = _dt(at) if len(right_days) >= 2 else None
    cursor.execute(
        "UPDATE practice_mistake SET right_days = %s, resolved_at = %s WHERE id = %s",
        [RIGHT_DAYS_FIELD.get_db_prep_value(right_days, connection), resolved, row[0]],
    )


@transaction.atomic
def mistake_note(
    *, officer: Officer, question: Question, correct: bool, at: datetime, source: str, source_ref: str = ""
) -> None:
    """Put a wrong answer in the mistakes book; a right one counts towards leaving it (right on two separate days).

    A wrong answer enters the book or starts the count again; a right one, on a day not yet counted and not before
    the last wrong answer, is counted, and the second such day takes the question out of the book.
    """
    with connection.cursor() as cursor:
        _mistake_note(cursor, officer.pk, lineage_id(question), correct=correct, at=at, source=source, ref=source_ref)


SKEW_TOLERANCE = timedelta(minutes=1)


def _known(moment: datetime | None) -> TypeGuard[datetime]:
    return moment is not None and not timezone.is_naive(moment)


def clock_error(sent_at: datetime | None, now: datetime) -> timedelta:
    """How far the phone's clock is behind the server's (negative: ahead); zero within SKEW_TOLERANCE or unknown.

    The request's time in transit counts as clock error too, which is why small differences are ignored.
    """
    if sent_at is None or not _known(sent_at):
        return timedelta(0)
    error = now - sent_at
    return error if abs(error) > SKEW_TOLERANCE else timedelta(0)


@dataclass(frozen=True)
class ReviewIn:
    question: Question
    response: object
    response_ms: int | None
    client_id: str
    reviewed_at: datetime | None


def reviews_sync(
    *, officer: Officer, reviews: list[ReviewIn], now: datetime | None = None, sent_at: datetime | None = None
) -> list[dict]:
    """Apply a batch of reviews (e.g. made offline) in the phone's time order; one result per review.

    Each review is its own transaction: one refused review does not lose the others. `sent_at` is the phone's clock
    when it sent the batch: when it is off by more than SKEW_TOLERANCE, every time of the batch is shifted by that
    error (a phone two hours behind answered two hours later than it says), then clamped to the server's now.
    """
    now = now or timezone.now()
    offset = clock_error(sent_at, now)
    if offset:
        reviews = [replace(r, reviewed_at=r.reviewed_at + offset) if _known(r.reviewed_at) else r for r in reviews]
    ordered = sorted(reviews, key=lambda r: _clamp(r.reviewed_at, now))
    results = []
    for review in ordered:
        try:
            outcome = review_record(
                officer=officer,
                question=review.question,
                response=review.response,
                response_ms=review.response_ms,
                client_id=review.client_id,
                reviewed_at=review.reviewed_at,
                now=now,
            )
            results.append(
                {
                    "client_id": outcome.client_id,
                    "ok": True,
                    "correct": outcome.correct,
                    "duplicate": outcome.duplicate,
                    "applied": outcome.applied,
                }
            )
        except PracticeError as exc:
            results.append({"client_id": review.client_id, "ok": False, "error": str(exc)})
    return results


@transaction.atomic
def practice_settings_set(
    *, by: User, unit, new_per_day: int, session_minutes: int, points_daily_cap: int, ranking_enabled: bool
) -> PracticeSettings:
    """Set a unit's practice settings (the caller has checked that `by` manages `unit`)."""
    if not (0 <= new_per_day <= 100 and 1 <= session_minutes <= 60 and 0 <= points_daily_cap <= 1000):
        raise PracticeError("设置超出范围：每日新题 0–100，时长 1–60 分钟，积分上限 0–1000。")
    row, _ = PracticeSettings.objects.update_or_create(
        unit=unit,
        defaults={
            "new_per_day": new_per_day,
            "session_minutes": session_minutes,
            "points_daily_cap": points_daily_cap,
            "ranking_enabled": ranking_enabled,
        },
    )
    return row


MASTERY_SQL = """
INSERT INTO practice_mastery (officer_id, knowledge_point_id, recall, cards, computed_at)
SELECT c.officer_id, qk.knowledgepoint_id,
       AVG(POWER(1.0 + %s * (%s - c.last_review_day) / c.stability, %s)), COUNT(*), %s
FROM practice_reviewcard c
JOIN questions_question q ON q.lineage_id = c.question_id AND q.is_latest
JOIN questions_question_knowledge_points qk ON qk.question_id = q.id
WHERE c.stability > 0 AND c.last_review_day IS NOT NULL {officer_filter}
GROUP BY c.officer_id, qk.knowledgepoint_id
"""


@transaction.atomic
def mastery_compute(*, now: datetime | None = None, officer_ids: list[int] | None = None) -> int:
    """Recompute expected recall per officer × knowledge point (FSRS-6 forgetting curve, in SQL); returns rows.

    The nightly job (`manage.py compute_mastery`) runs it for everyone; a review does not, to stay fast.
    """
    from django.db import connection

    from zhifa.practice.models import Mastery

    now = now or timezone.now()
    officer_filter, params = "", [scheduling.FACTOR, scheduling.epoch_days(now), scheduling.DECAY, now]
    target = Mastery.objects.all()
    if officer_ids is not None:
        placeholders = ",".join(["%s"] * len(officer_ids)) or "NULL"
        officer_filter = f"AND c.officer_id IN ({placeholders})"
        params += list(officer_ids)
        target = target.filter(officer_id__in=officer_ids)
    target._raw_delete(target.db)  # no signals or cascades to honour: a plain DELETE, fast at 100k officers
    with connection.cursor() as cursor:
        cursor.execute(MASTERY_SQL.format(officer_filter=officer_filter), params)
        return cursor.rowcount


GENERATED_SOURCE = "generated"


@transaction.atomic
def generated_items_create(*, articles: list[tuple[str, str]], by=None, per_article: int = 2) -> int:
    """Draft recall items from articles [(key, text)] for an instructor to review; returns how many were new.

    Idempotent: an item already drafted from the same sentence and term (same fingerprint) is not drafted again.
    """
    from zhifa.practice.generation import items_from_article
    from zhifa.questions.services import question_create

    created = 0
    for key, text in articles:
        for item in items_from_article(key, text, limit=per_article):
            external_id = f"gen:{item.fingerprint}"
            if Question.objects.filter(external_id=external_id).exists():
                continue
            question_create(
                by=by,
                status=Question.Status.REVIEW,
                pending_citations=True,
                kind=item.kind,
                stem=item.stem,
                answer=item.answer,
                explanation=item.explanation,
                difficulty=2,
                article_keys=[key],
                source=GENERATED_SOURCE,
                external_id=external_id,
            )
            created += 1
    return created


@transaction.atomic
def generated_item_review(*, question: Question, by: User, approve: bool) -> Question:
    """An instructor publishes a generated item (it reaches officers) or retires it (it never does)."""
    from zhifa.questions.services import question_publish, question_retire

    if question.source != GENERATED_SOURCE or question.status != Question.Status.REVIEW:
        raise PracticeError("该题不是待审核的自动生成题。")
    if approve:
        return question_publish(question=question, by=by)
    return question_retire(question=question, by=by, reason="自动生成题审核未通过")


def mistakes_collect_from_exams(*, officer: Officer | None = None, now: datetime | None = None) -> int:
    """Put wrong objective answers of exams whose results are released into the mistakes book; returns how many.

    Runs once per attempt (CollectedAttempt); called when an officer opens his book and by a periodic command.
    Before release nothing is collected: the answer key must not leak through the mistakes book.
    """
    from zhifa.exams.models import Answer, Attempt
    from zhifa.practice.models import CollectedAttempt

    now = now or timezone.now()
    attempts = (
        Attempt.objects.filter(status__in=["submitted", "graded"])
        .exclude(pk__in=CollectedAttempt.objects.values("attempt_id"))
        .select_related("exam", "officer")
    )
    if officer is not None:
        attempts = attempts.filter(officer=officer)
    added = 0
    for attempt in attempts:
        if not attempt.exam.results_released(now):
            continue
        with transaction.atomic():
            answers = Answer.objects.filter(attempt=attempt, question__kind__in=PRACTICE_KINDS).select_related(
                "question"
            )
            for answer in answers:
                question = answer.question
                if not checking.is_correct(question.kind, question.answer, answer.response):
                    mistake_note(
                        officer=attempt.officer,
                        question=question,
                        correct=False,
                        at=attempt.submitted_at or now,
                        source=ReviewLog.Source.EXAM,
                        source_ref=str(attempt.pk),
                    )
                    added += 1
            CollectedAttempt.objects.create(attempt_id=attempt.pk)
    return added
