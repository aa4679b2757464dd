"""Writes of the annual assessment (年度考核): compute, adjust, approve, publicise, objections, finalise.

A machine score is never final: compute makes a draft; a person approves (with the excellent cap), publicises
with dates, resolves every objection and finalises. Adjustments need a reason and are audited.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.evaluation import compute, scoring
from zhifa.evaluation.models import Assessment, AssessmentResult, Indicator, IndicatorWeight, Objection, Period
from zhifa.evaluation.services import EvaluationError, NotPermitted, _decimal, _require_manager, effective_weights
from zhifa.notices.models import Notice
from zhifa.notices.services import NoticeIn, notices_send
from zhifa.people import access
from zhifa.people.models import Officer, Unit, User

ACTIVE = [Officer.Employment.ACTIVE, Officer.Employment.SECONDED]
BATCH = 5000


def _tree(period: Period) -> tuple[list[Indicator], list[Indicator]]:
    indicators = list(period.indicators.all())
    return indicators, [i for i in indicators if i.is_leaf]


def _nodes_per_unit(period: Period, indicators: list[Indicator], units: dict[int, Unit]) -> tuple[dict, list]:
    """The tree with each unit's effective weights, and the template's tree (shared by units without a setting)."""
    overrides = list(IndicatorWeight.objects.filter(indicator__period=period).select_related("unit"))
    template = [scoring.Node(i.pk, i.parent_id, float(i.weight), i.rule) for i in indicators]
    result = {}
    for unit_id, unit in units.items():
        if not any(unit.path.startswith(o.unit.path) for o in overrides):
            result[unit_id] = template
            continue
        weights = effective_weights(indicators, overrides, unit.path)
        result[unit_id] = [scoring.Node(i.pk, i.parent_id, weights[i.pk], i.rule) for i in indicators]
    return result, template


def _leaf_arrays(leaves: list[Indicator], values: dict, ids: list[int]) -> tuple[dict, dict, np.ndarray]:
    """Every leaf's points for every officer (arrays in the order of `ids`) and who is vetoed."""
    points, raw, vetoed = {}, {}, np.zeros(len(ids), dtype=bool)
    for leaf in leaves:
        found = values[leaf.pk]
        rows = [found.get(o) for o in ids]
        vals = np.array([np.nan if v is None or v.value is None else v.value for v in rows], dtype=float)
        events = np.array([0 if v is None else v.events for v in rows], dtype=float)
        points[leaf.pk], veto = scoring.leaf_points_array(leaf.rule or {"kind": "veto"}, vals, events)
        raw[leaf.pk] = rows
        vetoed |= veto
    return points, raw, vetoed


def _barred(leaves: list[Indicator], raw: dict, points: dict, n: int) -> list[str]:
    """Why each officer may not be 优秀 this year besides a veto: a failed case file, a pass/fail leaf not met."""
    reasons: list[list[str]] = [[] for _ in range(n)]
    for leaf in leaves:
        if leaf.computed_key == "case_files":
            for i, found in enumerate(raw[leaf.pk]):
                if found is not None and found.events:
                    reasons[i].append("本年度有不合格案卷")
        elif (leaf.rule or {}).get("kind") == "pass_fail":
            for k in np.flatnonzero(points[leaf.pk] < 100).tolist():
                reasons[k].append(f"“{leaf.name}”未达标")
    return ["；".join(r) for r in reasons]


