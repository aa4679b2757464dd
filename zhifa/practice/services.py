"""Writes for practice: recording reviews (online and synced from offline), the mistakes book, generated items.

Offline answers arrive late, repeated and out of order (see docs/practice.md):
- a resent review (same officer and `client_id`) is recognised and changes nothing;
- the phone's clock is trusted only within [the card's last review, the server's now]: a time in the future is the
  server's now; a review older than the card's last applied review is logged (`applied=False`) and counts for the
  mistakes book and daily activity, but does not move the schedule backwards;
- a batch is applied in the order of the phone's timestamps.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeGuard

from django.db import connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from fsrs import Rating
from psycopg.pq import TransactionStatus

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
MISTAKE_INTO = """INSERT INTO practice_mistake (officer_id, question_id, source, source_ref, wrong_count, last_wrong_at,
                              right_days, resolved_at)"""
MISTAKE_CONFLICT = """
ON CONFLICT (officer_id, question_id) DO UPDATE SET
    wrong_count = practice_mistake.wrong_count + 1, last_wrong_at = excluded.last_wrong_at, right_days = '[]',
    resolved_at = NULL"""
MISTAKE_WRONG_SQL = f"{MISTAKE_INTO}\nVALUES (%s, %s, %s, %s, 1, %s, '[]', NULL){MISTAKE_CONFLICT}"
# One statement counts the review for the day: the row is created or incremented, a right answer earns a point
# while the day's points are under the cap of the officer's settings (looked up in the same statement).
CAP_SQL = f"COALESCE((SELECT s.points_daily_cap {SETTINGS_FROM}), {DEFAULTS.points_daily_cap})"
DAY_INTO = "INSERT INTO practice_dailyactivity (officer_id, day, reviews, correct, new_cards, points)"
DAY_ROW = f"%s, %s, 1, %s, %s, CASE WHEN %s = 1 AND {CAP_SQL} > 0 THEN 1 ELSE 0 END"
DAY_CONFLICT = f"""
ON CONFLICT (officer_id, day) DO UPDATE SET
    reviews = practice_dailyactivity.reviews + 1,
    correct = practice_dailyactivity.correct + excluded.correct,
    new_cards = practice_dailyactivity.new_cards + excluded.new_cards,
    points = CASE WHEN excluded.correct = 1 AND practice_dailyactivity.points < {CAP_SQL}
                  THEN practice_dailyactivity.points + 1 ELSE practice_dailyactivity.points END"""
DAY_UPSERT_SQL = f"{DAY_INTO}\nVALUES ({DAY_ROW}){DAY_CONFLICT}"


def _day_params(officer_id: int, at: datetime, *, correct: bool, created: bool) -> list:
    return [officer_id, _day(at), int(correct), int(created), int(correct), officer_id, officer_id]


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
    One transaction: lock the card (or find there is none), compute the FSRS update in Python, then write the log,
    the card, the day and the mistakes book — unless this client_id is logged already. On PostgreSQL that is two
    round trips for a held card (`_record_postgres`); SQLite runs the same writes statement by statement.
    """
    now = now or timezone.now()
    if not client_id or len(client_id) > 64:
        raise PracticeError("缺少或过长的作答编号（client_id），请刷新页面后重试。")
    if question.kind not in PRACTICE_KINDS or question.status != Question.Status.PUBLISHED:
        raise PracticeError(f"试题 {question.pk} 不能用于练习（仅限已发布的客观题）。")
    correct = checking.is_correct(question.kind, question.answer, response)
    answer = _Answer(
        officer_id=officer.pk,
        question_id=question.pk,
        root=lineage_id(question),
        client_id=client_id,
        response=RESPONSE_FIELD.get_db_prep_value(response, connection),
        response_ms=response_ms,
        correct=correct,
        rating=rating_for(correct=correct, response_ms=response_ms, kind=question.kind),
        at=_clamp(reviewed_at, now),
        now=now,
        source=source,
    )
    if connection.vendor == "postgresql":
        return _record_postgres(answer)
    with transaction.atomic():
        return _record_portable(answer)


@dataclass(frozen=True)
class _Answer:
    """One answer as recorded: who, which card (the lineage `root`), what, when (`at`, already clamped)."""

    officer_id: int
    question_id: int
    root: int
    client_id: str
    response: Any
    response_ms: int | None
    correct: bool
    rating: Rating
    at: datetime
    now: datetime
    source: str

    def log_values(self, card_id: int | None, applied: bool) -> list:
        """The log row's values after `card_id` (which the PostgreSQL path writes as an expression)."""
        values = [
            self.officer_id,
            self.question_id,
            self.client_id,
            int(self.rating),
            self.correct,
            self.response,
            self.response_ms,
            _dt(self.at),
            _dt(self.now),
            applied,
            self.source,
        ]
        return values if card_id is None else [card_id, *values]


