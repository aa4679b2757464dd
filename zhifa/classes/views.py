"""Learner pages (phone-first): my classes, a class, the check-in link, the anonymous rating, programmes; and the
instructor's own page (his sessions, invitations, materials, ratings)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.classes import checkin, programmes, queries, services
from zhifa.classes.forms import RatingForm
from zhifa.classes.models import ClassSession, Enrolment
from zhifa.common.files import file_response
from zhifa.people import access
from zhifa.people.models import User


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def my_classes(request: HttpRequest) -> HttpResponse:
    officer = access.officer_of(request.user)
    instructor = queries.instructor_of(request.user)
    context = {
        "officer": officer,
        "instructor": instructor,
        "enrolments": list(queries.enrolments_of(officer)) if officer else [],
        "open_classes": queries.classes_open_for(officer) if officer else [],
        "programmes": queries.programmes_for_officer(officer) if officer else [],
        "today": timezone.localdate(),
    }
    return render(request, "classes/my_classes.html", context)


@login_required
def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    offline_class, enrolment = queries.class_get_for_officer(class_id=class_id, user=request.user)
    officer = access.officer_of(request.user)
    enrolled = enrolment is not None and enrolment.status == Enrolment.Status.ENROLLED
    sessions = queries.sessions_for_enrolment(offline_class, enrolment)
    attended = queries.attended_session_ids(officer, offline_class)
    rated = queries.rated_session_ids(officer, offline_class)
    now = timezone.now()
    context = {
        "offline_class": offline_class,
        "enrolment": enrolment,
        "enrolled": enrolled,
        "rows": [
            {
                "session": s,
                "attendance": attended.get(s.pk),
                "can_rate": s.pk in attended and s.pk not in rated and now >= s.starts_at,
                "rated": s.pk in rated,
            }
            for s in sessions
        ],
        "documents": list(offline_class.documents.all()) if enrolled else [],
        "can_enrol": enrolment is None or enrolment.status in ("withdrawn", "rejected"),
    }
    return render(request, "classes/class_detail.html", context)


@login_required
@require_POST
def class_enrol(request: HttpRequest, class_id: int) -> HttpResponse:
    offline_class, _ = queries.class_get_for_officer(class_id=class_id, user=request.user)
    officer = access.officer_of(request.user)
    if officer is None:
        raise Http404
    try:
        enrolment = services.enrolment_request(officer=officer, offline_class=offline_class)
    except services.ClassError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已提交：{enrolment.get_status_display()}。")
    return redirect("classes:class-detail", class_id=offline_class.pk)


@login_required
@require_POST
def class_withdraw(request: HttpRequest, class_id: int) -> HttpResponse:
    offline_class, enrolment = queries.class_get_for_officer(class_id=class_id, user=request.user)
    if enrolment is None:
        raise Http404
    services.enrolment_withdraw(by=_me(request), enrolment=enrolment, reason="本人退出")
    messages.success(request, "已退出该培训班。")
    return redirect("classes:class-detail", class_id=offline_class.pk)


def _position(request: HttpRequest) -> tuple[float, float, float] | None:
    try:
        return (
            float(request.POST["lat"]),
            float(request.POST["lng"]),
            float(request.POST.get("accuracy") or 0),
        )
    except (KeyError, ValueError):
        return None


@login_required
def checkin_link(request: HttpRequest, session_id: int, token: str) -> HttpResponse:
    """The link in the classroom QR code. Opening it checks the officer in (or out); with a geofence, the page first
    asks the phone for its position and posts it here."""
    try:
        session = checkin.session_for_link(session_id)
    except checkin.CheckinRefused:
        session = None
    if session is not None and session.has_geofence and request.method != "POST":
        return render(request, "classes/checkin_locate.html", {"token": token})
    try:
        result = checkin.checkin_scan(
            user=_me(request),
            session_id=session_id,
            token=token,
            position=_position(request) if request.method == "POST" else None,
            session=session,
        )
    except checkin.CheckinRefused as error:
        status = 429 if isinstance(error, checkin.RateLimited) else 409 if error.code == "twice" else 403
        return _checkin_page({"ok": False, "message": str(error), "code": error.code}, status)
    return _checkin_page({"ok": True, "message": result.message, "session": result.attendance.session}, 200)


def _checkin_page(context: dict, status: int) -> HttpResponse:
    """The phone's answer: a small page of its own, rendered without the context processors (navigation, the
    notice count): in a classroom of hundreds scanning at once, every query saved counts."""
    html = get_template("classes/checkin_result.html").render(context)
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def session_rate(request: HttpRequest, session_id: int) -> HttpResponse:
    session, officer = queries.session_for_rating(session_id=session_id, user=request.user)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rating_submit(officer=officer, session=session, **form.cleaned_data)
        except services.ClassError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "感谢评价！评价为匿名，仅以汇总形式（满 5 份）提供给讲师和主办单位。")
            return redirect("classes:class-detail", class_id=session.offline_class_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "classes/session_rate.html", {"session": session, "form": form}, status=status)


@login_required
def document_download(request: HttpRequest, document_id: int) -> HttpResponseBase:
    document = queries.document_get_for_user(document_id=document_id, user=request.user)
    suffix = PurePosixPath(document.file.name or "").suffix.lower()
    return file_response(document.file, filename=f"{document.title}{suffix}")


# ---- programmes -------------------------------------------------------------------------------------------------


@login_required
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme, officer = queries.programme_get_for_officer(programme_id=programme_id, user=request.user)
    progress = programmes.progress_for(programme=programme, officer=officer)
    certificate = programmes.programme_try_complete(programme=programme, officer=officer) if progress.complete else None
    return render(
        request,
        "classes/programme_detail.html",
        {"programme": programme, "progress": progress, "certificate": certificate},
    )


@login_required
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    certificate = queries.certificate_get_for_user(code=code, user=request.user)
    response = HttpResponse(programmes.certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="programme-certificate-{certificate.code}.pdf"'
    return response


def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: whether a programme certificate is valid; shows only the holder's name and the programme."""
    certificate = queries.certificate_get_by_code(code=code)
    return render(request, "classes/certificate_verify.html", {"certificate": certificate})


# ---- the instructor's own page ----------------------------------------------------------------------------------


@login_required
def teaching(request: HttpRequest) -> HttpResponse:
    """An instructor's sessions, invitations to answer, the materials of his classes and his ratings (aggregate)."""
    instructor = queries.instructor_of(request.user)
    if instructor is None:
        raise Http404
    sessions = list(queries.sessions_of_instructor(instructor))
    for session in sessions:
        session.rating = queries.rating_summary(session_ids=[session.pk])  # type: ignore[attr-defined]
    summary = queries.rating_summary(session_ids=[s.pk for s in sessions if s.booking == ClassSession.Booking.ACCEPTED])
    return render(
        request,
        "classes/teaching.html",
        {
            "instructor": instructor,
            "sessions": sessions,
            "requests": [s for s in sessions if s.booking == ClassSession.Booking.REQUESTED],
            "documents": queries.documents_for_instructor(instructor),
            "summary": summary,
            "year": timezone.localdate().year,
        },
    )


@login_required
@require_POST
def booking_answer(request: HttpRequest, session_id: int) -> HttpResponse:
    session = queries.session_get_for_instructor(session_id=session_id, user=request.user)
    accept = request.POST.get("answer") == "accept"
    try:
        services.session_booking_answer(by=_me(request), session=session, accept=accept)
    except services.ClassError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "已接受授课邀请。" if accept else "已谢绝授课邀请。")
    return redirect("classes:teaching")