@transaction.atomic
def assessment_compute(*, period: Period, unit: Unit, by: User | None, check: bool = True) -> Assessment:
    """Compute (or recompute) the draft for every active officer of the subtree; raises once it is approved.

    Bulk: a handful of grouped queries for the sources, the rules over numpy arrays per weight tree, one COPY
    (PostgreSQL) or bulk insert of the results."""
    if check and by is not None:
        _require_manager(by, unit)
    assessment, _ = Assessment.objects.get_or_create(period=period, unit=unit)
    if assessment.status != Assessment.Status.DRAFT:
        raise EvaluationError("考核结果已审定，不能重新计算；如需更正请逐人调整并写明理由")
    indicators, leaves = _tree(period)
    people = list(
        Officer.objects.filter(unit__path__startswith=unit.path, employment__in=ACTIVE).values_list("pk", "unit_id")
    )
    officers = dict(people)
    ids = [o for o, _ in people]
    units = {u.pk: u for u in Unit.objects.filter(pk__in=set(officers.values()))}
    values = compute.leaf_values(period, unit, leaves, officers, units)
    points, raw, vetoed = _leaf_arrays(leaves, values, ids)
    barred = _barred(leaves, raw, points, len(ids))
    leaf_points = {leaf.pk: np.round(points[leaf.pk], 2).tolist() for leaf in leaves}
    leaf_ids = [leaf.pk for leaf in leaves]
    trees, template = _nodes_per_unit(period, indicators, units)
    groups: dict[int, list[int]] = defaultdict(list)  # one weight tree → the officers who use it
    for i, (_, unit_id) in enumerate(people):
        groups[id(trees[unit_id])].append(i)
    thresholds = period.thresholds or None
    previous_fail = _failed_last_year(period, ids)
    rows = []
    for members in groups.values():
        index = np.array(members)
        nodes = trees[people[members[0]][1]]
        totals, node_points, contribution = scoring.score_matrix(nodes, {k: v[index] for k, v in points.items()})
        # Rounded once per array, not per officer: 100k officers × 30 figures.
        total_list = np.round(totals, 2).tolist()
        node_lists = {
            k: (np.round(p, 2).tolist(), np.round(contribution[k], 2).tolist()) for k, p in node_points.items()
        }
        weights = None if nodes is template else {n.id: n.weight for n in nodes}  # the template's are on the period
        for j, i in enumerate(members):
            officer_id, unit_id = people[i]
            total, veto = total_list[j], bool(vetoed[i])
            leaf_detail = {}
            for leaf_id in leaf_ids:  # plain ids: Model.pk is a property, and this loop runs a million times
                v = raw[leaf_id][i]
                p = leaf_points[leaf_id][i]
                leaf_detail[leaf_id] = [None, 0, p, ""] if v is None else [v.value, v.events, p, v.figure]
            detail = {
                "leaves": leaf_detail,
                "nodes": {k: [p[j], c[j]] for k, (p, c) in node_lists.items()},
                "failed_last_year": officer_id in previous_fail,
            }
            if weights is not None:
                detail["weights"] = weights
            rows.append(
                (officer_id, unit_id, Decimal(str(total)), veto, "一票否决" if veto else barred[i],
                 scoring.proposed_tier(total, veto=veto, thresholds=thresholds), detail)
            )  # fmt: skip
    # The cap applied in memory before the write (re-reading and updating 100k rows costs more than the scoring).
    capped = scoring.apply_excellent_cap(
        [scoring.Candidate(i, str(r[1]), float(r[2]), r[5], barred=bool(r[4])) for i, r in enumerate(rows)],
        float(assessment.excellent_cap),
    )
    rows = [(*r[:5], capped[i], r[6]) for i, r in enumerate(rows)]
    assessment.results.all().delete()
    _write_results(assessment, rows)
    assessment.computed_at = timezone.now()
    assessment.save(update_fields=["computed_at", "updated_at"])
    if by is not None:
        audit_record(actor=by, action="evaluation.assessment_compute", obj=assessment, new={"officers": len(rows)})
    return assessment


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def _write_results(assessment: Assessment, rows: list[tuple]) -> None:
    """Insert the results: COPY on PostgreSQL (100k rows with their JSON in seconds), bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        columns = "assessment_id, officer_id, unit_id, machine_score, adjust_reason, vetoed, barred, tier, detail"
        sql = f"COPY evaluation_assessmentresult ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for officer_id, unit_id, score, veto, barred, tier, detail in rows:
                copy.write_row((assessment.pk, officer_id, unit_id, score, "", veto, barred, tier, json.dumps(detail)))
        return
    AssessmentResult.objects.bulk_create(
        [
            AssessmentResult(
                assessment=assessment, officer_id=officer_id, unit_id=unit_id, machine_score=score, vetoed=veto,
                barred=barred, tier=tier, detail=json.loads(json.dumps(detail)),
            )
            for officer_id, unit_id, score, veto, barred, tier, detail in rows
        ],
        batch_size=BATCH,
    )  # fmt: skip


def _failed_last_year(period: Period, officer_ids: list[int]) -> set[int]:
    return set(
        AssessmentResult.objects.filter(
            assessment__period__year=period.year - 1,
            assessment__status=Assessment.Status.FINAL,
            tier=AssessmentResult.Tier.FAIL,
        ).values_list("officer_id", flat=True)
    ) & set(officer_ids)


def _apply_tiers(assessment: Assessment) -> None:
    """Tiers from the current scores with the cap, per unit; only rows that change are written."""
    thresholds = assessment.period.thresholds or None
    rows = list(
        assessment.results.values_list("pk", "unit_id", "machine_score", "adjusted_score", "vetoed", "barred", "tier")
    )
    candidates = []
    for pk, unit_id, machine, adjusted, vetoed, barred, _ in rows:
        total = float(adjusted if adjusted is not None else machine)
        tier = scoring.proposed_tier(total, veto=vetoed, thresholds=thresholds)
        candidates.append(scoring.Candidate(pk, str(unit_id), total, tier, barred=bool(barred)))
    tiers = scoring.apply_excellent_cap(candidates, float(assessment.excellent_cap))
    changed = [AssessmentResult(pk=pk, tier=tiers[pk]) for pk, *_, tier in rows if tiers[pk] != tier]
    AssessmentResult.objects.bulk_update(changed, ["tier"], batch_size=BATCH)


def _editable(assessment: Assessment) -> None:
    if assessment.status == Assessment.Status.FINAL:
        raise EvaluationError("考核等次已确定，不能再修改")


@transaction.atomic
def result_adjust(*, result: AssessmentResult, score: object, reason: str, by: User) -> AssessmentResult:
    """A reviewer's adjusted score; raises EvaluationError without a reason or outside 0–100. Audited."""
    _require_manager(by, result.unit)
    _editable(result.assessment)
    if not reason.strip():
        raise EvaluationError("调整得分须填写理由")
    value = _decimal(score, "调整后得分")
    if not Decimal("0") <= value <= Decimal("100"):
        raise EvaluationError("“调整后得分”须在 0 到 100 之间")
    old = result.score
    result.adjusted_score, result.adjust_reason = value, reason.strip()
    result.save(update_fields=["adjusted_score", "adjust_reason"])
    audit_record(
        actor=by,
        action="evaluation.result_adjust",
        obj=result,
        old={"score": str(old)},
        new={"score": str(value)},
        reason=reason.strip(),
    )
    _apply_tiers(result.assessment)
    result.refresh_from_db()
    return result


