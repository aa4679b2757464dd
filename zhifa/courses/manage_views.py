"""Authoring pages (desktop console) for instructors and administrators; auditors read the list and the outlines."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhifa.common.decorators import page_for
from zhifa.courses import certificates, conf, queries, services, video
from zhifa.courses.forms import ChapterForm, CheckpointForm, CourseForm, LessonForm
from zhifa.courses.models import Chapter, Course, Lesson, VideoAsset
from zhifa.people import access
from zhifa.people.forms import AudienceForm
from zhifa.people.models import User


class ConsoleRequest(HttpRequest):
    """A request console_required let through: its user is logged in (never AnonymousUser)."""

    user: User


console_required = page_for(queries.can_view_console)


def _videos_for(user):
    if access.is_system_admin(user):
        return VideoAsset.objects.exclude(status=VideoAsset.Status.FAILED)
    return VideoAsset.objects.filter(uploaded_by=user).exclude(status=VideoAsset.Status.FAILED)


@console_required
def manage(request: HttpRequest) -> HttpResponse:
    courses = (
        queries.courses_readable_in_console(request.user)
        .select_related("owner_unit")
        .prefetch_related("instructors")
        .order_by("-updated_at")
    )
    return render(
        request,
        "courses/manage/list.html",
        {
            "courses": courses[:200],
            "can_author": queries.can_author(request.user),
            "ffmpeg_missing": not video.ffmpeg_available(),
        },
    )


@console_required
def course_create(request: ConsoleRequest) -> HttpResponse:
    if not queries.can_author(request.user):
        raise Http404
    form = CourseForm(request.POST or None, request.FILES or None, units=access.units_managed_by(request.user))
    audience_form = AudienceForm(request.POST or None, user=request.user, optional=True)
    if request.method == "POST" and all([form.is_valid(), audience_form.is_valid()]):
        try:
            course = _save(request, form, audience_form, course=None)
        except services.CourseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"课程《{course.title}》已创建，请添加章节和课时。")
            return redirect("courses:course-edit", course_id=course.pk)
    return render(request, "courses/manage/course_form.html", {"form": form, "audience_form": audience_form})


@transaction.atomic
def _save(request: ConsoleRequest, form: CourseForm, audience_form: AudienceForm, *, course: Course | None) -> Course:
    """The course and who it is for in one transaction (a refused course leaves no new audience behind)."""
    title = form.cleaned_data["title"]
    audience = audience_form.save(course.audience if course else None, name=f"课程：{title}"[:100])
    return services.course_save(by=request.user, course=course, audience=audience, **form.cleaned_data)


@console_required
def course_edit(request: ConsoleRequest, course_id: int) -> HttpResponse:
    course, editable = queries.course_get_for_console(course_id=course_id, user=request.user)
    form = CourseForm(
        request.POST or None,
        request.FILES or None,
        initial=CourseForm.initial_for(course),
        units=access.units_managed_by(request.user),
    )
    audience_form = AudienceForm(request.POST or None, user=request.user, audience=course.audience, optional=True)
    if request.method == "POST":
        if not editable:
            raise Http404
        if all([form.is_valid(), audience_form.is_valid()]):
            try:
                _save(request, form, audience_form, course=course)
            except services.CourseError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "课程信息已保存。")
                return redirect("courses:course-edit", course_id=course.pk)
    outline = queries.course_outline(course=course, officer=None)
    return render(
        request,
        "courses/manage/course_edit.html",
        {
            "course": course,
            "form": form,
            "audience_form": audience_form,
            "outline": outline,
            "editable": editable,
            "chapter_form": ChapterForm(),
            "certificates": _certificates_shown(course, request.user, editable=editable),
            "ffmpeg_missing": not video.ffmpeg_available(),
        },
    )


def _certificates_shown(course: Course, user: User, *, editable: bool) -> list:
    """The course's certificates; a reader of another unit's course sees only those of officers he may see."""
    rows = course.certificates.select_related("officer")
    if not editable:
        rows = rows.filter(officer__in=access.officers_viewable_by(user))
    return list(rows[:50])


@console_required
@require_POST
def course_publish(request: ConsoleRequest, course_id: int) -> HttpResponse:
    course = queries.course_get_for_author(course_id=course_id, user=request.user)
    try:
        services.course_publish(by=request.user, course=course, publish=request.POST.get("publish") != "0")
        messages.success(request, f"课程《{course.title}》状态：{course.get_status_display()}。")
    except services.CourseError as error:
        messages.error(request, str(error))
    return redirect("courses:course-edit", course_id=course.pk)


@console_required
@require_POST
def chapter_create(request: ConsoleRequest, course_id: int) -> HttpResponse:
    course = queries.course_get_for_author(course_id=course_id, user=request.user)
    form = ChapterForm(request.POST)
    if form.is_valid():
        services.chapter_create(by=request.user, course=course, title=form.cleaned_data["title"])
    else:
        messages.error(request, "请填写章名。")
    return redirect("courses:course-edit", course_id=course.pk)


def _lesson_initial(lesson: Lesson) -> dict:
    from zhifa.laws.models import Citation  # laws sits below courses

    keys = Citation.objects.filter(
        content_type__app_label="courses", content_type__model="lesson", object_id=lesson.pk
    ).values_list("article_key", flat=True)
    return {
        "title": lesson.title,
        "kind": lesson.kind,
        "summary": lesson.summary,
        "hours_category": lesson.hours_category,
        "credit_hours": lesson.credit_hours,
        "is_micro": lesson.is_micro,
        "minutes": lesson.minutes,
        "body_html": lesson.body_html,
        "video": lesson.video,
        "completion_share": lesson.completion_share,
        "min_seconds": lesson.min_seconds,
        "pass_share": lesson.pass_share,
        "knowledge_points": list(lesson.knowledge_points.all()),
        "quiz_questions": list(lesson.quiz_questions.all()),
        "article_keys": "\n".join(keys),
    }


def _lesson_form_page(request, *, chapter: Chapter, lesson: Lesson | None) -> HttpResponse:
    form = LessonForm(
        request.POST or None,
        request.FILES or None,
        videos=_videos_for(request.user),
        initial=_lesson_initial(lesson) if lesson else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.lesson_save(by=request.user, chapter=chapter, lesson=lesson, **form.cleaned_data)
        except services.CourseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"课时“{saved.title}”已保存。")
            return redirect("courses:lesson-edit", lesson_id=saved.pk)
    return render(
        request,
        "courses/manage/lesson_form.html",
        {
            "form": form,
            "chapter": chapter,
            "course": chapter.course,
            "lesson": lesson,
            "checkpoint_form": CheckpointForm(),
        },
    )


@console_required
def lesson_create(request: HttpRequest, chapter_id: int) -> HttpResponse:
    chapter = get_object_or_404(Chapter.objects.select_related("course"), pk=chapter_id)
    queries.course_get_for_author(course_id=chapter.course_id, user=request.user)
    return _lesson_form_page(request, chapter=chapter, lesson=None)


@console_required
def lesson_edit(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = queries.lesson_get_for_author(lesson_id=lesson_id, user=request.user)
    return _lesson_form_page(request, chapter=lesson.chapter, lesson=lesson)


@console_required
@require_POST
def checkpoint_create(request: ConsoleRequest, lesson_id: int) -> HttpResponse:
    lesson = queries.lesson_get_for_author(lesson_id=lesson_id, user=request.user)
    form = CheckpointForm(request.POST)
    if not form.is_valid():
        messages.error(request, "随堂提问填写有误：" + "；".join(str(e) for errs in form.errors.values() for e in errs))
    else:
        try:
            services.checkpoint_create(by=request.user, lesson=lesson, **form.cleaned_data)
            messages.success(request, "随堂提问已添加。")
        except services.CourseError as error:
            messages.error(request, str(error))
    return redirect("courses:lesson-edit", lesson_id=lesson.pk)


@console_required
def video_upload(request: HttpRequest) -> HttpResponse:
    if not queries.can_author(request.user):
        raise Http404
    return render(
        request,
        "courses/manage/video_upload.html",
        {
            "videos": _videos_for(request.user)[:50],
            "chunk_bytes": conf.chunk_max_bytes(),
        },
    )


@console_required
def video_status(request: HttpRequest, video_id: int) -> HttpResponse:
    """htmx fragment: "转码中 45%" until ready (polls itself), then the poster and duration."""
    video = queries.video_get_for_user(video_id=video_id, user=request.user)
    return render(request, "courses/manage/_video_status.html", {"video": video})


@console_required
@require_POST
def certificate_revoke(request: ConsoleRequest, code: str) -> HttpResponse:
    certificate = queries.certificate_get_for_user(code=code, user=request.user)
    try:
        certificates.certificate_revoke(by=request.user, certificate=certificate, reason=request.POST.get("reason", ""))
        messages.success(request, f"证书 {certificate.code} 已撤销。")
    except services.CourseError as error:
        messages.error(request, str(error))
    return redirect("courses:course-edit", course_id=certificate.course_id)
