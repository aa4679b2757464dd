"""Learner pages (mobile-first): catalogue, course outline, lesson (player, PDF, article, quiz), media, certificates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from zhifa.courses import certificates, conf, media, queries, quiz, tracking
from zhifa.courses.models import Course, Lesson, LessonProgress
from zhifa.courses.services import CourseError
from zhifa.laws import queries as law_queries
from zhifa.people import access
from zhifa.people.models import Domain


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    params = request.GET
    courses = queries.catalogue(
        user=request.user,
        q=params.get("q", "").strip()[:50],
        requirement=params.get("requirement", ""),
        domain=params.get("domain", ""),
        micro=params.get("micro") == "1",
    )
    return render(
        request,
        "courses/catalogue.html",
        {
            "courses": courses[:100],
            "domains": Domain.objects.all(),
            "params": params,
            "requirements": Course.Requirement.choices,
        },
    )


@login_required
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    course = queries.course_get_for_user(course_id=course_id, user=request.user)
    outline = queries.course_outline(course=course, officer=access.officer_of(request.user))
    lessons = [lesson for _, rows in outline.chapters for lesson, _ in rows]
    revised = law_queries.revised_banner(user=request.user, objects=[course, *lessons])
    return render(request, "courses/course_detail.html", {"outline": outline, "course": course, "revised": revised})


def _lesson_context(request: HttpRequest, lesson: Lesson) -> dict:
    officer = access.officer_of(request.user)
    progress = LessonProgress.objects.filter(officer=officer, lesson=lesson).first() if officer else None
    checkpoints = (
        [{"id": c.pk, "at": c.at_seconds, "prompt": c.prompt, "options": c.options} for c in lesson.checkpoints.all()]
        if lesson.kind == Lesson.Kind.VIDEO
        else []
    )
    answered = set()
    if officer and checkpoints:
        answered = {c.pk for c in tracking.checkpoints_open(officer=officer, lesson=lesson)}
        checkpoints = [dict(c, answered=c["id"] not in answered) for c in checkpoints]
    siblings = list(Lesson.objects.filter(chapter__course=lesson.chapter.course).values_list("pk", flat=True))
    index = siblings.index(lesson.pk)
    return {
        "lesson": lesson,
        "course": lesson.chapter.course,
        "progress": progress,
        "tracked": officer is not None,
        "checkpoints": checkpoints,
        "heartbeat_seconds": conf.heartbeat_seconds(),
        "rate_cap": conf.rate_cap(),
        "required_share": float(tracking.required_share(lesson)),
        "next_id": siblings[index + 1] if index + 1 < len(siblings) else None,
        "questions": quiz.quiz_questions(lesson) if lesson.kind == Lesson.Kind.QUIZ else [],
    }


@login_required
def lesson_detail(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = queries.lesson_get_for_user(lesson_id=lesson_id, user=request.user)
    context = _lesson_context(request, lesson)
    context["revised"] = law_queries.revised_banner(user=request.user, objects=[lesson])
    return render(request, "courses/lesson_detail.html", context)


@login_required
@require_POST
def quiz_submit(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = queries.lesson_get_for_user(lesson_id=lesson_id, user=request.user)
    officer = access.officer_of(request.user)
    if officer is None:
        raise Http404
    responses = {}
    for question in quiz.quiz_questions(lesson):
        values = request.POST.getlist(f"q{question.pk}")
        responses[question.pk] = values if question.kind == "multiple" else (values[0] if values else "")
    try:
        result = quiz.quiz_submit(officer=officer, lesson=lesson, responses=responses)
    except CourseError as error:
        messages.error(request, str(error))
        return redirect("courses:lesson-detail", lesson_id=lesson.pk)
    context = _lesson_context(request, lesson) | {"result": result, "submitted": responses}
    return render(request, "courses/lesson_detail.html", context)


@login_required
@xframe_options_sameorigin
@csp_override({"default-src": [CSP.SELF], "frame-ancestors": [CSP.SELF], "object-src": [CSP.NONE]})
def lesson_document(request: HttpRequest, lesson_id: int) -> HttpResponseBase:
    """The PDF of a document lesson, shown inside the lesson page (frame-ancestors 'self' for this file only)."""
    lesson = queries.lesson_get_for_user(lesson_id=lesson_id, user=request.user)
    if not lesson.document:
        raise Http404
    return media.serve(request, lesson.document, content_type="application/pdf", inline_name=f"lesson-{lesson.pk}.pdf")


@login_required
def video_file(request: HttpRequest, video_id: int, kind: str) -> HttpResponseBase:
    """The MP4 rendition (range requests) or the poster frame of a video the user may watch."""
    video = queries.video_get_for_user(video_id=video_id, user=request.user)
    field = video.rendition if kind == "mp4" else video.poster
    if not field:
        raise Http404
    return media.serve(request, field, content_type="video/mp4" if kind == "mp4" else "image/jpeg")


@login_required
def course_cover(request: HttpRequest, course_id: int) -> HttpResponseBase:
    course = queries.course_get_for_user(course_id=course_id, user=request.user)
    if not course.cover:
        raise Http404
    return media.serve(request, course.cover)


@login_required
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    certificate = queries.certificate_get_for_user(code=code, user=request.user)
    response = HttpResponse(certificates.certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: whether a certificate is valid; shows only the holder's name and the course."""
    certificate = queries.certificate_get_by_code(code=code.upper())
    return render(request, "courses/certificate_verify.html", {"certificate": certificate})
