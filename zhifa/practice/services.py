"""Writes for practice: recording reviews (online and synced from offline), the mistakes book, generated items.

Offline answers arrive late, repeated and out of order (see docs/practice.md):
- a resent review (same officer and `client_id`) is recognised and changes nothing;
- the phone's clock is trusted only within [the card's last review, the server's now]: a time in the future is the
  server's now; a review older than the card's last applied review is logged (`applied=False`) and counts for the
  mistakes book and daily activity, but does not move the schedule backwards;
- a batch is applied in the order of the phone's timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from zhifa.people.models import Officer, User
from zhifa.practice import scheduling
from zhifa.practice.models import DailyActivity, Mistake, PracticeSettings, ReviewCard, ReviewLog
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


def _clamp(client_time: datetime | None, now: datetime) -> datetime:
    if client_time is None or timezone.is_naive(client_time) or client_time > now:
        return now
    return client_time


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
    """
    now = now or timezone.now()
    if not client_id or len(client_id) > 64:
        raise PracticeError("缺少或过长的作答编号（client_id），请刷新页面后重试。")
    if question.kind not in PRACTICE_KINDS or question.status != Question.Status.PUBLISHED:
        raise PracticeError(f"试题 {question.pk} 不能用于练习（仅限已发布的客观题）。")
    existing = ReviewLog.objects.filter(officer=officer, client_id=client_id).select_related("card").first()
    if existing is not None:
        return _outcome(existing, duplicate=True)
    at = _clamp(reviewed_at, now)
    correct = checking.is_correct(question.kind, question.answer, response)
    rating = rating_for(correct=correct, response_ms=response_ms, kind=question.kind)
    card, created = ReviewCard.objects.select_for_update().get_or_create(
        officer=officer, question_id=lineage_id(question), defaults={"due": at}
    )
    applied = card.last_review is None or at >= card.last_review
    if applied:
        _apply(card, rating, at)
    try:
        with transaction.atomic():
            log = ReviewLog.objects.create(
                card=card,
                officer=officer,
                question=question,
                client_id=client_id,
                rating=int(rating),
                correct=correct,
                response=response,
                response_ms=response_ms,
                reviewed_at=at,
                applied=applied,
                source=source,
            )
    except IntegrityError:  # the same review raced in through another request: the first one counts
        return _outcome(ReviewLog.objects.get(officer=officer, client_id=client_id), duplicate=True)
    _count_day(officer, at, correct=correct, new_card=created)
    mistake_note(officer=officer, question=question, correct=correct, at=at, source=source)
    return _outcome(log, duplicate=False)


def _apply(card: ReviewCard, rating, at: datetime) -> None:
    before = scheduling.CardState(card.state, card.step, card.stability, card.difficulty, card.due, card.last_review)
    after = scheduling.schedule(before, rating, at)
    card.state, card.step, card.stability, card.difficulty = after.state, after.step, after.stability, after.difficulty
    card.due, card.last_review = after.due or at, after.last_review
    card.last_review_day = scheduling.epoch_days(at)
    card.reps += 1
    if int(rating) == 1 and before.state == 2:
        card.lapses += 1
    card.save()


def _outcome(log: ReviewLog, *, duplicate: bool) -> ReviewOutcome:
    return ReviewOutcome(log.client_id, log.correct, log.rating, log.card.due, duplicate, log.applied)


def _count_day(officer: Officer, at: datetime, *, correct: bool, new_card: bool) -> None:
    day = timezone.localdate(at)
    cap = settings_for(officer).points_daily_cap
    activity, _ = DailyActivity.objects.select_for_update().get_or_create(officer=officer, day=day)
    activity.reviews = F("reviews") + 1
    activity.correct = F("correct") + int(correct)
    activity.new_cards = F("new_cards") + int(new_card)
    if correct and activity.points < cap:
        activity.points = F("points") + 1  # one point a right answer, capped a day: points reward showing up
    activity.save()


def mistake_note(
    *, officer: Officer, question: Question, correct: bool, at: datetime, source: str, source_ref: str = ""
) -> Mistake | None:
    """Put a wrong answer in the mistakes book; a right one counts towards leaving it (right on two separate days)."""
    root = lineage_id(question)
    mistake = Mistake.objects.select_for_update().filter(officer=officer, question_id=root).first()
    day = timezone.localdate(at).isoformat()
    if not correct:
        if mistake is None:
            return Mistake.objects.create(
                officer=officer, question_id=root, source=source, source_ref=source_ref, last_wrong_at=at
            )
        mistake.wrong_count += 1
        mistake.last_wrong_at, mistake.right_days, mistake.resolved_at = at, [], None
        mistake.save()
        return mistake
    if mistake is None or mistake.resolved_at is not None or at < mistake.last_wrong_at:
        return mistake
    if day not in mistake.right_days:
        mistake.right_days = sorted([*mistake.right_days, day])
    if len(mistake.right_days) >= 2:
        mistake.resolved_at = at
    mistake.save()
    return mistake


@dataclass(frozen=True)
class ReviewIn:
    question: Question
    response: object
    response_ms: int | None
    client_id: str
    reviewed_at: datetime | None


def reviews_sync(*, officer: Officer, reviews: list[ReviewIn], now: datetime | None = None) -> list[dict]:
    """Apply a batch of reviews (e.g. made offline) in the phone's time order; one result per review.

    Each review is its own transaction: one refused review does not lose the others.
    """
    now = now or timezone.now()
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
