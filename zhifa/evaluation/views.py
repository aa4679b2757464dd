"""Pages of the evaluation app: periods and weights, values, case files, training, third-party review."""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.common import excel
from zhifa.common.decorators import page_for
from zhifa.common.files import file_response
from zhifa.evaluation import importing, queries, services
from zhifa.evaluation import rubric as rubric_rules
from zhifa.evaluation.models import CaseFile, Indicator
from zhifa.people import access
from zhifa.people.models import Officer, Role, Unit, User

console_page = page_for(access.can_use_console)
evaluator_page = page_for(access.is_evaluator)


def me(request: HttpRequest) -> User:
    """The logged-in user of a page_for / login_required view."""
    return cast(User, request.user)


def _console_or_evaluator(user) -> bool:
    return access.can_use_console(user) or access.is_evaluator(user)


def frame(user) -> str:
    """Console users see the console; evaluators their own narrow frame (no console menu)."""
    return "console_base.html" if access.can_use_console(user) else "evaluation/evaluator_base.html"


def top_unit(user) -> Unit | None:
    """The first unit the user manages (or reads); None for a system administrator's whole tree."""
    paths = access.managed_unit_paths(user) or access.viewable_unit_paths(user)
    if not paths:
        return None
    return Unit.objects.filter(path__in=paths).order_by("path").first()


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _date(raw: str | None, field: str) -> date:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        raise services.EvaluationError(f"“{field}”须为日期，如 2026-12-31") from None


def _marks(request: HttpRequest, rubric: dict) -> tuple[dict[str, int], list[str]]:
    marks = {}
    for key in rubric_rules.item_keys(rubric):
        raw = request.POST.get(f"item_{key}", "").strip()
        if raw:
            if not raw.isdigit():
                raise services.EvaluationError(f"“{rubric_rules.item_keys(rubric)[key]['label']}”的次数须为整数")
            marks[key] = int(raw)
    return marks, request.POST.getlist("veto")


# --- overview, periods, weights, values ----------------------------------------------------------------------------


@console_page
def index(request: HttpRequest) -> HttpResponse:
    periods = list(queries.periods_for(me(request)))
    return render(
        request,
        "evaluation/index.html",
        {
            "periods": periods,
            "assessments": queries.assessments_for(me(request))[:20],
            "unit": top_unit(me(request)),
            "year": timezone.localdate().year,
            "can_manage": access.can_manage_people(me(request)),
        },
    )


@console_page
@require_POST
def period_create(request: HttpRequest) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=_int(request.POST.get("unit")) or 0)
    try:
        period = services.period_create(unit=unit, year=int(request.POST.get("year") or 0), by=me(request))
    except (services.EvaluationError, ValueError) as exc:
        messages.error(request, str(exc) if isinstance(exc, services.EvaluationError) else "“年度”须为数字")
        return redirect("evaluation:index")
    messages.success(request, f"已按省级模板建立“{period.name}”")
    return redirect("evaluation:period-detail", period_id=period.pk)


@console_page
def period_detail(request: HttpRequest, period_id: int) -> HttpResponse:
    period = queries.period_get(user=me(request), period_id=period_id)
    unit = top_unit(me(request))
    rows = queries.indicator_rows(period, unit)
    for row in rows:
        row.source_text = queries.source_label(row.indicator) if row.indicator.is_leaf else ""  # type: ignore[attr-defined]
        row.rule_text = queries.rule_label(row.indicator.rule)  # type: ignore[attr-defined]
    entered = [r.indicator for r in rows if r.indicator.source in (Indicator.Source.ENTERED, Indicator.Source.IMPORTED)]
    return render(
        request,
        "evaluation/period_detail.html",
        {
            "period": period,
            "rows": rows,
            "unit": unit,
            "entered": entered,
            "can_manage": unit is not None and access.can_manage_unit(me(request), unit),
            "import_columns": importing.COLUMNS,
        },
    )


@console_page
@require_POST
def period_weights(request: HttpRequest, period_id: int) -> HttpResponse:
    period = queries.period_get(user=me(request), period_id=period_id)
    unit = top_unit(me(request))
    if unit is None:
        raise Http404
    weights: dict[int, object] = {
        int(k[2:]): v for k, v in request.POST.items() if k.startswith("w_") and k[2:].isdigit()
    }
    try:
        services.weights_set(
            period=period, unit=unit, weights=weights, reason=request.POST.get("reason", ""), by=me(request)
        )
        messages.success(request, f"已保存“{unit.name}”的指标权重")
    except services.EvaluationError as exc:
        messages.error(request, str(exc))
    return redirect("evaluation:period-detail", period_id=period.pk)