def _scheduled(row: tuple | None, answer: _Answer) -> tuple[scheduling.CardState | None, datetime, bool, int]:
    """The card after this answer (None when the answer is older than the card's last review and so not applied),
    its due time, whether it is applied and whether it is a lapse (Again on a card in review)."""
    if row is None:  # a new card: scheduled from scratch, inserted with its first review applied
        after = scheduling.schedule(scheduling.CardState(), answer.rating, answer.at)
        return after, after.due or answer.at, True, 0
    _id, state, step, stability, difficulty, due, last_review = row
    due, last_review = _aware(due), _aware(last_review) if last_review else None
    if last_review is not None and answer.at < last_review:
        return None, due, False, 0
    before = scheduling.CardState(state, step, stability, difficulty, due, last_review)
    after = scheduling.schedule(before, answer.rating, answer.at)
    return after, after.due or answer.at, True, int(int(answer.rating) == 1 and state == 2)


def _logged(cursor, answer: _Answer) -> ReviewOutcome:
    """The outcome stored for this client_id: a resend (or the loser of a race) reports the first answer's."""
    cursor.execute(LOGGED_SQL, [answer.officer_id, answer.client_id])
    client_id, was_correct, was_rating, was_due, was_applied = cursor.fetchone()
    return ReviewOutcome(client_id, bool(was_correct), was_rating, _aware(was_due), True, bool(was_applied))


def _record_portable(answer: _Answer) -> ReviewOutcome:
    """Statement by statement, inside the caller's atomic block (SQLite: no round trips to save).

    Lock the card (or insert it, already scheduled), insert the log `ON CONFLICT (officer, client_id) DO NOTHING`
    (a resend stops here), update the card, count the day, note the mistakes book. Nothing is read back.
    """
    with connection.cursor() as cursor:
        cursor.execute(CARD_SQL + _for_update(), [answer.officer_id, answer.root])
        row = cursor.fetchone()
        created = False
        if row is None:
            after, due, applied, lapse = _scheduled(None, answer)
            assert after is not None
            cursor.execute(
                CARD_INSERT_SQL, [answer.officer_id, answer.root, *_card_values(after, answer.at), _dt(answer.now)]
            )
            inserted = cursor.fetchone()
            if inserted is not None:
                card_id, created = inserted[0], True
            else:  # the same card was created concurrently: lock it and go on as for a held card
                cursor.execute(CARD_SQL + _for_update(), [answer.officer_id, answer.root])
                row = cursor.fetchone()
        if row is not None:
            card_id = row[0]
            after, due, applied, lapse = _scheduled(row, answer)
        cursor.execute(LOG_INSERT_SQL, answer.log_values(card_id, applied))
        if cursor.rowcount == 0:  # this client_id is logged already (a resend, or a race): the first one counts
            outcome = _logged(cursor, answer)
            if created:
                transaction.set_rollback(True)  # undo the card this resend created (no query may follow)
            return outcome
        if after is not None and not created:
            cursor.execute(CARD_UPDATE_SQL, [*_card_values(after, answer.at), lapse, card_id])
        cursor.execute(
            DAY_UPSERT_SQL, _day_params(answer.officer_id, answer.at, correct=answer.correct, created=created)
        )
        _mistake_note(
            cursor, answer.officer_id, answer.root, correct=answer.correct, at=answer.at, source=answer.source
        )
    return ReviewOutcome(answer.client_id, answer.correct, int(answer.rating), due, False, applied)


