"""Pages of the annual assessment: the draft and the decisions, exports, the explanation, objections, dashboard."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.common import excel
from zhifa.evaluation import assessment as assessment_services
from zhifa.evaluation import exports, feedback, queries, scoring
from zhifa.evaluation import rubric as rubric_rules
from zhifa.evaluation.models import Assessment, AssessmentResult, CaseFile, Objection
from zhifa.evaluation.services import EvaluationError, rubric_current
from zhifa.evaluation.views import _date, _int, console_page, me, top_unit
from zhifa.people import access
from zhifa.people.models import Unit

PAGE = 50


@console_page
@require_POST
def assessment_create(request: HttpRequest) -> HttpResponse:
    period = queries.period_get(user=me(request), period_id=_int(request.POST.get("period")) or 0)
    unit = get_object_or_404(access.units_managed_by(me(request)), pk=_int(request.POST.get("unit")) or 0)
    try:
        assessment = assessment_services.assessment_compute(period=period, unit=unit, by=me(request))
    except EvaluationError as exc:
        messages.error(request, str(exc))
        return redirect("evaluation:index")
    messages.success(request, f"已计算 {assessment.results.count()} 人的考核得分（草稿，须经审定）")
    return redirect("evaluation:assessment-detail", assessment_id=assessment.pk)


@console_page
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = queries.assessment_get(user=me(request), assessment_id=assessment_id)
    results = queries.results_for(me(request), assessment)
    counts = queries.tier_counts(results.values_list("tier", flat=True))
    tier = request.GET.get("tier", "")
    if tier in AssessmentResult.Tier.values:
        results = results.filter(tier=tier)
    page = Paginator(results.order_by("unit__path", "-machine_score"), PAGE).get_page(request.GET.get("page"))
    objections = Objection.objects.filter(result__in=queries.results_for(me(request), assessment)).select_related(
        "result__officer"
    )
    return render(
        request,
        "evaluation/assessment_detail.html",
        {
            "assessment": assessment,
            "page": page,
            "counts": counts,
            "tier_rows": queries.tier_rows(counts),
            "tier": tier,
            "tiers": AssessmentResult.Tier.choices,
            "chart": {"labels": list(counts), "values": list(counts.values())},
            "can_decide": queries.can_decide(me(request), assessment),
            "objections": objections,
            "warnings": queries.warning_list(me(request), assessment),
            "today": timezone.localdate(),
        },
    )


def _decision(request: HttpRequest, assessment_id: int, action) -> HttpResponse:
    assessment = queries.assessment_get(user=me(request), assessment_id=assessment_id)
    try:
        action(assessment)
        messages.success(request, f"考核状态：{assessment.get_status_display()}")
    except EvaluationError as exc:
        messages.error(request, str(exc))
    return redirect("evaluation:assessment-detail", assessment_id=assessment_id)


@console_page
@require_POST
def assessment_approve(request: HttpRequest, assessment_id: int) -> HttpResponse:
    cap = request.POST.get("cap_percent") or "20"

    def act(a):
        try:
            share = float(cap) / 100
        except ValueError:
            raise EvaluationError("“优秀比例”须为数字") from None
        assessment_services.assessment_approve(
            assessment=a, by=me(request), cap=f"{share:.2f}", cap_approval=request.POST.get("cap_approval", "")
        )

    return _decision(request, assessment_id, act)


@console_page
@require_POST
def assessment_publicise(request: HttpRequest, assessment_id: int) -> HttpResponse:
    def act(a):
        assessment_services.assessment_publicise(
            assessment=a,
            starts=_date(request.POST.get("starts"), "公示开始日期"),
            ends=_date(request.POST.get("ends"), "公示结束日期"),
            by=me(request),
        )

    return _decision(request, assessment_id, act)


@console_page
@require_POST
def assessment_finalise(request: HttpRequest, assessment_id: int) -> HttpResponse:
    return _decision(
        request, assessment_id, lambda a: assessment_services.assessment_finalise(assessment=a, by=me(request))
    )


def _final_list(request: HttpRequest, assessment_id: int) -> tuple[Assessment, list[AssessmentResult], str]:
    assessment = queries.assessment_get(user=me(request), assessment_id=assessment_id)
    results = list(queries.results_for(me(request), assessment).order_by("unit__path", "-machine_score"))
    state = "" if assessment.status == Assessment.Status.FINAL else "（未定稿）"
    return assessment, results, f"{assessment.period.name} · {assessment.unit.name} 考核等次名单{state}"


@console_page
def assessment_export(request: HttpRequest, assessment_id: int) -> HttpResponse:
    _, results, title = _final_list(request, assessment_id)
    return excel.xlsx_response(exports.tier_list_xlsx(title, results), f"assessment-{assessment_id}.xlsx")


@console_page
def assessment_export_pdf(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment, results, title = _final_list(request, assessment_id)
    decided = assessment.approved_by.get_full_name() if assessment.approved_by else "（未审定）"
    pdf = exports.tier_list_pdf(title=title, results=results, decided_by=decided, generated_at=timezone.localtime())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="assessment-{assessment_id}.pdf"'
    return response


@login_required
def result_detail(request: HttpRequest, result_id: int) -> HttpResponse:
    """The explanation page: every indicator's figure, source rows, rule, points and share of the total."""
    result = queries.result_get(user=me(request), result_id=result_id)
    own = access.officer_of(me(request))
    is_self = own is not None and own.pk == result.officer_id
    assessment = result.assessment
    return render(
        request,
        "evaluation/result_detail.html",
        {
            "result": result,
            "assessment": assessment,
            "rows": queries.explanation(result),
            "is_self": is_self,
            "can_decide": not is_self and access.can_manage_unit(me(request), result.unit),
            "objections": list(result.objections.all()),
            "can_object": is_self and assessment.status == Assessment.Status.PUBLICISED and _in_publicity(assessment),
            "console": not is_self,
            "frame": "base.html" if is_self else "console_base.html",
        },
    )