@console_page
@require_POST
def value_enter(request: HttpRequest, period_id: int) -> HttpResponse:
    period = queries.period_get(user=me(request), period_id=period_id)
    indicator = get_object_or_404(period.indicators, pk=_int(request.POST.get("indicator")) or 0)
    number = request.POST.get("certificate_number", "").strip()
    officer = access.officers_viewable_by(me(request)).filter(certificate_number=number).select_related("unit").first()
    try:
        if officer is None:
            raise services.EvaluationError(f"执法证号“{number}”不存在或不在您管理的单位内")
        services.indicator_value_enter(
            indicator=indicator,
            officer=officer,
            by=me(request),
            value=request.POST.get("value"),
            events=request.POST.get("events") or 0,
            evidence=request.POST.get("evidence", ""),
            evidence_file=request.FILES.get("evidence_file"),
        )
        messages.success(request, f"已录入 {officer.name} 的“{indicator.name}”")
    except services.EvaluationError as exc:
        messages.error(request, str(exc))
    return redirect("evaluation:period-detail", period_id=period.pk)


@console_page
def values_import(request: HttpRequest, period_id: int) -> HttpResponse:
    period = queries.period_get(user=me(request), period_id=period_id)
    if request.GET.get("template"):
        return excel.xlsx_response(importing.template_xlsx(), "indicator-values.xlsx")
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 Excel 文件")
        else:
            dry_run = request.POST.get("action") != "import"
            report = importing.values_import(period=period, upload=upload, by=me(request), dry_run=dry_run)
            if report.imported:
                messages.success(request, f"已导入 {report.imported} 行")
    return render(
        request, "evaluation/values_import.html", {"period": period, "report": report, "columns": importing.COLUMNS}
    )


# --- case files -----------------------------------------------------------------------------------------------------


@page_for(_console_or_evaluator)
def casefile_list(request: HttpRequest) -> HttpResponse:
    files = queries.case_files_for(me(request))
    status = request.GET.get("status", "")
    if status in CaseFile.Status.values:
        files = files.filter(status=status)
    if request.GET.get("sampled"):
        files = files.filter(sampled=True)
    services.evaluator_view_record(user=me(request), obj=None, what="案卷列表")
    unit = top_unit(me(request))
    return render(
        request,
        "evaluation/casefile_list.html",
        {
            "frame": frame(me(request)),
            "files": files[:200],
            "status": status,
            "statuses": CaseFile.Status.choices,
            "unit": unit,
            "can_manage": unit is not None and access.can_manage_unit(me(request), unit),
            "periods": queries.periods_for(me(request)) if access.can_use_console(me(request)) else [],
            "units": access.units_managed_by(me(request)).order_by("path")[:200],
        },
    )


@console_page
@require_POST
def casefile_upload(request: HttpRequest) -> HttpResponse:
    period = queries.period_get(user=me(request), period_id=_int(request.POST.get("period")) or 0)
    unit = get_object_or_404(access.units_managed_by(me(request)), pk=_int(request.POST.get("unit")) or 0)
    numbers = [n.strip() for n in request.POST.get("officers", "").replace("，", ",").split(",") if n.strip()]
    officers = list(Officer.objects.filter(certificate_number__in=numbers).select_related("unit"))
    try:
        missing = set(numbers) - {o.certificate_number for o in officers}
        if missing:
            raise services.EvaluationError(f"承办人员执法证号不存在：{'、'.join(sorted(missing))}")
        case_file = services.case_file_upload(
            period=period,
            unit=unit,
            number=request.POST.get("number", ""),
            title=request.POST.get("title", ""),
            case_type=request.POST.get("case_type") or "行政处罚",
            decision=request.POST.get("decision", ""),
            officers=officers,
            file=request.FILES.get("file"),
            by=me(request),
        )
    except services.EvaluationError as exc:
        messages.error(request, str(exc))
        return redirect("evaluation:casefile-list")
    messages.success(request, f"已登记案卷 {case_file.number}")
    return redirect("evaluation:casefile-detail", case_file_id=case_file.pk)


@console_page
@require_POST
def casefile_sample(request: HttpRequest) -> HttpResponse:
    period = queries.period_get(user=me(request), period_id=_int(request.POST.get("period")) or 0)
    unit = get_object_or_404(access.units_managed_by(me(request)), pk=_int(request.POST.get("unit")) or 0)
    try:
        share = float(request.POST.get("share") or 0) / 100
        count = services.case_files_sample(period=period, unit=unit, share=share, by=me(request))
        messages.success(request, f"已抽取 {count} 卷待评查")
    except (services.EvaluationError, ValueError) as exc:
        messages.error(request, str(exc) if isinstance(exc, services.EvaluationError) else "抽查比例须为数字")
    return redirect(reverse("evaluation:casefile-list") + "?sampled=1")


