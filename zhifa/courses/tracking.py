"""Honest tracking: watch sessions, heartbeats, checkpoints, reading and quizzes, and lesson/course completion.

Completion writes exactly one "completed" statement and one hours entry per officer × lesson (records' dedupe keys),
so a replayed request, a second tab or a retried task can never credit twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhifa.courses import beatstore, conf, intervals
from zhifa.courses.models import (
    Checkpoint,
    CheckpointAnswer,
    Lesson,
    LessonProgress,
    WatchSession,
)
from zhifa.courses.services import CourseError
from zhifa.people.models import Officer, User
from zhifa.records import services as records

logger = logging.getLogger("zhifa.courses.tracking")


@dataclass
class BeatResult:
    accepted: bool
    code: str = ""
    message: str = ""
    unique_seconds: float = 0
    furthest: float = 0
    completed: bool = False
    watched: list = field(default_factory=list)


def session_start(*, officer: Officer, lesson: Lesson, user_agent: str = "") -> tuple[WatchSession, LessonProgress]:
    """Open a watch session; the officer's other open sessions stop earning (one screen at a time)."""
    now = timezone.now()
    with transaction.atomic():
        WatchSession.objects.filter(officer=officer, status=WatchSession.Status.ACTIVE).update(
            status=WatchSession.Status.SUPERSEDED
        )
        progress, _ = LessonProgress.objects.get_or_create(officer=officer, lesson=lesson)
        session = WatchSession.objects.create(
            officer=officer,
            lesson=lesson,
            started_at=now,
            clock=now.timestamp(),
            user_agent=user_agent[:200],
            progress=progress,
        )
    return session, progress


def _verdict(state: beatstore.BeatState, *, seq: int, spans: list, rate: float, now: datetime) -> intervals.Verdict:
    if state.status != WatchSession.Status.ACTIVE:
        return intervals.Verdict(False, "superseded", "您已在另一个窗口或设备上打开了课程，本窗口的观看不计入学时。")
    if state.kind != Lesson.Kind.VIDEO or state.duration <= 0:
        return intervals.Verdict(False, "not_video", "该课时不是视频课时，无需上报观看进度。")
    return intervals.judge(
        intervals.BeatClaim(
            intervals=spans,
            rate=rate,
            seq=seq,
            duration=state.duration,
            furthest=state.furthest,
            completed=state.completed,
            last_seq=state.last_seq,
            wall_seconds=max(0.0, now.timestamp() - state.clock),
            rate_cap=conf.rate_cap(),
        )
    )


@transaction.atomic
def heartbeat_record(
    *, session_id: int, user: User, seq: int, spans: list, position: float, rate: float, now: datetime | None = None
) -> BeatResult:
    """Store one heartbeat (always, as evidence) and add its intervals to the union if the wall clock allows them.

    Raises WatchSession.DoesNotExist for a session of another user. A refused beat returns accepted=False with a
    Chinese message and is logged; nothing is credited from it.
    """
    now = now or timezone.now()
    state = beatstore.state_lock(session_id=session_id, user_id=user.pk)
    if state is None:
        raise WatchSession.DoesNotExist
    verdict = _verdict(state, seq=seq, spans=spans, rate=rate, now=now)
    if not verdict.ok:
        beatstore.refused_store(
            state=state, now=now, seq=seq, spans=spans, position=position, rate=rate, reason=verdict.code
        )
        logger.warning(
            "heartbeat refused: officer=%s session=%s seq=%s code=%s intervals=%s",
            state.officer_id,
            state.session_id,
            seq,
            verdict.code,
            spans[:10],
        )
        return BeatResult(
            False, verdict.code, verdict.message, state.unique_seconds, state.furthest, state.completed, state.watched
        )
    state.watched = [list(i) for i in intervals.union(state.watched, spans)]
    state.unique_seconds = round(intervals.total(state.watched), 2)
    state.furthest = intervals.furthest(state.watched)
    beatstore.accepted_store(
        state=state,
        now=now,
        seq=seq,
        spans=spans,
        position=position,
        rate=rate,
        added_media=intervals.raw_length(spans),
    )
    share = state.completion_share if state.completion_share is not None else conf.completion_share()
    completed = state.completed
    if not completed and intervals.share_watched(state.watched, state.duration) >= float(share):
        progress = LessonProgress.objects.select_related("lesson__video", "officer").get(pk=state.progress_id)
        completed = video_lesson_try_complete(progress=progress, now=now)
    return BeatResult(True, "", "", state.unique_seconds, state.furthest, completed, state.watched)


def required_share(lesson: Lesson) -> Decimal:
    return lesson.completion_share if lesson.completion_share is not None else conf.completion_share()


def checkpoints_open(*, officer: Officer, lesson: Lesson) -> list[Checkpoint]:
    answered = CheckpointAnswer.objects.filter(officer=officer, checkpoint__lesson=lesson, correct=True)
    return list(lesson.checkpoints.exclude(pk__in=answered.values("checkpoint_id")))


