"""Officer pages: my exams, an exam's start page, the taking page (attempt.js does the rest), the result."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.exams import queries, services
from zhifa.exams.models import Attempt
from zhifa.people.models import User


def _me(request: HttpRequest) -> User:
    """The logged-in user (these pages require a login)."""
    assert isinstance(request.user, User)
    return request.user


@login_required
def exam_list(request: HttpRequest) -> HttpResponse:
    exams = queries.exams_for_officer(user=_me(request))
    now = timezone.now()
    mine = queries.my_attempt_states(user=_me(request), exams=exams)
    for exam in exams:
        exam.my_state = exam_state(exam, now, *mine.get(exam.pk, (0, False)))  # type: ignore[attr-defined]
    return render(request, "exams/exam_list.html", {"exams": exams, "now": now})


def exam_state(exam, now, submitted: int, running: bool) -> tuple[str, str]:
    """(label, badge class) of an exam for one officer: 进行中 only while he may still answer; once he has handed
    in his last attempt, 已交卷 until the results' release time, then 成绩已公布."""
    if now < exam.opens_at:
        return "未开始", "warn"
    done = submitted > 0 and not running and (submitted >= exam.attempts_allowed or now >= exam.closes_at)
    if done:
        if exam.results_released(now):
            return "成绩已公布", "ok"
        return f"已交卷 · 成绩 {timezone.localtime(exam.results_release_at or exam.closes_at):%Y-%m-%d %H:%M} 公布", ""
    if now < exam.closes_at:
        return "进行中", "ok"
    return "已结束", ""


@login_required
def exam_detail(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam, officer = queries.exam_get_for_officer(exam_id=exam_id, user=_me(request))
    attempts = list(Attempt.objects.filter(exam=exam, officer=officer).select_related("grade").order_by("number"))
    return render(
        request,
        "exams/exam_detail.html",
        {
            "exam": exam,
            "attempts": attempts,
            "open": exam.is_open(timezone.now()),
            "running": next((a for a in attempts if a.status == Attempt.Status.RUNNING), None),
            "left": exam.attempts_allowed - len(attempts),
        },
    )


@login_required
@require_POST
def exam_start(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam, officer = queries.exam_get_for_officer(exam_id=exam_id, user=_me(request))
    running = queries.running_attempt(exam=exam, officer=officer)
    if running is not None and not services.attempt_close_if_expired(attempt=running):
        return redirect("exams:attempt-take", attempt_id=running.pk)
    try:
        paper = queries.attempt_paper_for(exam=exam, officer=officer)
        attempt = services.attempt_start(exam=exam, officer_id=officer.pk, paper_id=paper.pk)
    except services.ExamError as exc:
        messages.error(request, exc.message)
        return redirect("exams:exam-detail", exam_id=exam.pk)
    return redirect("exams:attempt-take", attempt_id=attempt.pk)


@login_required
def attempt_take(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = queries.attempt_get_own(attempt_id=attempt_id, user=_me(request))
    services.attempt_close_if_expired(attempt=attempt)
    if attempt.status != Attempt.Status.RUNNING:
        return redirect("exams:attempt-result", attempt_id=attempt.pk)
    return render(request, "exams/attempt_take.html", {"attempt": attempt, "exam": attempt.exam})


@login_required
def attempt_result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = queries.attempt_get_own(attempt_id=attempt_id, user=_me(request))
    services.attempt_close_if_expired(attempt=attempt)
    return render(
        request,
        "exams/attempt_result.html",
        {"attempt": attempt, "exam": attempt.exam, **queries.attempt_result(attempt=attempt)},
    )
