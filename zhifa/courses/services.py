"""Writes of course authoring: courses, chapters, lessons, checkpoints, publishing.

Tracking (sessions, heartbeats, completion) is in tracking.py, uploads and transcoding in uploads.py, certificates
in certificates.py; every write of the app goes through one of these service modules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import nh3
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.courses import queries
from zhifa.courses.models import Chapter, Checkpoint, Course, Heartbeat, Lesson, VideoAsset, WatchSession
from zhifa.people.models import Audience, Domain, Unit, User

MICRO_MAX_MINUTES = 5
PDF_MAGIC = b"%PDF-"
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF")


class CourseError(ValueError):
    """A request the courses app refuses; the message is Chinese and says how to fix it."""


class NotPermitted(CourseError):
    pass


def _check_author(by: User, course: Course | None = None) -> None:
    if course is None and not queries.can_author(by):
        raise NotPermitted("只有讲师、单位培训管理员和系统管理员可以创建课程。")
    if course is not None and not queries.can_manage_course(by, course):
        raise NotPermitted(f"您不是课程《{course.title}》的讲师或管理员，不能修改它。")


def _check_instructors(instructors: list[User]) -> None:
    for user in instructors:
        if not user.has_role("instructor"):
            raise CourseError(f"“{user}”没有讲师角色：请先在人员管理中授予讲师角色（外聘讲师亦可），再设为本课程讲师。")


def _check_cover(cover: UploadedFile | None) -> None:
    if cover is None:
        return
    head = cover.read(8)
    cover.seek(0)
    if not head.startswith(IMAGE_MAGIC):
        raise CourseError("封面必须是 PNG、JPEG、GIF 或 WebP 图片，请重新选择封面文件。")


@transaction.atomic
def course_save(
    *,
    by: User,
    course: Course | None = None,
    code: str,
    title: str,
    summary: str = "",
    requirement: str = Course.Requirement.ELECTIVE,
    domains: list[Domain] | None = None,
    audience: Audience | None = None,
    instructors: list[User] | None = None,
    owner_unit: Unit | None = None,
    cover: UploadedFile | None = None,
) -> Course:
    """Create a course (course=None) or update one; raises NotPermitted or CourseError (bad instructor or cover).

    `audience` (saved by people's AudienceForm): who the course is for; None: every officer."""
    _check_author(by, course)
    _check_instructors(instructors or [])
    _check_cover(cover)
    taken = Course.objects.filter(code=code)
    if course is not None:
        taken = taken.exclude(pk=course.pk)
    if taken.exists():
        raise CourseError(f"课程代码“{code}”已被使用，请换一个代码。")
    created = course is None
    course = course or Course(created_by=by)
    course.code, course.title, course.summary, course.requirement = code, title, summary, requirement
    course.owner_unit = owner_unit
    course.audience = audience
    if cover is not None:
        course.cover = cover
    course.save()
    course.domains.set(domains or [])
    course.instructors.set(instructors or [])
    if created and queries.can_author(by) and by.has_role("instructor") and not instructors:
        course.instructors.add(by)  # an instructor creating a course teaches it unless he names others
    return course


@transaction.atomic
def course_publish(*, by: User, course: Course, publish: bool = True) -> Course:
    """Publish (or withdraw) a course; raises CourseError when it has no lesson or a video is not ready."""
    _check_author(by, course)
    if publish:
        lessons = Lesson.objects.filter(chapter__course=course).select_related("video")
        if not lessons.exists():
            raise CourseError(f"课程《{course.title}》还没有课时，请先添加至少一个课时再发布。")
        for lesson in lessons:
            if lesson.kind == Lesson.Kind.VIDEO and (lesson.video is None or lesson.video.status != "ready"):
                raise CourseError(f"课时“{lesson.title}”的视频尚未转码完成，请等待“可播放”后再发布。")
    old = course.status
    course.status = Course.Status.PUBLISHED if publish else Course.Status.ARCHIVED
    course.published_at = course.published_at or (timezone.now() if publish else None)
    course.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=by,
        action="course.publish" if publish else "course.withdraw",
        obj=course,
        old={"status": old},
        new={"status": course.status},
    )
    return course