@transaction.atomic
def assessment_approve(*, assessment: Assessment, by: User, cap: object = "0.20", cap_approval: str = "") -> Assessment:
    """The unit's decision on the draft: the excellent cap (above 20 % only with a recorded approval, never above
    25 %) enforced per unit; raises EvaluationError otherwise."""
    _require_manager(by, assessment.unit)
    if assessment.status != Assessment.Status.DRAFT:
        raise EvaluationError("只有草稿状态的考核结果可以审定")
    value = _decimal(cap, "优秀比例")
    errors = scoring.cap_errors(float(value), approved=bool(cap_approval.strip()))
    if errors:
        raise EvaluationError("；".join(errors))
    assessment.excellent_cap, assessment.cap_approval = value, cap_approval.strip()
    assessment.status, assessment.approved_by = Assessment.Status.APPROVED, by
    assessment.save()
    _apply_tiers(assessment)
    audit_record(
        actor=by,
        action="evaluation.assessment_approve",
        obj=assessment,
        new={"cap": str(value)},
        reason=cap_approval.strip(),
    )
    return assessment


@transaction.atomic
def assessment_publicise(*, assessment: Assessment, starts: date, ends: date, by: User) -> Assessment:
    """Publicity (公示) with dates; each officer is told where to see his result and object."""
    _require_manager(by, assessment.unit)
    if assessment.status != Assessment.Status.APPROVED:
        raise EvaluationError("请先审定考核结果，再进行公示")
    if ends < starts:
        raise EvaluationError("“公示结束日期”不能早于开始日期")
    if (ends - starts).days < 4:
        raise EvaluationError("公示期不少于 5 天")
    assessment.status = Assessment.Status.PUBLICISED
    assessment.publicity_starts, assessment.publicity_ends = starts, ends
    assessment.save()
    url = reverse("evaluation:my-assessment")
    users = assessment.results.values_list("officer__user_id", flat=True)
    notices_send(
        NoticeIn(
            user_id=user_id,
            key=f"evaluation:assessment:{assessment.pk}:publicity",
            title=f"{assessment.period.name}结果公示",
            body=f"公示期 {starts} 至 {ends}，如有异议请在公示期内书面提出。",
            url=url,
            kind=Notice.Kind.EVALUATION,
        )
        for user_id in users
        if user_id
    )
    audit_record(
        actor=by,
        action="evaluation.assessment_publicise",
        obj=assessment,
        new={"starts": str(starts), "ends": str(ends)},
    )
    return assessment