def video_lesson_try_complete(*, progress: LessonProgress, now: datetime | None = None) -> bool:
    """Complete a video lesson when enough unique seconds are watched and every checkpoint is answered."""
    lesson = progress.lesson
    duration = lesson.video.duration if lesson.video else 0
    if intervals.share_watched(progress.watched, duration) < float(required_share(lesson)):
        return False
    if checkpoints_open(officer=progress.officer, lesson=lesson):
        return False
    evidence = (
        f"视频去重观看 {progress.unique_seconds:.0f} 秒 / 时长 {duration:.0f} 秒"
        f"（要求 {float(required_share(lesson)):.0%}），随堂提问 {lesson.checkpoints.count()} 题均已答对"
    )
    lesson_complete(progress=progress, evidence=evidence, result={"unique_seconds": progress.unique_seconds}, now=now)
    return True


def lesson_complete(
    *, progress: LessonProgress, evidence: str, result: dict[str, Any], now: datetime | None = None
) -> LessonProgress:
    """Mark a lesson complete and credit it once: a "completed" statement and an hours entry (idempotent)."""
    now = now or timezone.now()
    lesson, officer = progress.lesson, progress.officer
    course = lesson.chapter.course
    if progress.completed_at is None:
        progress.completed_at = now
        progress.save(update_fields=["completed_at", "updated_at"])
    key = f"courses:lesson:{lesson.pk}:officer:{officer.pk}"
    records.statement_record(
        officer=officer,
        verb="completed",
        object_type="lesson",
        object_id=str(lesson.pk),
        object_name=f"{course.title} · {lesson.title}",
        result={**result, "completion": True},
        context={"course": course.code, "kind": lesson.kind},
        timestamp=progress.completed_at,
        dedupe_key=key,
    )
    if lesson.credit_hours > 0:
        records.hours_credit(
            officer=officer,
            category=lesson.hours_category,
            hours=lesson.credit_hours,
            source=f"课程《{course.title}》· {lesson.title}",
            evidence=evidence,
            dedupe_key=key,
            year=progress.completed_at.astimezone(timezone.get_current_timezone()).year,
        )
    from zhifa.courses.certificates import course_try_complete  # certificates imports tracking's callers

    course_try_complete(officer=officer, course=course, now=now)
    return progress


@dataclass
class CheckpointResult:
    correct: bool
    message: str
    completed: bool


@transaction.atomic
def checkpoint_answer(*, officer: Officer, checkpoint: Checkpoint, response: str) -> CheckpointResult:
    """Record an answer; only a correct one counts. Raises CourseError before the video reached the question."""
    progress = LessonProgress.objects.select_for_update().get(officer=officer, lesson=checkpoint.lesson)
    if progress.furthest + intervals.SEEK_SLACK < checkpoint.at_seconds and progress.completed_at is None:
        raise CourseError("视频尚未播放到这道随堂提问，请继续观看。")
    correct = response == checkpoint.answer
    CheckpointAnswer.objects.update_or_create(
        checkpoint=checkpoint, officer=officer, defaults={"response": response[:8], "correct": correct}
    )
    completed = progress.completed_at is not None or (correct and video_lesson_try_complete(progress=progress))
    message = "回答正确，继续观看。" if correct else "回答不正确，请回想刚才的内容后再选一次。"
    if checkpoint.explanation and correct:
        message += checkpoint.explanation
    return CheckpointResult(correct, message, completed)


@transaction.atomic
def reading_complete(*, session_id: int, officer: Officer, now: datetime | None = None) -> LessonProgress:
    """Complete a document or article lesson after its minimum reading time; raises CourseError before that."""
    now = now or timezone.now()
    session = WatchSession.objects.select_related("lesson__chapter__course").get(pk=session_id, officer=officer)
    lesson = session.lesson
    if lesson.kind not in (Lesson.Kind.ARTICLE, Lesson.Kind.DOCUMENT):
        raise CourseError("只有文档和图文课时可以这样标记完成。")
    if session.status != WatchSession.Status.ACTIVE:
        raise CourseError("您已在另一个窗口打开了课程，请在最新打开的窗口中标记完成。")
    progress = LessonProgress.objects.select_for_update().get(officer=officer, lesson=lesson)
    if progress.completed_at:
        return progress
    elapsed = (now - session.started_at).total_seconds()
    if elapsed < lesson.min_seconds:
        raise CourseError(
            f"请认真阅读后再标记完成：本课时至少需要学习 {lesson.min_seconds} 秒，"
            f"还差 {lesson.min_seconds - int(elapsed)} 秒。"
        )
    return lesson_complete(
        progress=progress,
        evidence=f"阅读 {int(elapsed)} 秒（要求至少 {lesson.min_seconds} 秒）",
        result={"duration_seconds": int(elapsed)},
        now=now,
    )