@transaction.atomic
def chapter_create(*, by: User, course: Course, title: str) -> Chapter:
    _check_author(by, course)
    if not title.strip():
        raise CourseError("章名不能为空。")
    position = course.chapters.count() + 1
    return Chapter.objects.create(course=course, title=title.strip(), position=position)


def sanitise_html(html: str) -> str:
    """The one sanitiser for rich text: nh3 with its default safe tag set (no script, style, event handlers)."""
    return nh3.clean(html or "")


def _check_lesson_content(
    *, kind: str, body_html: str, document: UploadedFile | None, video: VideoAsset | None, keep_document: bool
) -> None:
    if kind == Lesson.Kind.ARTICLE and not body_html.strip():
        raise CourseError("图文课时需要正文，请填写正文后保存。")
    if kind == Lesson.Kind.DOCUMENT and document is None and not keep_document:
        raise CourseError("文档课时需要上传一个 PDF 文件。")
    if document is not None:
        head = document.read(5)
        document.seek(0)
        if head != PDF_MAGIC:
            raise CourseError(f"“{document.name}”不是 PDF 文件，请上传 PDF（文档课时在页面中直接显示 PDF）。")
    if kind == Lesson.Kind.VIDEO and video is None:
        raise CourseError("视频课时需要先上传视频，再选择它。")
    if kind == Lesson.Kind.VIDEO and video is not None and video.status == VideoAsset.Status.FAILED:
        raise CourseError(f"视频“{video}”处理失败，不能使用：{video.error}")


def _check_micro(*, is_micro: bool, minutes: int, video: VideoAsset | None) -> None:
    if not is_micro:
        return
    if minutes > MICRO_MAX_MINUTES or (video is not None and video.duration > MICRO_MAX_MINUTES * 60):
        raise CourseError("微课时长不能超过 5 分钟：请缩短内容，或取消“微课”标记。")


@transaction.atomic
def lesson_save(
    *,
    by: User,
    chapter: Chapter,
    lesson: Lesson | None = None,
    title: str,
    kind: str,
    hours_category: str,
    credit_hours: Decimal,
    summary: str = "",
    is_micro: bool = False,
    minutes: int = 5,
    body_html: str = "",
    document: UploadedFile | None = None,
    video: VideoAsset | None = None,
    completion_share: Decimal | None = None,
    min_seconds: int = 60,
    pass_share: Decimal = Decimal("0.60"),
    knowledge_points: list[Any] | None = None,
    quiz_questions: list[Any] | None = None,
    article_keys: list[str] | None = None,
) -> Lesson:
    """Create or update a lesson; raises CourseError for missing content, a non-PDF document, an over-long micro
    lesson, or an unknown cited article (laws.UnknownArticle's message)."""
    _check_author(by, chapter.course)
    _check_lesson_content(
        kind=kind, body_html=body_html, document=document, video=video, keep_document=bool(lesson and lesson.document)
    )
    _check_micro(is_micro=is_micro, minutes=minutes, video=video)
    if credit_hours < 0 or credit_hours > 50:
        raise CourseError("每个课时的学时应在 0 到 50 之间。")
    if kind == Lesson.Kind.QUIZ and not quiz_questions and not (lesson and lesson.quiz_questions.exists()):
        raise CourseError("测验课时需要从题库中选择至少一道已发布的题目。")
    lesson = lesson or Lesson(chapter=chapter, position=chapter.lessons.count() + 1)
    fields = dict(
        title=title,
        kind=kind,
        hours_category=hours_category,
        credit_hours=credit_hours,
        summary=summary,
        is_micro=is_micro,
        minutes=minutes,
        body_html=sanitise_html(body_html),
        video=video if kind == Lesson.Kind.VIDEO else None,
        completion_share=completion_share,
        min_seconds=min_seconds,
        pass_share=pass_share,
    )
    for name, value in fields.items():
        setattr(lesson, name, value)
    if document is not None:
        lesson.document = document
    lesson.save()
    if knowledge_points is not None:
        lesson.knowledge_points.set(knowledge_points)
    if quiz_questions is not None:
        lesson.quiz_questions.set(quiz_questions)
    if article_keys is not None:
        _cite(lesson=lesson, article_keys=article_keys, by=by)
    return lesson