@page_for(_console_or_evaluator)
def casefile_detail(request: HttpRequest, case_file_id: int) -> HttpResponse:
    case_file = queries.case_file_get(user=me(request), case_file_id=case_file_id)
    rubric = case_file.rubric.content
    if request.method == "POST":
        try:
            marks, vetoes = _marks(request, rubric)
            services.case_file_review(
                case_file=case_file,
                by=me(request),
                marks=marks,
                vetoes=vetoes,
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, "评查结果已提交")
        except services.EvaluationError as exc:
            messages.error(request, str(exc))
        return redirect("evaluation:casefile-detail", case_file_id=case_file.pk)
    services.evaluator_view_record(user=me(request), obj=case_file, what="案卷详情")
    reviews = list(case_file.reviews.select_related("reviewer"))
    return render(
        request,
        "evaluation/casefile_detail.html",
        {
            "frame": frame(me(request)),
            "case_file": case_file,
            "rubric": rubric,
            "reviews": reviews,
            "can_review": services.can_review_case_file(me(request), case_file)
            and case_file.status != CaseFile.Status.FINAL
            and all(r.reviewer_id != me(request).pk for r in reviews),
        },
    )


@page_for(_console_or_evaluator)
def casefile_download(request: HttpRequest, case_file_id: int) -> HttpResponseBase:
    case_file = queries.case_file_get(user=me(request), case_file_id=case_file_id)
    if not case_file.file:
        raise Http404
    services.evaluator_view_record(user=me(request), obj=case_file, what="案卷文件")
    suffix = PurePosixPath(case_file.file.name or "").suffix.lower()
    return file_response(case_file.file, filename=f"案卷{case_file.number or case_file.pk}{suffix}")


# --- training mode (officers) --------------------------------------------------------------------------------------


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    if access.officer_of(me(request)) is None:
        raise Http404
    files = list(queries.training_files())
    done = dict(
        (r.case_file_id, r.score)
        for f in files
        for r in f.reviews.all()
        if r.reviewer_id == me(request).pk and r.role == "training"
    )
    return render(request, "evaluation/training_list.html", {"files": files, "done": done})


@login_required
def training_detail(request: HttpRequest, case_file_id: int) -> HttpResponse:
    case_file = queries.training_file_get(user=me(request), case_file_id=case_file_id)
    rubric = case_file.rubric.content
    comparison = mine = expert = None
    if request.method == "POST":
        try:
            marks, vetoes = _marks(request, rubric)
            services.training_attempt(case_file=case_file, by=me(request), marks=marks, vetoes=vetoes)
        except services.EvaluationError as exc:
            messages.error(request, str(exc))
            return redirect("evaluation:training-detail", case_file_id=case_file.pk)
        expert_review = case_file.reviews.filter(role="expert").first()
        mine = rubric_rules.score_file(rubric, marks, vetoes)
        if expert_review is not None:
            expert = rubric_rules.score_file(rubric, expert_review.marks, expert_review.vetoes)
            comparison = rubric_rules.compare(rubric, mine, expert)
            veto_labels = rubric_rules.veto_keys(rubric)
            expert.veto_labels = [veto_labels[k] for k in expert_review.vetoes]  # type: ignore[attr-defined]
    case = case_file.source_case
    return render(
        request,
        "evaluation/training_detail.html",
        {
            "case_file": case_file,
            "case": case,
            "rubric": rubric,
            "comparison": comparison,
            "mine": mine,
            "expert": expert,
        },
    )


# --- third-party review ---------------------------------------------------------------------------------------------


@console_page
def assignment_list(request: HttpRequest) -> HttpResponse:
    evaluators = User.objects.filter(role_grants__role=Role.EVALUATOR).distinct().order_by("username")
    return render(
        request,
        "evaluation/assignment_list.html",
        {
            "assignments": queries.assignments_managed(me(request)),
            "reviews": queries.submitted_reviews_for(me(request))[:100],
            "evaluators": evaluators,
            "periods": queries.periods_for(me(request)),
            "units": access.units_managed_by(me(request)).order_by("path")[:200],
            "files": queries.case_files_for(me(request)).filter(unit__in=access.units_managed_by(me(request)))[:200],
            "can_manage": access.can_manage_people(me(request)),
        },
    )