@transaction.atomic
def objection_submit(*, result: AssessmentResult, by: User, text: str, today: date | None = None) -> Objection:
    """The officer's written objection during publicity (also his request for a human review of the score)."""
    me = access.officer_of(by)
    if me is None or me.pk != result.officer_id:
        raise NotPermitted("只能对本人的考核结果提出异议")
    assessment, today = result.assessment, today or timezone.localdate()
    starts, ends = assessment.publicity_starts, assessment.publicity_ends
    if (
        assessment.status != Assessment.Status.PUBLICISED
        or starts is None
        or ends is None
        or not starts <= today <= ends
    ):
        raise EvaluationError("只能在公示期内提出异议")
    if not text.strip():
        raise EvaluationError("请写明异议的事实和理由")
    objection = Objection.objects.create(result=result, text=text.strip())
    audit_record(actor=by, action="evaluation.objection_submit", obj=result, reason=text.strip()[:200])
    return objection


@transaction.atomic
def objection_resolve(
    *, objection: Objection, by: User, uphold: bool, resolution: str, score: object = None
) -> Objection:
    """Decide an objection with a written reason; an upheld one may change the score (audited as an adjustment)."""
    result = objection.result
    _require_manager(by, result.unit)
    if objection.status != Objection.Status.OPEN:
        raise EvaluationError("该异议已处理")
    if not resolution.strip():
        raise EvaluationError("请填写处理意见")
    if uphold and score not in (None, ""):
        result_adjust(result=result, score=score, reason=f"异议成立：{resolution.strip()}", by=by)
    objection.status = Objection.Status.UPHELD if uphold else Objection.Status.REJECTED
    objection.resolution, objection.resolved_by, objection.resolved_at = resolution.strip(), by, timezone.now()
    objection.save()
    audit_record(
        actor=by,
        action="evaluation.objection_resolve",
        obj=result,
        new={"status": objection.status},
        reason=resolution.strip(),
    )
    return objection


@transaction.atomic
def assessment_finalise(*, assessment: Assessment, by: User, today: date | None = None) -> Assessment:
    """Fix the tiers once publicity has ended and every objection is resolved."""
    _require_manager(by, assessment.unit)
    today = today or timezone.localdate()
    if assessment.status != Assessment.Status.PUBLICISED:
        raise EvaluationError("请先公示考核结果")
    if assessment.publicity_ends is None or today <= assessment.publicity_ends:
        raise EvaluationError(f"公示期至 {assessment.publicity_ends} 结束，之后才能确定等次")
    if Objection.objects.filter(result__assessment=assessment, status=Objection.Status.OPEN).exists():
        raise EvaluationError("还有未处理的异议，请先处理")
    _apply_tiers(assessment)
    assessment.status = Assessment.Status.FINAL
    assessment.save()
    audit_record(actor=by, action="evaluation.assessment_finalise", obj=assessment)
    return assessment