# PostgreSQL: the writes of a review as one statement of data-modifying CTEs. `log` decides: every other write reads
# it, so a client_id logged already (a resend, or the loser of a race) writes nothing. All parts see the snapshot
# the statement started with; none reads a row another part writes (the card's new values come from Python).
PG_LOG_HELD = """log AS (
INSERT INTO practice_reviewlog (card_id, officer_id, question_id, client_id, rating, correct, response, response_ms,
                                reviewed_at, received_at, applied, source)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (officer_id, client_id) DO NOTHING
RETURNING card_id)"""
PG_CARD_UPDATE = """card AS (
UPDATE practice_reviewcard
SET state = %s, step = %s, stability = %s, difficulty = %s, due = %s, last_review = %s, last_review_day = %s,
    reps = reps + 1, lapses = lapses + %s
WHERE id = (SELECT card_id FROM log)
RETURNING id)"""
# A new card is inserted first (the log needs its id); if the log then finds its client_id taken, the caller rolls
# the card back. A card another request created meanwhile makes the insert do nothing, and the caller starts again.
PG_CARD_INSERT = """card AS (
INSERT INTO practice_reviewcard (officer_id, question_id, state, step, stability, difficulty, due, last_review,
                                 last_review_day, reps, lapses, created_at)
VALUES (%s, %s, %s, %s::smallint, %s::float8, %s::float8, %s, %s, %s::float8, 1, 0, %s)
ON CONFLICT (officer_id, question_id) DO NOTHING
RETURNING id)"""
PG_LOG_NEW = """log AS (
INSERT INTO practice_reviewlog (card_id, officer_id, question_id, client_id, rating, correct, response, response_ms,
                                reviewed_at, received_at, applied, source)
SELECT card.id, %s, %s, %s, %s, %s, %s::jsonb, %s::integer, %s::timestamptz, %s::timestamptz, %s, %s FROM card
ON CONFLICT (officer_id, client_id) DO NOTHING
RETURNING card_id)"""
PG_DAY = f"day AS (\n{DAY_INTO}\nSELECT {DAY_ROW.replace('%s, %s,', '%s, %s::date,', 1)} FROM log{DAY_CONFLICT})"
PG_MISTAKE_WRONG = f"""mistake AS (
{MISTAKE_INTO}
SELECT %s, %s, %s, %s, 1, %s::timestamptz, '[]'::jsonb, NULL::timestamptz FROM log{MISTAKE_CONFLICT})"""
# The rule of `_mistake_note` in SQL: a right answer on a day not yet counted and not before the last wrong answer
# counts (the days kept sorted); with it two days are counted and the question leaves the book.
PG_MISTAKE_RIGHT = """mistake AS (
UPDATE practice_mistake
SET right_days = (SELECT jsonb_agg(d ORDER BY d)
                  FROM (SELECT jsonb_array_elements_text(right_days) UNION SELECT %s::text) AS days(d)),
    resolved_at = CASE WHEN jsonb_array_length(right_days) >= 1 THEN %s::timestamptz END
WHERE officer_id = %s AND question_id = %s AND resolved_at IS NULL AND last_wrong_at <= %s::timestamptz
  AND NOT right_days @> jsonb_build_array(%s::text) AND EXISTS (SELECT 1 FROM log))"""


class _Undo(Exception):
    """Leave the savepoint of a new card's review without its writes (see `_record_postgres`)."""


def _record_postgres(answer: _Answer) -> ReviewOutcome:
    """Two round trips for a held card: BEGIN is pipelined with the statement that locks the card, COMMIT with the
    one statement that writes. A new card takes one more (the write's result decides between COMMIT and ROLLBACK).

    The statements are prepared by psycopg once they recur on a connection (server-side binding and a prepare
    threshold in the database's OPTIONS, config/settings.py). Inside a caller's transaction the same
    statements run in a savepoint, one at a time, without BEGIN and COMMIT.
    """
    nested = connection.in_atomic_block
    for _attempt in range(2):  # again only after another request created this card between our two statements
        try:
            if nested:
                with transaction.atomic():
                    outcome = _review_postgres(answer, nested=True)
            else:
                outcome = _review_postgres(answer, nested=False)
        except _Undo as undo:
            outcome = undo.args[0]
        if outcome is not None:
            return outcome
    raise RuntimeError("练习记录：新卡片在两次尝试中都被并发创建，请重试。")  # the card exists after one race


def _review_postgres(answer: _Answer, *, nested: bool) -> ReviewOutcome | None:
    """One attempt; None when the card turned out to exist already (the caller tries again as a held card)."""
    connection.ensure_connection()
    pg = connection.connection
    cursor = connection.cursor()
    batch = contextlib.nullcontext() if nested else pg.pipeline()
    try:
        with connection.wrap_database_errors, batch:
            if not nested:
                cursor.execute("BEGIN")
            cursor.execute(CARD_SQL + " FOR UPDATE", [answer.officer_id, answer.root])
            row = cursor.fetchone()  # one round trip, BEGIN included
            after, due, applied, lapse = _scheduled(row, answer)
            sql, params = _postgres_write(answer, row, after, applied, lapse)
            cursor.execute(sql, params)
            if row is not None and not nested:  # a held card: nothing to undo whatever the log finds
                # Sent with the write when the pipeline ends (the second round trip); skipped if the write fails.
                connection.cursor().execute("COMMIT")
        if row is not None:
            (logged,) = cursor.fetchone()
            if not logged:  # a resend, or the loser of a race: nothing was written
                return _logged(cursor, answer)
            return ReviewOutcome(answer.client_id, answer.correct, int(answer.rating), due, False, applied)
        created, logged = cursor.fetchone()
        if created and logged:
            if not nested:
                cursor.execute("COMMIT")
            return ReviewOutcome(answer.client_id, answer.correct, int(answer.rating), due, False, True)
        # Undo: a card made for a client_id logged already (a resend naming another question), or nothing written
        # because another request created the card first.
        if nested:
            raise _Undo(_logged(cursor, answer) if created else None)
        cursor.execute("ROLLBACK")
        return _logged(cursor, answer) if created else None
    except BaseException:
        if not nested and pg.info.transaction_status != TransactionStatus.IDLE:  # our BEGIN, not yet ended
            pg.rollback()
        raise


