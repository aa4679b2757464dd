"""Pages: 我的执法证 (learner, phone), the annual review list with export and confirmation, an officer's
certificate with its lifecycle actions, enforcement-act counts and the provincial rules (console)."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.certificates import exports, queries, services
from zhifa.certificates.forms import ACTIONS, ActCountForm, ActImportForm, ActionForm, ExamLinkForm
from zhifa.certificates.models import CertificateExam, CertificateRuleSet
from zhifa.certificates.review import hours_rule_text
from zhifa.certificates.rules import RULE_CODES
from zhifa.common import excel
from zhifa.common.decorators import page_for
from zhifa.people import access
from zhifa.people.models import User

PAGE_SIZE = 100
OUTCOMES = {"passed": "通过", "failed": "不通过", "na": "不参加年审"}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    current = timezone.localdate().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= current else current


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


# --- learner: 我的执法证 --------------------------------------------------------------------------------------------


@login_required
def my_certificate(request: HttpRequest) -> HttpResponse:
    officer = queries.own_officer(request.user)
    if officer is None:
        return render(request, "certificates/no_certificate.html", {"console": access.can_use_console(request.user)})
    today = timezone.localdate()
    row = queries.review_row_of_officer(officer=officer, year=today.year, today=today)
    rules = queries.RuleBook()
    return render(
        request,
        "certificates/my_certificate.html",
        {
            "officer": officer,
            "row": row,
            "year": today.year,
            "days_left": (officer.certificate_expires - today).days if officer.certificate_expires else None,
            "events": queries.events_of(officer)[:10],
            "suspension": queries.suspension_open(officer),
            "configured": rules.configured(officer.unit.path),
            "hours_rule": hours_rule_text(rules.for_path(officer.unit.path)),
        },
    )


# --- console: the annual review ------------------------------------------------------------------------------------


def _filtered(request: HttpRequest, rows: list[queries.ReviewRow]) -> list[queries.ReviewRow]:
    params = request.GET if request.method == "GET" else request.POST
    outcome, reason = params.get("outcome", ""), params.get("reason", "")
    decided, name = params.get("decided", ""), params.get("q", "").strip()
    sub = _int(params.get("sub"))
    if sub:
        # Only a unit inside the scope: the officers' own units may all lie deeper than the chosen one.
        path = next(
            (r.unit_path[: r.unit_path.index(f"/{sub}/") + len(f"/{sub}/")] for r in rows if f"/{sub}/" in r.unit_path),
            None,
        )
        rows = [r for r in rows if path is not None and r.unit_path.startswith(path)]
    if outcome in OUTCOMES:
        rows = [r for r in rows if r.outcome == outcome]
    if reason in RULE_CODES:
        rows = [r for r in rows if any(x.code == reason for x in r.verdict.reasons)]
    if decided == "yes":
        rows = [r for r in rows if r.decision is not None]
    elif decided == "no":
        rows = [r for r in rows if r.decision is None]
    if params.get("flagged") == "1":
        rows = [r for r in rows if r.flagged]
    if name:
        rows = [r for r in rows if name in r.name]
    return rows


@page_for(access.can_use_console)
def review_list(request: HttpRequest) -> HttpResponse:
    year, today = _year(request), timezone.localdate()
    unit = queries.review_unit_for(user=request.user, unit_id=_int(request.GET.get("unit")))
    all_rows = queries.review_rows_of_unit(unit=unit, year=year, today=today)
    rows = _filtered(request, all_rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "certificates/review_list.html",
        {
            "unit": unit,
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "page": page,
            "count": len(rows),
            "totals": {k: sum(1 for r in all_rows if r.outcome == k) for k in OUTCOMES},
            "flagged": sum(1 for r in all_rows if r.flagged),
            "outcomes": OUTCOMES,
            "reasons": RULE_CODES,
            "units": queries.units_for_filter(user=request.user, unit=unit),
            "params": request.GET,
            "query": urlencode(query),
            "can_confirm": access.can_manage_unit(request.user, unit),
            "configured": queries.RuleBook().configured(unit.path),
        },
    )


@page_for(access.can_use_console)
def review_export(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    unit = queries.review_unit_for(user=request.user, unit_id=_int(request.GET.get("unit")))
    rows = _filtered(request, queries.review_rows_of_unit(unit=unit, year=year, today=timezone.localdate()))
    return excel.xlsx_response(exports.review_workbook(unit=unit, year=year, rows=rows), f"annual-review-{year}.xlsx")


@page_for(access.can_use_console)
@require_POST
def review_confirm(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    unit = queries.review_unit_for(user=request.user, unit_id=_int(request.POST.get("unit")))
    if not access.can_manage_unit(request.user, unit):
        raise Http404
    if request.POST.get("all") == "1":
        rows = _filtered(request, queries.review_rows_of_unit(unit=unit, year=year, today=timezone.localdate()))
        ids = [r.officer_id for r in rows if r.decision is None and r.verdict.applicable]
    else:
        ids = [int(x) for x in request.POST.getlist("officer") if x.isdigit()]
    back = f"{reverse('certificates:review-list')}?{urlencode({'unit': unit.pk, 'year': year})}"
    if not ids:
        messages.error(request, "请先勾选要确认的人员（或点击“确认全部筛选结果”）。")
        return redirect(back)
    try:
        result = services.review_confirm(by=_user(request), officer_ids=ids, year=year)
    except services.NotPermitted:
        raise Http404
    messages.success(
        request,
        f"已确认 {year} 年度年审：通过 {result.passed} 人，不通过 {result.failed} 人"
        + (f"，跳过 {result.skipped} 人（已确认或不参加年审）" if result.skipped else "")
        + "。",
    )
    return redirect(back)


# --- console: one officer's certificate ----------------------------------------------------------------------------


@page_for(access.can_use_console)
def officer_detail(
    request: HttpRequest, officer_id: int, form: ActionForm | None = None, action: str = ""
) -> HttpResponse:
    officer = queries.officer_for_viewer(user=request.user, officer_id=officer_id)
    today = timezone.localdate()
    year = _year(request)
    return render(
        request,
        "certificates/officer_detail.html",
        {
            "officer": officer,
            "row": queries.review_row_of_officer(officer=officer, year=year, today=today),
            "year": year,
            "events": queries.events_of(officer),
            "suspension": queries.suspension_open(officer),
            "can_manage": access.can_manage_officer(request.user, officer),
            "actions": ACTIONS,
            "form": form or ActionForm(),
            "failed_action": action,
            "hours_rule": hours_rule_text(queries.RuleBook().for_path(officer.unit.path)),
        },
        status=400 if form is not None else 200,
    )


@page_for(access.can_use_console)
@require_POST
def officer_action(request: HttpRequest, officer_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    officer = queries.officer_for_manager(user=request.user, officer_id=officer_id)
    form = ActionForm(request.POST)
    if form.is_valid():
        data, by = form.cleaned_data, _user(request)
        try:
            if action == "suspend":
                services.certificate_suspend(
                    officer=officer, by=by, reason=data["reason"], off_duty_training=data["off_duty_training"]
                )
            elif action == "reinstate":
                services.certificate_reinstate(officer=officer, by=by, reason=data["reason"])
            elif action == "revoke":
                services.certificate_revoke(officer=officer, by=by, reason=data["reason"])
            elif action == "cancel":
                services.certificate_cancel(officer=officer, by=by, reason=data["reason"])
            elif action == "issue":
                services.certificate_issue(officer=officer, by=by, number=request.POST.get("number", ""))
            else:
                services.certificate_renew(officer=officer, by=by, expires=data["expires"], reason=data["reason"])
        except services.NotPermitted:
            raise Http404
        except services.CertificateError as error:
            form.add_error(None, f"{ACTIONS[action]}未完成：{error}")
        else:
            messages.success(request, f"{officer.name} 的执法证已{ACTIONS[action]}。")
            return redirect("certificates:officer-detail", officer_id=officer.pk)
    return officer_detail(request, officer_id=officer_id, form=form, action=action)


# --- console: enforcement acts and rules ---------------------------------------------------------------------------


@page_for(access.can_manage_people)
def acts(request: HttpRequest) -> HttpResponse:
    form = ActCountForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
    upload = ActImportForm()
    errors: list[str] = []
    if request.method == "POST" and "file" in request.FILES:
        upload = ActImportForm(request.POST, request.FILES)
        file = request.FILES.get("file")
        if file is None:
            errors = ["请选择要导入的 Excel 文件。"]
        elif file.size and file.size > 5 * 1024 * 1024:
            errors = ["文件不能超过 5 MB，请分批导入。"]
        else:
            result = services.act_counts_import(by=_user(request), content=file.read())
            errors = result.errors
            if not errors:
                messages.success(request, f"已导入 {result.saved} 条执法行为统计。")
                return redirect("certificates:acts")
        form = ActCountForm(initial={"year": timezone.localdate().year - 1})
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        officer = (
            access.officers_viewable_by(request.user)
            .select_related("unit")
            .filter(certificate_number=data["certificate_number"].strip())
            .first()
        )
        try:
            if officer is None:
                raise services.CertificateError("执法证号不在您管理的人员中，请核对“执法证号”。")
            services.act_count_set(
                officer=officer, year=data["year"], count=data["count"], explanation=data["explanation"],
                by=_user(request),
            )  # fmt: skip
        except services.CertificateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已记录 {officer.name} {data['year']} 年执法行为 {data['count']} 次。")
            return redirect("certificates:acts")
    recent = queries.act_counts_recent(user=request.user)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "certificates/acts.html", {"form": form, "upload": upload, "errors": errors, "recent": recent},
        status=status,
    )  # fmt: skip


@page_for(access.can_manage_people)
def acts_template(request: HttpRequest) -> HttpResponse:
    return excel.xlsx_response(exports.acts_template(), "enforcement-acts-template.xlsx")


@page_for(access.can_use_console)
def rules(request: HttpRequest, form: ExamLinkForm | None = None) -> HttpResponse:
    can_link = access.can_manage_people(request.user)
    return render(
        request,
        "certificates/rules.html",
        {
            "rule_sets": queries.rule_sets_with_exams(),
            "codes": RULE_CODES,
            "can_link": can_link,
            "exams": queries.exams_linkable(user=request.user) if can_link else [],
            "purposes": CertificateExam.Purpose.choices,
            "parts": CertificateExam.Part.choices,
            "form": form,
        },
        status=400 if form is not None else 200,
    )


@page_for(access.can_manage_people)
@require_POST
def exam_link(request: HttpRequest) -> HttpResponse:
    form = ExamLinkForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        exam = queries.exams_linkable(user=request.user).filter(pk=data["exam"]).first()
        rule_set = CertificateRuleSet.objects.filter(pk=data["rule_set"]).first()
        try:
            if exam is None or rule_set is None:
                raise services.CertificateError("请选择您管理的考试和一项证件规则。")
            services.certificate_exam_link(
                exam=exam, rule_set=rule_set, purpose=data["purpose"], part=data["part"], by=_user(request)
            )
        except services.CertificateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"已将“{exam.title}”关联为证件考试。")
            return redirect("certificates:rules")
    return rules(request, form=form)