def _cite(*, lesson: Lesson, article_keys: list[str], by: User) -> None:
    from zhifa.laws import services as laws_services  # the laws app's one citation mechanism

    try:
        laws_services.citation_set(obj=lesson, article_keys=article_keys, by=by)
    except laws_services.UnknownArticle as error:
        raise CourseError(str(error)) from error


@transaction.atomic
def checkpoint_create(
    *, by: User, lesson: Lesson, at_seconds: int, prompt: str, options: list[dict], answer: str, explanation: str = ""
) -> Checkpoint:
    """Add a question that pauses the video; raises CourseError when the time is outside the video or the answer
    is not one of the options."""
    _check_author(by, lesson.chapter.course)
    if lesson.kind != Lesson.Kind.VIDEO:
        raise CourseError("随堂提问只能加在视频课时上。")
    if lesson.video and lesson.video.duration and at_seconds >= lesson.video.duration:
        raise CourseError(f"提问时间 {at_seconds} 秒超出了视频长度（{lesson.video.duration:.0f} 秒）。")
    labels = [str(o.get("label", "")) for o in options]
    if len(options) < 2 or answer not in labels:
        raise CourseError("随堂提问至少要有两个选项，且正确答案必须是其中之一（例如 A）。")
    return Checkpoint.objects.create(
        lesson=lesson, at_seconds=at_seconds, prompt=prompt, options=options, answer=answer, explanation=explanation
    )


@dataclass
class PurgeResult:
    beats: int = 0
    sessions: int = 0


def heartbeats_purge(*, before: datetime, batch_size: int = 50_000) -> PurgeResult:
    """Compact heartbeats received before `before` into their watch sessions' counts, then delete them.

    Progress and hours never read heartbeats: every accepted beat was merged into its session (`media_seconds`,
    `last_seq`) and its officer × lesson progress (`watched`) when it arrived, and completion wrote the learning
    record and the hours entry. What the raw rows add is evidence of how a session earned its seconds; the session
    keeps that as counts (`purged_accepted`, `purged_refused` by reason, `purged_through`). Walks the table in
    primary-key windows of `batch_size` (one transaction each, so the purge can be stopped and resumed), and stops
    at the first window whose rows are all newer than `before` (ids grow with the time of arrival).
    """
    result = PurgeResult()
    bounds = Heartbeat.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return result
    low = bounds["low"]
    while low <= bounds["high"]:
        high = low + batch_size
        window = Heartbeat.objects.filter(pk__gte=low, pk__lt=high)
        with transaction.atomic():
            beats, sessions = _heartbeats_window_purge(window=window, low=low, high=high, before=before)
        result.beats += beats
        result.sessions += sessions
        if beats == 0 and window.exists():
            break  # every beat from here on is within the retention
        low = high
    return result


def _heartbeats_window_purge(*, window, low: int, high: int, before: datetime) -> tuple[int, int]:
    """One window of heartbeats_purge: add the old beats' counts to their sessions, delete them; (beats, sessions)."""
    groups = (
        window.filter(received_at__lt=before)
        .values("session_id", "accepted", "reason")
        .annotate(n=Count("pk"), last=Max("received_at"))
        .order_by()
    )
    by_session: dict[int, tuple[int, Counter, datetime]] = {}
    for row in groups:
        accepted, refused, last = by_session.get(row["session_id"], (0, Counter(), row["last"]))
        if row["accepted"]:
            accepted += row["n"]
        else:
            refused[row["reason"] or "unknown"] += row["n"]
        by_session[row["session_id"]] = (accepted, refused, max(last, row["last"]))
    if not by_session:
        return 0, 0
    sessions = list(WatchSession.objects.select_for_update().filter(pk__in=list(by_session)).order_by("pk"))
    for session in sessions:
        accepted, refused, last = by_session[session.pk]
        session.purged_accepted += accepted
        session.purged_refused = dict(Counter(session.purged_refused or {}) + refused)
        session.purged_through = max(session.purged_through or last, last)
    WatchSession.objects.bulk_update(sessions, ["purged_accepted", "purged_refused", "purged_through"])
    # Heartbeat's manager refuses deletes (the rows are evidence while kept): this is the one place that ends them.
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Heartbeat._meta.db_table} WHERE id >= %s AND id < %s AND received_at < %s",
            [low, high, connection.ops.adapt_datetimefield_value(before)],
        )
        return cursor.rowcount, len(sessions)
