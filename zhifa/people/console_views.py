"""The desktop admin console (units, officers, import, audit log). Thin: parse, call queries/services, render.

Not a console user → 404 (the console is not advertised); an object outside the user's subtree → 404; an object the
user may see but not change (an auditor on an edit page) → 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zhifa.common import excel
from zhifa.common.decorators import page_for
from zhifa.people import access, importing, queries, services
from zhifa.people.forms import AudienceForm, AuditFilterForm, ImportForm, OfficerFilterForm, OfficerForm, RoleGrantForm
from zhifa.people.models import Officer, User

PAGE_SIZE = 50


def _duty_page(duty: str, allowed) -> Callable:
    """page_for(allowed), but a 三员 administrator kept from this duty gets 403 with the reason (三员分立)."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if refusal := access.separation_refusal(request.user, duty):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapper

    return lambda view: decorate(page_for(allowed)(view))


# Log-in required, then 404 for anyone without the console (403 with the reason for the security and audit admins).
console_page = _duty_page("people", access.can_use_console)


def _me(request: HttpRequest) -> User:
    """The logged-in user (console pages require a login)."""
    assert isinstance(request.user, User)
    return request.user


def _require_manager(user) -> None:
    if not access.can_manage_people(user):
        raise PermissionDenied("只读账号不能修改人员信息。")


@console_page
def console_home(request: HttpRequest) -> HttpResponse:
    units = queries.units_for_tree(user=request.user)[:200]
    return render(request, "people/console_home.html", {"units": units})


@console_page
def unit_list(request: HttpRequest) -> HttpResponse:
    units = queries.units_for_tree(user=request.user).prefetch_related("domains")
    return render(request, "people/unit_list.html", {"units": units})


@console_page
def officer_list(request: HttpRequest) -> HttpResponse:
    form = OfficerFilterForm(request.GET or None, user=request.user)
    officers = queries.officers_for_user(
        user=request.user, filters=form.filters() if form.is_bound else queries.OfficerFilter()
    )
    page = Paginator(officers, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_manage": access.can_manage_people(request.user),
    }
    return render(request, "people/officer_list.html", context)