def _postgres_write(
    answer: _Answer, row: tuple | None, after: scheduling.CardState | None, applied: bool, lapse: int
) -> tuple[str, list]:
    """The write statement and its parameters: log, card, day and mistake as data-modifying CTEs."""
    a = answer
    if row is None:
        assert after is not None
        parts = [PG_CARD_INSERT, PG_LOG_NEW]
        params = [a.officer_id, a.root, *_card_values(after, a.at), _dt(a.now), *a.log_values(None, True)]
        result = "SELECT EXISTS (SELECT 1 FROM card), EXISTS (SELECT 1 FROM log)"
    else:
        parts, params = [PG_LOG_HELD], a.log_values(row[0], applied)
        if after is not None:
            parts.append(PG_CARD_UPDATE)
            params += [*_card_values(after, a.at), lapse]
        result = "SELECT EXISTS (SELECT 1 FROM log)"
    parts.append(PG_DAY)
    params += _day_params(a.officer_id, a.at, correct=a.correct, created=row is None)
    if a.correct:
        day = timezone.localdate(a.at).isoformat()
        parts.append(PG_MISTAKE_RIGHT)
        params += [day, _dt(a.at), a.officer_id, a.root, _dt(a.at), day]
    else:
        parts.append(PG_MISTAKE_WRONG)
        params += [a.officer_id, a.root, a.source, "", _dt(a.at)]
    return "WITH " + ",\n".join(parts) + "\n" + result, params


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
        if connection.vendor == "postgresql":  # one array parameter, not one per officer (65,535 at most)
            officer_filter = "AND c.officer_id = ANY(%s::bigint[])"
            params.append(list(officer_ids))
        else:
            placeholders = ",".join(["%s"] * len(officer_ids)) or "NULL"
            officer_filter = f"AND c.officer_id IN ({placeholders})"
            params += list(officer_ids)
        target = target.filter(officer_id__in_array=officer_ids)
    target._raw_delete(target.db)  # no signals or cascades to honour: a plain DELETE, fast at 100k officers
    with connection.cursor() as cursor:
        cursor.execute(MASTERY_SQL.format(officer_filter=officer_filter), params)
        rows = cursor.rowcount
        if officer_ids is None:
            # The whole table was replaced: fresh statistics now, not whenever autovacuum gets to it. The queue's
            # new-question statement reads this table; planned on the statistics of an empty table, PostgreSQL
            # costed it past the JIT threshold and compiled it on every call (0.5 s instead of 2 ms).
            cursor.execute("ANALYZE practice_mastery")
        return rows


GENERATED_SOURCE = "generated"


@transaction.atomic
def generated_items_create(
    *, articles: list[tuple[str, str]], by=None, per_article: int = 2, publish: bool = False
) -> int:
    """Draft recall items from articles [(key, text)] for an instructor to review; returns how many were new.

    They are practice-only questions (use "practice": never drawn onto an exam paper); `publish` (the demo only)
    publishes them without review.

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
            question = question_create(
                by=by,
                status=Question.Status.PUBLISHED if publish else Question.Status.REVIEW,
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
            Question.objects.filter(pk=question.pk).update(use=Question.Use.PRACTICE)
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
        if not (attempt.exam.results_released(now) and attempt.exam.explanations_released(now)):
            continue  # the book shows keys and explanations: not before the exam releases them
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


def review_logs_purge(*, before: datetime, batch_size: int = 50_000) -> int:
    """Delete the raw practice answers received before `before`; returns how many. What they proved is kept: each
    answer was counted into its day (`DailyActivity`: reviews, right answers, points), its card (FSRS state, reps,
    lapses) and the mistakes book in the same transaction that logged it, so nothing needs compacting first. Walks
    the table in primary-key windows of `batch_size` (one transaction each: stoppable, resumable) and stops at the
    first window whose rows are all newer than `before` (ids grow with the time of arrival)."""
    bounds = ReviewLog.objects.aggregate(low=Min("pk"), high=Max("pk"))
    purged, low = 0, bounds["low"]
    while low is not None and low <= bounds["high"]:
        window = ReviewLog.objects.filter(pk__gte=low, pk__lt=low + batch_size)
        with transaction.atomic():
            deleted, _ = window.filter(received_at__lt=before).delete()  # one DELETE: nothing refers to a log
        purged += deleted
        if deleted == 0 and window.exists():
            break  # every answer from here on is within the retention
        low += batch_size
    return purged
