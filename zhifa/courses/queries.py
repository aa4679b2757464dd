"""Reads for a user: the catalogue, a course or lesson a user may open, what an author may manage (Http404 otherwise).

Who sees a course: officers see published courses whose audience (people.Audience) contains them, and every
course without an audience; instructors, administrators and auditors see every published
course as a preview. Who manages a course: a system administrator; its instructors; its creator; the administrator
of its owner unit's subtree. Auditors read the console list but change nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zhifa.courses.models import Certificate, Course, Lesson, LessonProgress, UploadSession, VideoAsset
from zhifa.people import access
from zhifa.people.audiences import audiences_containing, audiences_reaching
from zhifa.people.models import Audience, Officer


def audience_filter(officer: Officer) -> Q:
    """Courses for this officer: those without an audience (every officer) and those whose audience contains him
    (people.audiences, one query for all published courses' audiences)."""
    audiences = Audience.objects.filter(
        pk__in=Course.objects.filter(status=Course.Status.PUBLISHED, audience__isnull=False).values("audience_id")
    )
    return Q(audience__isnull=True) | Q(audience_id__in=audiences_containing(officer, audiences))


def with_grants(user):
    """Load the user's role grants once; access.* asks for them several times per request."""
    if user.is_authenticated and "role_grants" not in getattr(user, "_prefetched_objects_cache", {}):
        prefetch_related_objects([user], "role_grants__unit")
    return user


def courses_visible_to(user) -> QuerySet[Course]:
    with_grants(user)
    published = Course.objects.filter(status=Course.Status.PUBLISHED)
    officer = access.officer_of(user)
    if officer is not None and not can_author(user) and not access.can_use_console(user):
        return published.filter(audience_filter(officer))
    return published


def can_author(user) -> bool:
    with_grants(user)
    return access.is_system_admin(user) or access.is_unit_admin(user) or access.is_instructor(user)


def can_view_console(user) -> bool:
    return can_author(user) or access.is_auditor(user)


def courses_manageable_by(user) -> QuerySet[Course]:
    if access.is_system_admin(user):
        return Course.objects.all()
    q = Q(instructors=user) | Q(created_by=user)
    for path in access.managed_unit_paths(user) or []:
        q |= Q(owner_unit__path__startswith=path)
    return Course.objects.filter(pk__in=Course.objects.filter(q).values("pk"))


def courses_readable_in_console(user) -> QuerySet[Course]:
    """What the console list shows: managed courses, plus (read-only) the published courses of others whose
    audience reaches the user's units (no audience: every officer); everything for a province-wide auditor."""
    paths = access.viewable_unit_paths(user)
    managed = Q(pk__in=courses_manageable_by(user).values("pk"))
    if access.is_auditor(user) and paths is None:
        rows = Course.objects.all()
    elif not paths:
        rows = Course.objects.filter(managed)
    else:
        reaching = Q(status=Course.Status.PUBLISHED) & (
            Q(audience__isnull=True) | Q(audience__in=audiences_reaching(paths))
        )
        rows = Course.objects.filter(managed | reaching)
    # `own`: the user may edit it (the list marks the others 只读).
    return rows.annotate(own=ExpressionWrapper(managed, output_field=BooleanField()))


def can_manage_course(user, course: Course) -> bool:
    return courses_manageable_by(user).filter(pk=course.pk).exists()


def course_get_for_author(*, course_id: int, user) -> Course:
    """A course the user may edit; Http404 otherwise."""
    course = get_object_or_404(Course, pk=course_id)
    if not can_manage_course(user, course):
        raise Http404
    return course


def course_get_for_console(*, course_id: int, user) -> tuple[Course, bool]:
    """A course shown in the console and whether the user may edit it; Http404 when he may not even read it."""
    course = get_object_or_404(Course, pk=course_id)
    if can_manage_course(user, course):
        return course, True
    if courses_readable_in_console(user).filter(pk=course.pk).exists():
        return course, False
    raise Http404


def course_get_for_user(*, course_id: int, user) -> Course:
    """A published course in the user's catalogue (or one he manages, as a preview); Http404 otherwise."""
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise Http404
    if courses_visible_to(user).filter(pk=course.pk).exists() or can_manage_course(user, course):
        return course
    raise Http404


def lesson_get_for_user(*, lesson_id: int, user) -> Lesson:
    lesson = get_object_or_404(Lesson.objects.select_related("chapter__course", "video"), pk=lesson_id)
    course_get_for_user(course_id=lesson.chapter.course_id, user=user)
    return lesson


def lesson_get_for_author(*, lesson_id: int, user) -> Lesson:
    lesson = get_object_or_404(Lesson.objects.select_related("chapter__course", "video"), pk=lesson_id)
    course_get_for_author(course_id=lesson.chapter.course_id, user=user)
    return lesson


def video_get_for_user(*, video_id: int, user) -> VideoAsset:
    """A video the user uploaded, or reaches through a lesson he may open or manage; Http404 otherwise."""
    video = get_object_or_404(VideoAsset, pk=video_id)
    if video.uploaded_by_id == user.pk or access.is_system_admin(user):
        return video
    visible = courses_visible_to(user).values("pk")
    managed = courses_manageable_by(user).values("pk") if can_author(user) else Course.objects.none().values("pk")
    if video.lessons.filter(Q(chapter__course__in=visible) | Q(chapter__course__in=managed)).exists():
        return video
    raise Http404


def upload_get_for_user(*, upload_id, user) -> UploadSession:
    upload = UploadSession.objects.filter(pk=upload_id, created_by=user).first()
    if upload is None or not can_author(user):
        raise Http404
    return upload


def certificate_get_by_code(*, code: str) -> Certificate:
    """Public: any certificate by its printed code (the verify page shows only name, course and validity)."""
    return get_object_or_404(Certificate.objects.select_related("officer", "course"), code=code)


def certificate_get_for_user(*, code: str, user) -> Certificate:
    certificate = certificate_get_by_code(code=code)
    if not access.can_view_officer(user, certificate.officer):
        raise Http404
    return certificate


def catalogue(*, user, q: str = "", requirement: str = "", domain: str = "", micro: bool = False) -> QuerySet[Course]:
    courses = courses_visible_to(user).prefetch_related("domains", "instructors")
    if q:
        courses = courses.filter(
            Q(title__icontains=q) | Q(summary__icontains=q) | Q(chapters__lessons__title__icontains=q)
        ).distinct()
    if requirement in Course.Requirement.values:
        courses = courses.filter(requirement=requirement)
    if domain:
        courses = courses.filter(domains__code=domain)
    if micro:
        courses = courses.filter(chapters__lessons__is_micro=True).distinct()
    return courses.order_by("requirement", "-published_at", "title")


@dataclass
class CourseOutline:
    course: Course
    chapters: list  # [(chapter, [(lesson, progress | None)])]
    done: int
    total: int
    certificate: Certificate | None


def course_outline(*, course: Course, officer: Officer | None) -> CourseOutline:
    lessons = list(Lesson.objects.filter(chapter__course=course).select_related("chapter", "video"))
    progress = {}
    if officer is not None:
        progress = {p.lesson_id: p for p in LessonProgress.objects.filter(officer=officer, lesson__in=lessons)}
    chapters: dict[int, tuple] = {}
    for lesson in lessons:
        chapters.setdefault(lesson.chapter_id, (lesson.chapter, []))[1].append((lesson, progress.get(lesson.pk)))
    done = sum(1 for p in progress.values() if p.completed_at)
    certificate = Certificate.objects.filter(officer=officer, course=course).first() if officer else None
    ordered = sorted(chapters.values(), key=lambda item: (item[0].position, item[0].pk))
    return CourseOutline(course, ordered, done, len(lessons), certificate)


@dataclass
class DueCourse:
    course: Course
    done: int
    total: int


@dataclass
class LearnerHome:
    due: list[DueCourse]
    resume: list[LessonProgress]
    today: list[Lesson]


TODAY_SIZE = 3


def _daily_order(lesson_id: int, day: date) -> str:
    # A stable shuffle that changes each day: the feed is not always the same three lessons.
    return hashlib.sha256(f"{day.isoformat()}:{lesson_id}".encode()).hexdigest()


def _due(required: list[Course], lessons: list[Lesson], progress: dict) -> list[DueCourse]:
    due = []
    for course in required:
        own = [lesson for lesson in lessons if lesson.chapter.course_id == course.pk]
        done = sum(1 for lesson in own if progress.get(lesson.pk) and progress[lesson.pk].completed_at)
        due.append(DueCourse(course, done, len(own)))
    return due


def _today(officer: Officer, lessons: list[Lesson], progress: dict, day: date) -> list[Lesson]:
    domains = officer.domains.values_list("pk", flat=True)
    recommended = set(Course.domains.through.objects.filter(domain_id__in=domains).values_list("course_id", flat=True))
    open_micro = [
        lesson
        for lesson in lessons
        if lesson.is_micro and not (progress.get(lesson.pk) and progress[lesson.pk].completed_at)
    ]
    assigned = [lesson for lesson in open_micro if lesson.chapter.course.is_required]
    suggested = [
        lesson
        for lesson in open_micro
        if not lesson.chapter.course.is_required and lesson.chapter.course_id in recommended
    ]
    feed = sorted(assigned, key=lambda lesson: _daily_order(lesson.pk, day))
    feed += sorted(suggested, key=lambda lesson: _daily_order(lesson.pk, day))
    return feed[:TODAY_SIZE]


def learner_home(*, officer: Officer, today: date | None = None) -> LearnerHome:
    """What the learner home shows: required courses not completed, lessons to continue, and today's micro-lessons
    (from required courses first, then electives recommended for the officer's domains). Six queries."""
    visible = Course.objects.filter(status=Course.Status.PUBLISHED).filter(audience_filter(officer))
    open_courses = visible.exclude(pk__in=Certificate.objects.filter(officer=officer).values("course_id"))
    required = list(open_courses.filter(requirement=Course.Requirement.REQUIRED))
    lessons = list(Lesson.objects.filter(chapter__course__in=open_courses).select_related("chapter__course"))
    progress = {p.lesson_id: p for p in LessonProgress.objects.filter(officer=officer, lesson__in=lessons)}
    by_id = {lesson.pk: lesson for lesson in lessons}
    resume = sorted(
        (p for p in progress.values() if p.completed_at is None),
        key=lambda p: p.updated_at,
        reverse=True,
    )[:3]
    for item in resume:
        item.lesson = by_id[item.lesson_id]
    return LearnerHome(
        due=_due(required, lessons, progress),
        resume=resume,
        today=_today(officer, lessons, progress, today or timezone.localdate()),
    )
