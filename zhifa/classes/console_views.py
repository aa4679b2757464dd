"""Console pages (desktop): classes, sessions, enrolment, the classroom screen, roll call, reports and exports;
the instructor registry; programmes."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import cast

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zhifa.cases.models import Scenario
from zhifa.classes import checkin, checkin_tokens, exports, forms, programmes, queries, services
from zhifa.classes.models import Enrolment, ProgrammePart
from zhifa.common import excel
from zhifa.common.decorators import page_for
from zhifa.common.files import file_response
from zhifa.courses.models import Course
from zhifa.exams.models import Exam
from zhifa.people import access
from zhifa.people.forms import AudienceForm
from zhifa.people.models import Officer, Role, User

console_required = page_for(access.can_use_console)


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _can_create(request: HttpRequest) -> bool:
    """Whether the user manages a unit, so may create classes, programmes and instructors (an auditor reads only:
    the lists offer him no 新建 button that would refuse him)."""
    return access.units_managed_by(request.user).exists()


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# ---- classes ----------------------------------------------------------------------------------------------------


@console_required
def manage_list(request: HttpRequest) -> HttpResponse:
    classes = queries.classes_viewable_by(request.user).select_related("organiser").order_by("-starts_on")[:200]
    return render(request, "classes/manage_list.html", {"classes": classes, "can_create": _can_create(request)})


def _class_initial(offline_class) -> dict:
    initial = {
        f: getattr(offline_class, f)
        for f in (
            "title",
            "organiser",
            "starts_on",
            "ends_on",
            "capacity",
            "mode",
            "summary",
            "pre_course",
            "post_exam",
        )
    }
    return initial


@console_required
def class_edit(request: HttpRequest, class_id: int | None = None) -> HttpResponse:
    offline_class = (
        queries.class_get_for_manager(class_id=class_id, user=request.user, write=True) if class_id else None
    )
    units = access.units_managed_by(request.user)
    if not units.exists():
        raise Http404
    initial = _class_initial(offline_class) if offline_class else {"mode": "assigned", "capacity": 40}
    form = forms.ClassForm(request.POST or None, initial=initial, units=units)
    audience_form = AudienceForm(
        request.POST or None,
        user=_me(request),
        audience=offline_class.audience if offline_class else None,
        optional=True,
    )
    valid = [f.is_valid() for f in (form, audience_form)]  # every form's errors show at once
    if request.method == "POST" and all(valid):
        data = form.cleaned_data
        try:
            audience = audience_form.save(name=f"培训班：{data['title']}"[:100])
            offline_class = services.class_save(
                by=_me(request),
                offline_class=offline_class,
                audience=audience,
                **{k: data[k] for k in ("title", "organiser", "starts_on", "ends_on", "capacity", "mode", "summary")},
                pre_course=data["pre_course"],
                post_exam=data["post_exam"],
            )
        except services.ClassError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "培训班已保存。")
            return redirect("classes:class-manage", class_id=offline_class.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "audience_form": audience_form, "offline_class": offline_class}
    return render(request, "classes/class_edit.html", context, status=status)


@console_required
def class_manage(request: HttpRequest, class_id: int) -> HttpResponse:
    offline_class = queries.class_get_for_manager(class_id=class_id, user=request.user)
    enrolments = list(
        offline_class.enrolments.exclude(status=Enrolment.Status.WITHDRAWN)
        .select_related("officer__unit")
        .order_by("status", "queued_at", "pk")
    )
    sessions = list(offline_class.sessions.select_related("instructor").order_by("starts_at"))
    return render(
        request,
        "classes/class_manage.html",
        {
            "offline_class": offline_class,
            "sessions": sessions,
            "enrolments": enrolments,
            "enrolled": sum(1 for e in enrolments if e.status == Enrolment.Status.ENROLLED),
            "groups": sorted({s.group for s in sessions if s.group}),
            "can_write": access.can_manage_unit(request.user, offline_class.organiser),
            "documents": offline_class.documents.all(),
        },
    )


@console_required
@require_POST
def class_cancel(request: HttpRequest, class_id: int) -> HttpResponse:
    offline_class = queries.class_get_for_manager(class_id=class_id, user=request.user, write=True)
    try:
        sent = services.class_cancel(
            by=_me(request), offline_class=offline_class, reason=request.POST.get("reason", "")
        )
    except services.ClassError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"培训班已取消，已通知 {sent} 人。")
    return redirect("classes:class-manage", class_id=class_id)


@console_required
@require_POST
def document_add(request: HttpRequest, class_id: int) -> HttpResponse:
    offline_class = queries.class_get_for_manager(class_id=class_id, user=request.user, write=True)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的资料文件。")
    else:
        try:
            services.document_add(
                by=_me(request), offline_class=offline_class, title=request.POST.get("title", ""), file=upload
            )
        except services.ClassError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "资料已上传。")
    return redirect("classes:class-manage", class_id=class_id)


# ---- sessions ---------------------------------------------------------------------------------------------------


@console_required
def session_edit(request: HttpRequest, class_id: int | None = None, session_id: int | None = None) -> HttpResponse:
    session = (
        queries.session_get_for_manager(session_id=session_id, user=request.user, write=True) if session_id else None
    )
    offline_class = (
        session.offline_class
        if session
        else queries.class_get_for_manager(class_id=cast(int, class_id), user=request.user, write=True)
    )
    initial = forms.SessionForm.initial_for(session) if session else {"category": "legal", "required": True}
    form = forms.SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.session_save(
                by=_me(request),
                offline_class=offline_class,
                session=session,
                data=services.SessionIn(**{**data, **{k: data[k] or "" for k in ("venue", "online_url", "group")}}),
            )
        except services.ClassError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "课次已保存。")
            return redirect("classes:class-manage", class_id=offline_class.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "offline_class": offline_class, "session": session}
    return render(request, "classes/session_edit.html", context, status=status)


# ---- enrolment --------------------------------------------------------------------------------------------------


@console_required
@require_POST
def enrolment_add(request: HttpRequest, class_id: int) -> HttpResponse:
    offline_class = queries.class_get_for_manager(class_id=class_id, user=request.user, write=True)
    number = request.POST.get("certificate_number", "").strip()
    officer = access.officers_viewable_by(request.user).filter(certificate_number=number).first() if number else None
    if officer is None:
        messages.error(request, f"找不到执法证号为“{number}”的人员（仅限您管理的单位），请核对后重填。")
        return redirect("classes:class-manage", class_id=class_id)
    try:
        enrolment = services.enrolment_add(
            by=_me(request),
            offline_class=offline_class,
            officer=officer,
            waiting_if_full=bool(request.POST.get("waiting")),
        )
    except services.ClassError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{officer.name}：{enrolment.get_status_display()}。")
    return redirect("classes:class-manage", class_id=class_id)


@console_required
@require_POST
def enrolment_audience(request: HttpRequest, class_id: int) -> HttpResponse:
    offline_class = queries.class_get_for_manager(class_id=class_id, user=request.user, write=True)
    try:
        enrolled, waiting = services.enrolment_add_audience(by=_me(request), offline_class=offline_class)
    except services.ClassError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已按培训对象报名 {enrolled} 人，候补 {waiting} 人。")
    return redirect("classes:class-manage", class_id=class_id)


@console_required
@require_POST
def enrolment_action(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("offline_class__organiser", "officer"), pk=enrolment_id
    )
    if not access.can_manage_unit(request.user, enrolment.offline_class.organiser):
        raise Http404
    action = request.POST.get("action", "")
    try:
        if action in ("approve", "reject"):
            services.enrolment_decide(by=_me(request), enrolment=enrolment, approve=action == "approve")
        elif action == "withdraw":
            services.enrolment_withdraw(
                by=_me(request), enrolment=enrolment, reason=request.POST.get("reason", "管理员调整")
            )
        elif action == "move":
            services.enrolment_move(by=_me(request), enrolment=enrolment, group=request.POST.get("group", ""))
        else:
            raise services.ClassError("未知操作。")
    except services.ClassError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{enrolment.officer.name}：已处理。")
    return redirect("classes:class-manage", class_id=enrolment.offline_class_id)


# ---- the classroom screen, roll call ----------------------------------------------------------------------------


def _screen_state(request: HttpRequest, session, action: str) -> dict:
    now = timezone.now()
    step = checkin.step_seconds(session)
    token = checkin.current_token(session, action=action, now=now)
    url = request.build_absolute_uri(reverse("classes:checkin", args=[session.pk, token]))
    svg = segno.make(url, error="m").svg_inline(scale=10, border=2, dark="#000", light="#fff")
    return {
        "session": session,
        "action": action,
        "qr_svg": svg,
        "checkin_url": url,
        "present": queries.present_count(session),
        "expected": len(queries.session_roster(session)),
        "step": step,
        "seconds_left": round(checkin_tokens.seconds_left(now, step), 1),
        "poll_seconds": 2 if step >= 10 else 1,
    }


@console_required
def session_screen(request: HttpRequest, session_id: int) -> HttpResponse:
    """Full screen for the classroom: the rotating QR code and the count of those checked in (htmx polls)."""
    session = queries.session_get_for_manager(session_id=session_id, user=request.user, write=True)
    action = "out" if request.GET.get("action") == "out" and session.checkout_required else "in"
    return render(request, "classes/session_screen.html", _screen_state(request, session, action))


@console_required
def session_screen_live(request: HttpRequest, session_id: int) -> HttpResponse:
    session = queries.session_get_for_manager(session_id=session_id, user=request.user, write=True)
    action = "out" if request.GET.get("action") == "out" and session.checkout_required else "in"
    response = render(request, "classes/_screen_live.html", _screen_state(request, session, action))
    response["Cache-Control"] = "no-store"
    return response


@console_required
def roll_call(request: HttpRequest, session_id: int) -> HttpResponse:
    session = queries.session_get_for_manager(session_id=session_id, user=request.user, write=request.method == "POST")
    if request.method == "POST":
        officer = get_object_or_404(Officer, pk=request.POST.get("officer_id") or 0)
        try:
            checkin.attendance_roll_call(by=_me(request), session=session, officer=officer)
        except services.ClassError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"已为{officer.name}登记到课。")
        return redirect("classes:roll-call", session_id=session.pk)
    roster = queries.session_roster(session)
    return render(
        request,
        "classes/roll_call.html",
        {
            "session": session,
            "roster": roster,
            "can_write": access.can_manage_unit(request.user, session.offline_class.organiser),
        },
    )


# ---- reports and exports ----------------------------------------------------------------------------------------


@console_required
def class_report(request: HttpRequest, class_id: int) -> HttpResponse:
    offline_class = queries.class_get_for_manager(class_id=class_id, user=request.user)
    lines, overall, results = queries.class_report(offline_class)
    return render(
        request,
        "classes/class_report.html",
        {"offline_class": offline_class, "lines": lines, "overall": overall, "results": results},
    )


@console_required
def attendance_export(request: HttpRequest, class_id: int) -> HttpResponse:
    offline_class = queries.class_get_for_manager(class_id=class_id, user=request.user)
    return excel.xlsx_response(exports.class_attendance_xlsx(offline_class), f"attendance-{offline_class.pk}.xlsx")


@console_required
def signin_pdf(request: HttpRequest, session_id: int) -> HttpResponse:
    session = queries.session_get_for_manager(session_id=session_id, user=request.user)
    return _download(exports.signin_sheet_pdf(session), "application/pdf", f"signin-{session.pk}.pdf")


@console_required
def signin_xlsx(request: HttpRequest, session_id: int) -> HttpResponse:
    session = queries.session_get_for_manager(session_id=session_id, user=request.user)
    return excel.xlsx_response(exports.signin_sheet_xlsx(session), f"signin-{session.pk}.xlsx")


# ---- instructors ------------------------------------------------------------------------------------------------


@console_required
def instructor_list(request: HttpRequest) -> HttpResponse:
    instructors = queries.instructors_for_console(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        instructors = instructors.filter(name__icontains=query) | instructors.filter(organisation__icontains=query)
    context = {"instructors": instructors[:300], "q": query, "can_create": _can_create(request)}
    return render(request, "classes/instructor_list.html", context)


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


def instructor_detail(request: HttpRequest, instructor_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('people:login')}?next={request.path}")
    instructor = queries.instructor_get_for_user(instructor_id=instructor_id, user=request.user)
    return _instructor_page(request, instructor)


def _instructor_page(request: HttpRequest, instructor, *, phone: str = "") -> HttpResponse:
    year = _year(request)
    sessions = list(queries.sessions_of_instructor(instructor, year=year))
    summary = queries.rating_summary(session_ids=[s.pk for s in sessions])
    own_page = not access.can_use_console(request.user)  # the instructor himself: the learner layout, no console menu
    return render(
        request,
        "classes/instructor_own.html" if own_page else "classes/instructor_detail.html",
        {
            "instructor": instructor,
            "sessions": sessions,
            "summary": summary,
            "year": year,
            "courses": instructor.user.courses_taught.all() if instructor.user is not None else [],
            "can_edit": access.can_manage_people(request.user),
            "can_unmask": not own_page and access.can_manage_people(request.user),
            "phone": phone,
        },
    )


def instructor_photo(request: HttpRequest, instructor_id: int) -> HttpResponseBase:
    if not request.user.is_authenticated:
        raise Http404
    instructor = queries.instructor_get_for_user(instructor_id=instructor_id, user=request.user)
    if not instructor.photo:
        raise Http404
    suffix = PurePosixPath(instructor.photo.name or "").suffix.lower()
    return file_response(instructor.photo, filename=f"{instructor.name}{suffix}")


def instructor_record(request: HttpRequest, instructor_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('people:login')}?next={request.path}")
    instructor = queries.instructor_get_for_user(instructor_id=instructor_id, user=request.user)
    year = _year(request)
    return excel.xlsx_response(
        exports.instructor_record_xlsx(instructor, year), f"teaching-{instructor.pk}-{year}.xlsx"
    )


@page_for(access.can_manage_people)
@require_POST
@never_cache
def instructor_phone(request: HttpRequest, instructor_id: int) -> HttpResponse:
    """The full phone number, once, for an administrator (audited); an htmx fragment, else the whole page."""
    instructor = queries.instructor_get_for_user(instructor_id=instructor_id, user=request.user)
    try:
        phone = services.instructor_phone_unmask(
            by=_me(request), instructor=instructor, reason=request.POST.get("reason", "")[:200]
        )
    except services.NotPermitted:
        raise Http404
    if request.headers.get("HX-Request"):
        response = render(request, "classes/_instructor_phone.html", {"instructor": instructor, "phone": phone})
    else:
        response = _instructor_page(request, instructor, phone=phone)
    response["Cache-Control"] = "no-store"
    return response


@page_for(access.can_manage_people)
def instructor_edit(request: HttpRequest, instructor_id: int | None = None) -> HttpResponse:
    instructor = (
        queries.instructor_get_for_user(instructor_id=instructor_id, user=request.user) if instructor_id else None
    )
    initial = {}
    if instructor is not None:
        initial = {f: getattr(instructor, f) for f in ("name", "kind", "organisation", "title", "bio")}
        initial["domains"] = list(instructor.domains.all())
        initial["knowledge_points"] = list(instructor.knowledge_points.all())
        initial["username"] = instructor.user.get_username() if instructor.user else ""
    form = forms.InstructorForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = None
        if data["username"]:
            user = User.objects.filter(username=data["username"]).first()
            if user is None:
                form.add_error("username", f"账号“{data['username']}”不存在；请先在人员管理中为讲师开设账号。")
            elif not (user.has_role(Role.INSTRUCTOR) or hasattr(user, "officer")):
                form.add_error("username", "该账号既不是讲师也不是执法人员，请先授予讲师角色。")
        if form.is_valid():
            try:
                instructor = services.instructor_save(
                    by=_me(request),
                    instructor=instructor,
                    user=user,
                    phone=data["phone"],
                    photo=data["photo"],
                    **{
                        k: data[k]
                        for k in ("name", "kind", "organisation", "title", "bio", "domains", "knowledge_points")
                    },
                )
            except services.ClassError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "讲师信息已保存。")
                return redirect("classes:instructor-detail", instructor_id=instructor.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "classes/instructor_edit.html", {"form": form, "instructor": instructor}, status=status)


# ---- programmes -------------------------------------------------------------------------------------------------


@console_required
def programme_manage_list(request: HttpRequest) -> HttpResponse:
    items = queries.programmes_viewable_by(request.user).order_by("-created_at")[:200]
    return render(
        request, "classes/programme_manage_list.html", {"programmes": items, "can_create": _can_create(request)}
    )


@console_required
def programme_create(request: HttpRequest) -> HttpResponse:
    units = access.units_managed_by(request.user)
    if not units.exists():
        raise Http404
    form = forms.ProgrammeForm(request.POST or None, units=units)
    audience_form = AudienceForm(request.POST or None, user=_me(request), optional=True)
    valid = [f.is_valid() for f in (form, audience_form)]
    if request.method == "POST" and all(valid):
        data = form.cleaned_data
        try:
            audience = audience_form.save(name=f"项目：{data['title']}"[:100])
            programme = programmes.programme_save(
                by=_me(request),
                title=data["title"],
                organiser=data["organiser"],
                summary=data["summary"],
                audience=audience,
            )
        except services.ClassError as error:
            form.add_error(None, str(error))
        else:
            return redirect("classes:programme-manage", programme_id=programme.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "classes/programme_create.html", {"form": form, "audience_form": audience_form}, status=status
    )


@console_required
def programme_manage(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = queries.programme_get_for_manager(
        programme_id=programme_id, user=request.user, write=request.method == "POST"
    )
    form = forms.PartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programmes.programme_part_add(by=_me(request), programme=programme, **form.cleaned_data)
        except services.ClassError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "环节已加入。")
            return redirect("classes:programme-manage", programme_id=programme.pk)
    items = {
        "course": Course.objects.filter(status="published").order_by("title")[:200],
        "class": queries.classes_viewable_by(request.user).order_by("-starts_on")[:200],
        "exam": Exam.objects.order_by("-opens_at")[:200],
        "drill": Scenario.objects.filter(current__isnull=False).order_by("title")[:200],
    }
    choices = [(kind, label, items[kind]) for kind, label in ProgrammePart.Kind.choices]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "classes/programme_manage.html",
        {
            "programme": programme,
            "parts": programme.parts.select_related("course", "offline_class", "exam", "scenario"),
            "form": form,
            "choices": choices,
            "can_write": access.can_manage_unit(request.user, programme.organiser),
        },
        status=status,
    )


@console_required
@require_POST
def part_move(request: HttpRequest, part_id: int) -> HttpResponse:
    """Move a programme part up or down: the list again (an htmx fragment), or back to the programme page."""
    part = get_object_or_404(ProgrammePart.objects.select_related("programme__organiser"), pk=part_id)
    if not access.can_manage_unit(request.user, part.programme.organiser):
        raise Http404
    try:
        programmes.programme_part_move(by=_me(request), part=part, direction=request.POST.get("direction", ""))
    except services.ClassError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    if not request.headers.get("HX-Request"):
        return redirect("classes:programme-manage", programme_id=part.programme_id)
    parts = part.programme.parts.select_related("course", "offline_class", "exam", "scenario")
    return render(request, "classes/_programme_parts.html", {"parts": parts, "can_write": True})


@console_required
@require_POST
def part_remove(request: HttpRequest, part_id: int) -> HttpResponse:
    part = get_object_or_404(ProgrammePart.objects.select_related("programme__organiser"), pk=part_id)
    if not access.can_manage_unit(request.user, part.programme.organiser):
        raise Http404
    programmes.programme_part_remove(by=_me(request), part=part)
    return redirect("classes:programme-manage", programme_id=part.programme_id)
