"""Reads of the evaluation app for a user; every one goes through people.access or the evaluator's assignment.

Objects the user may not see raise Http404 (never 403: do not confirm that they exist).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zhifa.evaluation import compute, scoring, template
from zhifa.evaluation.models import (
    Assessment,
    AssessmentResult,
    CaseFile,
    Indicator,
    Period,
    ThirdPartyAssignment,
    ThirdPartyReview,
)
from zhifa.people import access
from zhifa.people.models import Officer, Unit, User


def _paths_q(paths: list[str], field_name: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field_name}__startswith": path})
    return q


# --- periods --------------------------------------------------------------------------------------------------------


def periods_for(user: User) -> QuerySet[Period]:
    """Console users see every period (the templates are not secret); others none."""
    if not access.can_use_console(user):
        raise Http404
    return Period.objects.select_related("unit").order_by("-year", "name")


def period_get(*, user: User, period_id: int) -> Period:
    return get_object_or_404(periods_for(user), pk=period_id)


@dataclass
class TreeRow:
    indicator: Indicator
    depth: int
    weight: float
    own: bool  # the unit set this weight itself (or an ancestor did)


def indicator_rows(period: Period, unit: Unit | None) -> list[TreeRow]:
    """The tree in display order with the weights in force for `unit` (the template's without a unit)."""
    from zhifa.evaluation.models import IndicatorWeight
    from zhifa.evaluation.services import effective_weights

    indicators = list(period.indicators.all())
    overrides = list(IndicatorWeight.objects.filter(indicator__period=period).select_related("unit"))
    weights = (
        effective_weights(indicators, overrides, unit.path) if unit else {i.pk: float(i.weight) for i in indicators}
    )
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for i in indicators:
        children[i.parent_id].append(i)
    rows: list[TreeRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for i in children[parent]:
            rows.append(TreeRow(i, depth, weights[i.pk], weights[i.pk] != float(i.weight)))
            walk(i.pk, depth + 1)

    walk(None, 0)
    return rows


def source_label(indicator: Indicator) -> str:
    if indicator.source == Indicator.Source.COMPUTED:
        return template.COMPUTED.get(indicator.computed_key, indicator.computed_key)
    return indicator.get_source_display()


def rule_label(rule: dict | None) -> str:
    if not rule:
        return ""
    kind = rule["kind"]
    label = scoring.KINDS[kind]
    if kind == "linear":
        label += f"：{rule['low']} 以下 0 分，{rule['high']} 及以上 100 分"
    elif kind == "banded":
        label += "：" + "，".join(f"≥{start} 得 {pts}" for start, pts in rule["bands"])
    elif kind == "pass_fail":
        label += f"：≥{rule['threshold']} 达标"
    elif kind == "deduction":
        label += f"：每次扣 {rule['per_event']} 分"
    if rule.get("missing") == "full":
        label += "（无数据按满分）"
    return label


# --- assessments ----------------------------------------------------------------------------------------------------


def assessments_for(user: User) -> QuerySet[Assessment]:
    """Assessments whose scope overlaps what the user may read (a city's assessment for a bureau's manager)."""
    if not access.can_use_console(user):
        raise Http404
    qs = Assessment.objects.select_related("period", "unit").order_by("-period__year", "unit__path")
    paths = access.viewable_unit_paths(user)
    if paths is None:
        return qs
    ancestors: set[int] = set()
    for path in paths:
        ancestors.update(int(x) for x in path.strip("/").split("/"))
    return qs.filter(_paths_q(paths, "unit__path") | Q(unit_id__in=ancestors))


def assessment_get(*, user: User, assessment_id: int) -> Assessment:
    return get_object_or_404(assessments_for(user), pk=assessment_id)


def results_for(user: User, assessment: Assessment) -> QuerySet[AssessmentResult]:
    qs = assessment.results.select_related("officer", "unit")
    paths = access.viewable_unit_paths(user)
    return qs if paths is None else qs.filter(_paths_q(paths, "unit__path"))


def can_decide(user: User, assessment: Assessment) -> bool:
    return access.can_manage_unit(user, assessment.unit)


def result_get(*, user: User, result_id: int) -> AssessmentResult:
    """Managers and auditors of the officer's unit always; the officer himself once a person approved it."""
    result = get_object_or_404(
        AssessmentResult.objects.select_related("assessment__period", "assessment__unit", "officer__unit", "unit"),
        pk=result_id,
    )
    me = access.officer_of(user)
    if me is not None and me.pk == result.officer_id:
        if result.assessment.status == Assessment.Status.DRAFT:
            raise Http404
        return result
    if not access.can_view_unit(user, result.unit):
        raise Http404
    return result


def my_results(user: User) -> list[AssessmentResult]:
    me = access.officer_of(user)
    if me is None:
        return []
    return list(
        AssessmentResult.objects.filter(officer=me)
        .exclude(assessment__status=Assessment.Status.DRAFT)
        .select_related("assessment__period", "officer", "unit")
        .order_by("-assessment__period__year")
    )


@dataclass
class ExplainRow:
    indicator: Indicator
    depth: int
    weight: float
    points: float
    contribution: float
    source: str = ""
    rule: str = ""
    figure: str = ""
    note: str = ""
    rows: list[compute.SourceRow] = field(default_factory=list)


def explanation(result: AssessmentResult) -> list[ExplainRow]:
    """Every indicator of the result: weight, points, share of the total, and for leaves the source rows."""
    period = result.assessment.period
    detail = result.detail
    leaves, nodes, weights = detail.get("leaves", {}), detail.get("nodes", {}), detail.get("weights", {})
    out = []
    stored = compute.stored_values(result.officer, period)
    for row in indicator_rows(period, None):
        key = str(row.indicator.pk)
        points, contribution = nodes.get(key, [0, 0])
        item = ExplainRow(row.indicator, row.depth, float(weights.get(key, row.indicator.weight)), points, contribution)
        if row.indicator.is_leaf:
            value, events, _, figure = leaves.get(key, [None, 0, 0, ""])[:4]
            item.source, item.rule = source_label(row.indicator), rule_label(row.indicator.rule)
            item.figure = figure or "无数据"
            item.note = scoring.leaf_points(row.indicator.rule or {"kind": "veto"}, value, events).note
            item.rows = compute.source_rows(row.indicator, result.officer, period, stored=stored)
        out.append(item)
    return out


def tier_counts(tiers) -> dict[str, int]:
    """{label: count} in tier order, from an iterable of tier values."""
    counts = Counter(tiers)
    return {label: counts.get(key, 0) for key, label in scoring.TIER_LABELS.items()}


def tier_rows(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(tier value, label, count) for tiles that link to the list behind each figure."""
    return [(key, label, counts.get(label, 0)) for key, label in scoring.TIER_LABELS.items()]


def warning_list(user: User, assessment: Assessment) -> list[AssessmentResult]:
    """Officers 不合格 this year and last year (their enforcement qualification is to be reviewed)."""
    return [
        r
        for r in results_for(user, assessment).filter(tier=AssessmentResult.Tier.FAIL)
        if r.detail.get("failed_last_year")
    ]


# --- case files -----------------------------------------------------------------------------------------------------


def case_files_for(user: User) -> QuerySet[CaseFile]:
    """Real case files of units the user reads, and those of the evaluator's live assignments."""
    qs = CaseFile.objects.filter(is_training=False).select_related("unit", "period").prefetch_related("officers")
    today = timezone.localdate()
    if access.is_evaluator(user) and not access.can_use_console(user):
        return qs.filter(
            assignments__evaluator=user, assignments__starts_on__lte=today, assignments__ends_on__gte=today
        ).distinct()
    if not access.can_use_console(user):
        raise Http404
    paths = access.viewable_unit_paths(user)
    return qs if paths is None else qs.filter(_paths_q(paths, "unit__path"))


def case_file_get(*, user: User, case_file_id: int) -> CaseFile:
    return get_object_or_404(case_files_for(user), pk=case_file_id)


def training_files() -> QuerySet[CaseFile]:
    return CaseFile.objects.filter(is_training=True).select_related("rubric").order_by("-created_at")


def training_file_get(*, user: User, case_file_id: int) -> CaseFile:
    if access.officer_of(user) is None:
        raise Http404
    return get_object_or_404(training_files(), pk=case_file_id)


# --- third-party review ---------------------------------------------------------------------------------------------


def assignments_of_evaluator(user: User) -> QuerySet[ThirdPartyAssignment]:
    if not access.is_evaluator(user):
        raise Http404
    return (
        ThirdPartyAssignment.objects.filter(evaluator=user)
        .select_related("period")
        .prefetch_related("units", "case_files", "officers__unit")
    )


def assignment_for_evaluator(*, user: User, assignment_id: int) -> ThirdPartyAssignment:
    return get_object_or_404(assignments_of_evaluator(user), pk=assignment_id)


def assignment_unit(*, assignment: ThirdPartyAssignment, unit_id: int) -> Unit:
    """A unit the assignment covers (a named unit or one below it); Http404 otherwise."""
    unit = get_object_or_404(Unit, pk=unit_id)
    if not any(unit.path.startswith(u.path) for u in assignment.units.all()):
        raise Http404
    return unit


def assignment_officer(*, assignment: ThirdPartyAssignment, officer_id: int) -> Officer:
    """An officer the assignment names (or one of a unit it covers); Http404 otherwise."""
    officer = get_object_or_404(Officer.objects.select_related("unit"), pk=officer_id)
    named = assignment.officers.filter(pk=officer.pk).exists()
    if not named and not any(officer.unit.path.startswith(u.path) for u in assignment.units.all()):
        raise Http404
    return officer


def assignments_managed(user: User) -> QuerySet[ThirdPartyAssignment]:
    """Assignments that touch the units the user reads (the console's list)."""
    if not access.can_use_console(user):
        raise Http404
    qs = ThirdPartyAssignment.objects.select_related("period", "evaluator").prefetch_related("units", "officers")
    paths = access.viewable_unit_paths(user)
    if paths is None:
        return qs
    return qs.filter(_paths_q(paths, "units__path") | _paths_q(paths, "officers__unit__path")).distinct()


def submitted_reviews_for(user: User) -> QuerySet[ThirdPartyReview]:
    """A unit sees third-party results only once the evaluator has submitted them."""
    if not access.can_use_console(user):
        raise Http404
    qs = ThirdPartyReview.objects.filter(submitted_at__isnull=False).select_related("unit", "officer", "assignment")
    paths = access.viewable_unit_paths(user)
    return qs if paths is None else qs.filter(_paths_q(paths, "unit__path"))


def is_live(assignment: ThirdPartyAssignment, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return assignment.starts_on <= today <= assignment.ends_on