@console_page
@require_POST
def result_adjust(request: HttpRequest, result_id: int) -> HttpResponse:
    result = queries.result_get(user=me(request), result_id=result_id)
    try:
        assessment_services.result_adjust(
            result=result, score=request.POST.get("score", ""), reason=request.POST.get("reason", ""), by=me(request)
        )
        messages.success(request, "已调整得分，等次已按规则重新确定")
    except EvaluationError as exc:
        messages.error(request, str(exc))
    return redirect("evaluation:result-detail", result_id=result.pk)


@login_required
def my_assessment(request: HttpRequest) -> HttpResponse:
    if access.officer_of(me(request)) is None:
        raise Http404
    results = queries.my_results(me(request))
    if results:
        return redirect("evaluation:result-detail", result_id=results[0].pk)
    return render(request, "evaluation/my_assessment.html", {})


@login_required
@require_POST
def objection_submit(request: HttpRequest, result_id: int) -> HttpResponse:
    result = queries.result_get(user=me(request), result_id=result_id)
    try:
        assessment_services.objection_submit(result=result, by=me(request), text=request.POST.get("text", ""))
        messages.success(request, "异议已提交，单位将在公示期结束前答复")
    except EvaluationError as exc:
        messages.error(request, str(exc))
    return redirect("evaluation:result-detail", result_id=result.pk)


@console_page
@require_POST
def objection_resolve(request: HttpRequest, objection_id: int) -> HttpResponse:
    objection = get_object_or_404(Objection.objects.select_related("result"), pk=objection_id)
    result = queries.result_get(user=me(request), result_id=objection.result_id)
    try:
        assessment_services.objection_resolve(
            objection=objection,
            by=me(request),
            uphold=request.POST.get("decision") == "uphold",
            resolution=request.POST.get("resolution", ""),
            score=request.POST.get("score") or None,
        )
        messages.success(request, "异议已处理")
    except EvaluationError as exc:
        messages.error(request, str(exc))
    return redirect("evaluation:result-detail", result_id=result.pk)


# --- dashboard and feedback ----------------------------------------------------------------------------------------