@console_page
def officer_detail(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = queries.officer_get_for_user(officer_id=officer_id, user=request.user)
    return _render_detail(request, officer)


def _render_detail(request: HttpRequest, officer: Officer, **extra) -> HttpResponse:
    about_officer = Q(object_type="people.officer", object_id=str(officer.pk))
    about_account = Q(object_type="people.user", object_id=str(officer.user_id))
    events: list = []  # the system administrator manages the officer but does not read the audit log (三员分立)
    if access.can_view_audit_log(request.user):
        trail = queries.audit_events_for_user(user=request.user, filters=queries.AuditFilter())
        events = list(trail.filter(about_officer | about_account)[:20])
    can_manage = access.can_manage_officer(request.user, officer)
    context = {
        "officer": officer,
        "events": events,
        "can_manage": can_manage,
        "grants": officer.user.role_grants.select_related("unit"),
        "role_form": RoleGrantForm(user=request.user) if can_manage else None,
        **extra,
    }
    return render(request, "people/officer_detail.html", context)


@console_page
def officer_create(request: HttpRequest) -> HttpResponse:
    _require_manager(request.user)
    form = OfficerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            officer = services.officer_create(by=_me(request), **data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"已新增执法人员 {officer.name}。")
            return redirect("console:officer-detail", officer_id=officer.pk)
    return render(request, "people/officer_form.html", {"form": form, "officer": None})


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@console_page
def officer_edit(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = queries.officer_get_for_user(officer_id=officer_id, user=request.user)
    if not access.can_manage_officer(request.user, officer):
        raise PermissionDenied("只读账号不能修改人员信息。")
    form = OfficerForm(request.POST or None, user=request.user, officer=officer)
    if request.method == "POST" and form.is_valid():
        try:
            services.officer_update(officer=officer, by=_me(request), changes=form.changes())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("console:officer-detail", officer_id=officer.pk)
    return render(request, "people/officer_form.html", {"form": form, "officer": officer})


@require_POST
@console_page
@never_cache
def officer_unmask(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = queries.officer_get_for_user(officer_id=officer_id, user=request.user)
    plain = services.officer_unmask(officer=officer, by=_me(request), reason=request.POST.get("reason", "")[:200])
    response = _render_detail(request, officer, plain=plain)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@console_page
@never_cache
def officer_password_reset(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = queries.officer_get_for_user(officer_id=officer_id, user=request.user)
    password = services.officer_password_reset(officer=officer, by=_me(request))
    response = _render_detail(request, officer, temporary_password=password)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@console_page
def officer_role_grant(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = queries.officer_get_for_user(officer_id=officer_id, user=request.user)
    if not access.can_manage_officer(request.user, officer):
        raise PermissionDenied("只读账号不能授予角色。")
    form = RoleGrantForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("console:officer-detail", officer_id=officer.pk)
    try:
        services.role_grant(
            user=officer.user, role=form.cleaned_data["role"], unit=form.cleaned_data["unit"], by=_me(request)
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已授予角色。")
    return redirect("console:officer-detail", officer_id=officer.pk)


@require_POST
@console_page
def role_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = queries.role_grant_get_for_user(grant_id=grant_id, user=request.user)
    officer_id = grant.user.officer.pk
    services.role_revoke(grant=grant, by=_me(request))
    messages.success(request, "已撤销角色。")
    return redirect("console:officer-detail", officer_id=officer_id)


@console_page
def officer_export(request: HttpRequest) -> HttpResponse:
    unit_id = request.GET.get("unit", "")
    unit = queries.unit_get_for_user(unit_id=int(unit_id), user=request.user) if unit_id.isdigit() else None
    content = importing.officer_export(by=_me(request), unit=unit)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return excel.xlsx_response(content, f"officers-{unit.code if unit else 'all'}-{stamp}.xlsx")


@console_page
def officer_import(request: HttpRequest) -> HttpResponse:
    _require_manager(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = importing.officer_import_preview(
            content=upload.read(), filename=upload.name, by=_me(request), unit=form.cleaned_data["unit"]
        )
        return redirect("console:officer-import-detail", import_id=batch.pk)
    context = {"form": form, "imports": queries.imports_for_user(user=request.user)}
    return render(request, "people/officer_import.html", context)


@console_page
def officer_import_template(request: HttpRequest) -> HttpResponse:
    _require_manager(request.user)
    return excel.xlsx_response(importing.officer_template(), "officer-import-template.xlsx")


@console_page
def officer_import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    batch = queries.import_get_for_user(import_id=import_id, user=request.user)
    errors = batch.errors[:1000]
    return render(
        request,
        "people/officer_import_detail.html",
        {"batch": batch, "errors": errors, "more_errors": len(batch.errors) - len(errors)},
    )


@require_POST
@console_page
def officer_import_confirm(request: HttpRequest, import_id: int) -> HttpResponse:
    batch = queries.import_get_for_user(import_id=import_id, user=request.user)
    try:
        batch = importing.officer_import_confirm(batch=batch, by=_me(request))
    except importing.ImportNotPending:
        messages.error(request, "该导入已处理过或存在错误，无需再次确认。")
    else:
        if batch.status == batch.Status.IMPORTED:
            messages.success(request, f"已导入 {batch.imported_count} 名执法人员。")
        else:
            messages.error(request, "复核时发现错误，未导入任何人员，请按下表修改后重新上传。")
    return redirect("console:officer-import-detail", import_id=batch.pk)


@_duty_page("audit", access.can_view_audit_log)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else queries.AuditFilter()
    events = queries.audit_events_for_user(user=request.user, filters=filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "people/audit_list.html", {"form": form, "page": page, "query": query.urlencode()})


def _may_set_audience(user) -> bool:
    """Whoever authors something with an audience: console users and instructors."""
    return access.can_use_console(user) or access.is_instructor(user)


@page_for(_may_set_audience)
@never_cache
def audience_count(request: HttpRequest) -> HttpResponse:
    """htmx: how many officers the audience fields as entered select today ("将选中 N 名执法人员")."""
    prefix = request.GET.get("_prefix", AudienceForm.prefix)[:60] or None
    form = AudienceForm(request.GET, user=_me(request), prefix=prefix, optional=request.GET.get("_optional") == "1")
    count = form.selected_count()
    everyone = count is not None and form.is_empty()
    errors = [str(e) for e in form.non_field_errors()] if count == 0 else []
    return render(request, "people/_audience_count.html", {"count": count, "errors": errors, "everyone": everyone})