@console_page
@require_POST
def assignment_create(request: HttpRequest) -> HttpResponse:
    period = queries.period_get(user=me(request), period_id=_int(request.POST.get("period")) or 0)
    evaluator = get_object_or_404(User, pk=_int(request.POST.get("evaluator")) or 0)
    managed = access.units_managed_by(me(request))
    units = list(managed.filter(pk__in=[int(x) for x in request.POST.getlist("units") if x.isdigit()]))
    files = list(
        CaseFile.objects.filter(
            unit__in=managed, pk__in=[int(x) for x in request.POST.getlist("case_files") if x.isdigit()]
        )
    )
    numbers = [n.strip() for n in request.POST.get("officers", "").replace("，", ",").split(",") if n.strip()]
    named = list(Officer.objects.filter(certificate_number__in=numbers, unit__in=managed).select_related("unit"))
    try:
        missing = set(numbers) - {o.certificate_number for o in named}
        if missing:
            raise services.EvaluationError(f"执法证号不存在或不在您管理的单位内：{'、'.join(sorted(missing))}")
        services.assignment_create(
            period=period,
            evaluator=evaluator,
            units=units,
            officers=named,
            case_files=files,
            ends_on=_date(request.POST.get("ends_on"), "截止日期"),
            by=me(request),
        )
        messages.success(request, f"已向 {evaluator} 下达第三方评估任务")
    except services.EvaluationError as exc:
        messages.error(request, str(exc))
    return redirect("evaluation:assignment-list")


@evaluator_page
def evaluator_home(request: HttpRequest) -> HttpResponse:
    assignments = list(queries.assignments_of_evaluator(me(request)))
    services.evaluator_view_record(user=me(request), obj=None, what="我的评估任务")
    today = timezone.localdate()
    for a in assignments:
        a.live = queries.is_live(a, today)  # type: ignore[attr-defined]
    return render(request, "evaluation/evaluator_home.html", {"assignments": assignments})


@evaluator_page
def evaluator_assignment(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = queries.assignment_for_evaluator(user=me(request), assignment_id=assignment_id)
    services.evaluator_view_record(user=me(request), obj=assignment, what="评估任务")
    reviews = {(r.unit_id, r.officer_id): r for r in assignment.reviews.all()}
    units = list(assignment.units.all().order_by("path"))
    rows = [(u, reviews.get((u.pk, None))) for u in units]
    officer_rows = [(o, reviews.get((o.unit_id, o.pk))) for o in assignment.officers.all()]
    return render(
        request,
        "evaluation/evaluator_assignment.html",
        {"assignment": assignment, "rows": rows, "officer_rows": officer_rows, "live": queries.is_live(assignment)},
    )


@evaluator_page
def evaluator_review(request: HttpRequest, assignment_id: int, unit_id: int) -> HttpResponse:
    assignment = queries.assignment_for_evaluator(user=me(request), assignment_id=assignment_id)
    unit = queries.assignment_unit(assignment=assignment, unit_id=unit_id)
    return _review_form(request, assignment, unit, None)


@evaluator_page
def evaluator_officer_review(request: HttpRequest, assignment_id: int, officer_id: int) -> HttpResponse:
    assignment = queries.assignment_for_evaluator(user=me(request), assignment_id=assignment_id)
    officer = queries.assignment_officer(assignment=assignment, officer_id=officer_id)
    return _review_form(request, assignment, officer.unit, officer)


def _review_form(request: HttpRequest, assignment, unit: Unit, officer: Officer | None) -> HttpResponse:
    review = assignment.reviews.filter(unit=unit, officer=officer).first()
    if request.method == "POST":
        try:
            services.third_party_review_save(
                assignment=assignment,
                unit=unit,
                officer=officer,
                by=me(request),
                scores={item["key"]: request.POST.get(f"score_{item['key']}", "") for item in assignment.form},
                comment=request.POST.get("comment", ""),
                evidence_file=request.FILES.get("evidence_file"),
                submit=request.POST.get("action") == "submit",
            )
            messages.success(request, "评估表已提交" if request.POST.get("action") == "submit" else "评估表已保存")
            return redirect("evaluation:evaluator-assignment", assignment_id=assignment.pk)
        except services.EvaluationError as exc:
            messages.error(request, str(exc))
    services.evaluator_view_record(user=me(request), obj=officer or unit, what="评估表")
    items = [{**item, "value": (review.scores.get(item["key"]) if review else "")} for item in assignment.form]
    return render(
        request,
        "evaluation/evaluator_review.html",
        {
            "assignment": assignment,
            "unit": unit,
            "officer": officer,
            "review": review,
            "items": items,
            "live": queries.is_live(assignment),
        },
    )