def _dashboard_scope(request: HttpRequest) -> tuple[Assessment, Unit]:
    """The assessment and the subtree to show: the one asked for when the user reads it and it lies within the
    assessment, else the assessment's unit when readable, else the user's own top unit."""
    assessment = queries.assessment_get(user=me(request), assessment_id=_int(request.GET.get("assessment")) or 0)
    asked = Unit.objects.filter(pk=_int(request.GET.get("unit")) or 0).first()
    for unit in (asked, assessment.unit, top_unit(me(request))):
        if unit is not None and access.can_view_unit(me(request), unit) and unit.path.startswith(assessment.unit.path):
            return assessment, unit
    raise Http404


@console_page
def dashboard(request: HttpRequest) -> HttpResponse:
    """Per subtree: tiers, indicator means, case-file losses by rubric item, trend over periods; links drill down."""
    if not request.GET.get("assessment"):
        first = queries.assessments_for(me(request)).first()
        if first is None:
            return render(request, "evaluation/dashboard.html", {"assessment": None})
        return redirect(f"{request.path}?assessment={first.pk}")
    assessment, unit = _dashboard_scope(request)
    results = list(queries.results_for(me(request), assessment).filter(unit__path__startswith=unit.path))
    leaves = [i for i in assessment.period.indicators.all() if i.is_leaf]
    means = []
    for leaf in leaves:
        points = [
            float(r.detail["leaves"][str(leaf.pk)][2]) for r in results if str(leaf.pk) in r.detail.get("leaves", {})
        ]
        means.append(round(sum(points) / len(points), 1) if points else 0)
    files = list(
        CaseFile.objects.filter(period=assessment.period, unit__path__startswith=unit.path, is_training=False)
        .select_related("rubric")
        .prefetch_related("reviews")
    )
    lost: dict[str, float] = defaultdict(float)
    for f in files:
        for r in f.reviews.all():
            if r.role not in ("training", "expert"):
                for key, value in rubric_rules.score_file(f.rubric.content, r.marks, r.vetoes).lost.items():
                    lost[key] += value
    items = rubric_rules.item_keys(rubric_current(assessment.period).content)
    for f in files:  # items of older versions the files were scored with, after the current ones
        for key, item in rubric_rules.item_keys(f.rubric.content).items():
            items.setdefault(key, item)
    trend = []
    for other in queries.assessments_for(me(request)).filter(unit=assessment.unit).order_by("period__year"):
        scores = [
            float(r.score) for r in queries.results_for(me(request), other).filter(unit__path__startswith=unit.path)
        ]
        trend.append([other.period.year, round(sum(scores) / len(scores), 1) if scores else 0])
    counts = queries.tier_counts(r.tier for r in results)
    chart = {
        "tiers": {"labels": list(counts), "values": list(counts.values())},
        "indicators": {"labels": [leaf.name for leaf in leaves], "values": means},
        "rubric": {"labels": [items[k]["label"] for k in items], "values": [lost.get(k, 0) for k in items]},
        "trend": {"labels": [str(y) for y, _ in trend], "values": [v for _, v in trend]},
    }
    children = Unit.objects.filter(parent=unit).order_by("path")
    return render(
        request,
        "evaluation/dashboard.html",
        {
            "assessment": assessment,
            "unit": unit,
            "children": children,
            "chart": chart,
            "counts": counts,
            "tier_rows": queries.tier_rows(counts),
            "leaf_means": list(zip(leaves, means, strict=True)),
            "files": files,
            "tier_labels": scoring.TIER_LABELS,
        },
    )


@console_page
def suggestions(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = queries.assessment_get(user=me(request), assessment_id=assessment_id)
    results = list(queries.results_for(me(request), assessment))
    leaves = [i for i in assessment.period.indicators.all() if i.is_leaf]
    files = list(
        queries.case_files_for(me(request))
        .filter(period=assessment.period)
        .select_related("rubric")
        .prefetch_related("reviews")
    )
    return render(
        request,
        "evaluation/suggestions.html",
        {"assessment": assessment, "suggestions": feedback.suggestions(results, leaves, files)},
    )


def _in_publicity(assessment: Assessment) -> bool:
    starts, ends = assessment.publicity_starts, assessment.publicity_ends
    return starts is not None and ends is not None and starts <= timezone.localdate() <= ends
