"""Writes of the evaluation app: periods and weights, indicator values, case-file review, third-party review.

The annual assessment's writes are in assessment.py (the same conventions). Every function is keyword-only,
atomic, access-checked, and audited when it changes a score, a weight or an assignment. Bad input raises
EvaluationError with a Chinese message that names the field and the fix; nothing is saved.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.certificates import services as certificate_services
from zhifa.common.audit import audit_record
from zhifa.evaluation import rubric as rubric_rules
from zhifa.evaluation import scoring, template
from zhifa.evaluation.models import (
    CaseFile,
    CaseFileReview,
    Indicator,
    IndicatorValue,
    IndicatorWeight,
    Period,
    Rubric,
    ThirdPartyAssignment,
    ThirdPartyReview,
)
from zhifa.people import access
from zhifa.people.models import Officer, Unit, User

DEFAULT_RUBRIC_NAME = "案卷评查标准（省级默认）"
MAX_UPLOAD = 30 * 1024 * 1024
_MAGIC = {b"%PDF": "PDF", b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"II*\x00": "TIFF", b"MM\x00*": "TIFF"}


class EvaluationError(ValueError):
    """Input a user can fix; the message is Chinese and names the field."""


class NotPermitted(EvaluationError):
    pass


def _decimal(raw: object, field: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise EvaluationError(f"“{field}”须为数字") from None
    if not value.is_finite():
        raise EvaluationError(f"“{field}”须为数字")
    return value


def _require_manager(user: User, unit: Unit) -> None:
    if not access.can_manage_unit(user, unit):
        raise NotPermitted(f"您不能管理“{unit.name}”的考核事项")


# --- periods, the indicator tree and weights ------------------------------------------------------------------------


@transaction.atomic
def period_create(
    *, unit: Unit, year: int, by: User, name: str = "", starts_on: date | None = None, ends_on: date | None = None
) -> Period:
    """A period with the province's default tree; raises EvaluationError when the unit already has one that year."""
    _require_manager(by, unit)
    if Period.objects.filter(unit=unit, year=year).exists():
        raise EvaluationError(f"“{unit.name}”已有 {year} 年度的考核")
    period = Period.objects.create(
        unit=unit,
        year=year,
        name=name or f"{year} 年度行政执法人员考核（{unit.name}）",
        starts_on=starts_on or date(year, 1, 1),
        ends_on=ends_on or date(year, 12, 31),
    )
    order = 0
    for entry in template.DEFAULT_TEMPLATE:
        order = _indicator_create(period, None, entry, order)
    rubric_default()
    audit_record(actor=by, action="evaluation.period_create", obj=period, new={"year": year})
    return period


def _indicator_create(period: Period, parent: Indicator | None, entry: tuple, order: int) -> int:
    code, name, weight, (low, high), source, rule, children = entry
    kind, _, key = source.partition(":")
    node = Indicator.objects.create(
        period=period,
        parent=parent,
        code=code,
        name=name,
        weight=weight,
        weight_min=low,
        weight_max=high,
        source=kind,
        computed_key=key,
        rule=rule,
        order=order,
    )
    order += 1
    for child in children:
        order = _indicator_create(period, node, child, order)
    return order


def rubric_default() -> Rubric:
    """The template's current version (made from rubric.DEFAULT_RUBRIC the first time)."""
    rubric, _ = Rubric.objects.get_or_create(
        period=None,
        is_current=True,
        defaults={"name": DEFAULT_RUBRIC_NAME, "content": rubric_rules.DEFAULT_RUBRIC, "version": 1},
    )
    return rubric


def rubric_current(period: Period | None) -> Rubric:
    """The version a new file of the period is scored with: the period's own current one, else the template's."""
    own = Rubric.objects.filter(period=period, is_current=True).first() if period is not None else None
    return own or rubric_default()


def effective_weights(
    indicators: list[Indicator], overrides: list[IndicatorWeight], unit_path: str
) -> dict[int, float]:
    """Each indicator's weight for a unit: its own or its nearest ancestor's setting, else the template's."""
    best: dict[int, tuple[int, float]] = {}
    for o in overrides:
        if unit_path.startswith(o.unit.path) and len(o.unit.path) > best.get(o.indicator_id, (-1, 0.0))[0]:
            best[o.indicator_id] = (len(o.unit.path), float(o.weight))
    return {i.pk: best[i.pk][1] if i.pk in best else float(i.weight) for i in indicators}


@transaction.atomic
def weights_set(*, period: Period, unit: Unit, weights: dict[int, object], reason: str, by: User) -> None:
    """A unit's own weights (for its subtree); raises EvaluationError outside the template's bounds, when a
    parent's children would not sum to 100, or without a reason."""
    _require_manager(by, unit)
    if not reason.strip():
        raise EvaluationError("请填写调整权重的理由")
    indicators = list(period.indicators.all())
    by_id = {i.pk: i for i in indicators}
    overrides = list(IndicatorWeight.objects.filter(indicator__period=period).select_related("unit"))
    current = effective_weights(indicators, overrides, unit.path)
    changed = {}
    for indicator_id, raw in weights.items():
        indicator = by_id.get(int(indicator_id))
        if indicator is None:
            raise EvaluationError("指标不属于本考核年度")
        value = _decimal(raw, f"{indicator.name}的权重")
        if not indicator.weight_min <= value <= indicator.weight_max:
            low, high = (format(w.normalize(), "f") for w in (indicator.weight_min, indicator.weight_max))
            raise EvaluationError(f"“{indicator.name}”的权重须在 {low} 到 {high} 之间（模板允许的范围）")
        changed[indicator.pk] = value
        current[indicator.pk] = float(value)
    nodes = [scoring.Node(i.pk, i.parent_id, current[i.pk]) for i in indicators]
    errors = scoring.weight_errors(nodes, {i.pk: i.name for i in indicators})
    if errors:
        raise EvaluationError("；".join(errors))
    for indicator_id, value in changed.items():
        old = current.get(indicator_id)
        IndicatorWeight.objects.update_or_create(
            indicator_id=indicator_id, unit=unit, defaults={"weight": value, "reason": reason.strip(), "set_by": by}
        )
        audit_record(
            actor=by,
            action="evaluation.weight_set",
            obj=by_id[indicator_id],
            old={"weight": old},
            new={"weight": float(value), "unit": unit.name},
            reason=reason.strip(),
        )


# --- entered values -------------------------------------------------------------------------------------------------


def _check_evidence_file(upload: UploadedFile | None, *, field: str = "佐证材料") -> None:
    if upload is None:
        return
    if (upload.size or 0) > MAX_UPLOAD:
        raise EvaluationError(f"“{field}”不能超过 30 MB")
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in _MAGIC):
        raise EvaluationError(f"“{field}”须为 PDF 或图片（JPEG、PNG、TIFF）文件，请重新选择")


@transaction.atomic
def indicator_value_enter(
    *,
    indicator: Indicator,
    officer: Officer,
    by: User,
    evidence: str,
    value: object = None,
    events: object = 0,
    evidence_file: UploadedFile | None = None,
    origin: str = "评审录入",
) -> IndicatorValue:
    """Enter (or replace) an officer's value of an entered or imported leaf, with its evidence; audited."""
    _require_manager(by, officer.unit)
    if indicator.source not in (Indicator.Source.ENTERED, Indicator.Source.IMPORTED):
        raise EvaluationError(f"“{indicator.name}”由平台计算，不能手工录入")
    if not evidence.strip():
        raise EvaluationError("请填写“依据说明”（事实、文号或材料名称）")
    number = None if value in (None, "") else _decimal(value, "数值")
    if number is not None and not Decimal("0") <= number <= Decimal("1000"):
        raise EvaluationError("“数值”须在 0 到 1000 之间")
    try:
        count = int(str(events or 0))
    except (TypeError, ValueError):
        raise EvaluationError("“次数”须为整数") from None
    if not 0 <= count <= 100:
        raise EvaluationError("“次数”须在 0 到 100 之间")
    kind = (indicator.rule or {}).get("kind")
    if kind not in ("deduction", "veto") and number is None:
        raise EvaluationError(f"“{indicator.name}”须填写数值")
    _check_evidence_file(evidence_file)
    old = IndicatorValue.objects.filter(indicator=indicator, officer=officer).first()
    row, _ = IndicatorValue.objects.update_or_create(
        indicator=indicator,
        officer=officer,
        defaults={"value": number, "events": count, "evidence": evidence.strip(), "origin": origin, "entered_by": by},
    )
    if evidence_file is not None:
        row.evidence_file.save(evidence_file.name or "evidence", evidence_file, save=True)
    audit_record(
        actor=by,
        action="evaluation.value_enter",
        obj=row,
        old={"value": str(old.value), "events": old.events} if old else None,
        new={"value": str(number), "events": count, "indicator": indicator.code, "officer": officer.pk},
        reason=evidence.strip()[:200],
    )
    return row


# --- case files -----------------------------------------------------------------------------------------------------


@transaction.atomic
def case_file_upload(
    *,
    period: Period,
    unit: Unit,
    number: str,
    title: str,
    officers: list[Officer],
    file: UploadedFile | None,
    by: User,
    case_type: str = "行政处罚",
    decision: str = "",
) -> CaseFile:
    """Register a case file with its scan or PDF; raises EvaluationError for a file that is not a PDF or image."""
    _require_manager(by, unit)
    if not number.strip() or not title.strip():
        raise EvaluationError("请填写“案号”和“案由”")
    if file is None:
        raise EvaluationError("请上传案卷的 PDF 或扫描图片")
    _check_evidence_file(file, field="案卷文件")
    outside = [o.name for o in officers if not o.unit.path.startswith(unit.path)]
    if outside:
        raise EvaluationError(f"承办人员须属于办案单位：{'、'.join(outside)}")
    case_file = CaseFile.objects.create(
        period=period,
        rubric=rubric_current(period),
        unit=unit,
        number=number.strip(),
        title=title.strip(),
        case_type=case_type,
        decision=decision,
        uploaded_by=by,
    )
    case_file.officers.set(officers)
    case_file.file.save(file.name or "casefile", file, save=True)
    return case_file


@transaction.atomic
def case_files_sample(*, period: Period, unit: Unit, share: float, by: User, seed: int | None = None) -> int:
    """Spot-check: mark a random share of the subtree's unreviewed files for review; returns how many."""
    _require_manager(by, unit)
    if not 0 < share <= 1:
        raise EvaluationError("抽查比例须大于 0、不超过 100%")
    pool = list(
        CaseFile.objects.filter(
            period=period, unit__path__startswith=unit.path, is_training=False, status=CaseFile.Status.PENDING
        ).values_list("pk", flat=True)
    )
    count = max(1, round(len(pool) * share)) if pool else 0
    chosen = random.Random(seed).sample(pool, count)
    CaseFile.objects.filter(pk__in=chosen).update(sampled=True)
    audit_record(
        actor=by, action="evaluation.case_files_sample", new={"unit": unit.name, "share": share, "count": count}
    )
    return count


def can_review_case_file(user: User, case_file: CaseFile, today: date | None = None) -> bool:
    """Unit managers of the file's unit, and evaluators whose live assignment names it."""
    if case_file.is_training:
        return False
    if access.can_manage_unit(user, case_file.unit):
        return True
    today = today or timezone.localdate()
    return ThirdPartyAssignment.objects.filter(
        evaluator=user, case_files=case_file, starts_on__lte=today, ends_on__gte=today
    ).exists()


@transaction.atomic
def case_file_review(
    *, case_file: CaseFile, by: User, marks: dict[str, int], vetoes: list[str], comment: str = ""
) -> CaseFileReview:
    """One reviewer's scoring. The second review is compared with the first: a gap above the period's limit (or
    one veto against none) sends the file to reconciliation, whose review decides. Raises EvaluationError."""
    case_file = CaseFile.objects.select_for_update().get(pk=case_file.pk)
    if not can_review_case_file(by, case_file):
        raise NotPermitted("您不在本案卷的评查范围内，或评估任务已过期")
    if case_file.status == CaseFile.Status.FINAL:
        raise EvaluationError("本案卷已评定，不能再评分")
    rubric = case_file.rubric.content
    errors = rubric_rules.marks_errors(rubric, marks, vetoes)
    if errors:
        raise EvaluationError("；".join(errors))
    reviews = list(case_file.reviews.exclude(role=CaseFileReview.Role.TRAINING))
    if any(r.reviewer_id == by.pk for r in reviews):
        raise EvaluationError("您已评过本案卷；两名评查人员须为不同的人")
    scored = rubric_rules.score_file(rubric, marks, vetoes)
    if case_file.status == CaseFile.Status.RECONCILE:
        role = CaseFileReview.Role.RECONCILE
    else:
        role = CaseFileReview.Role.FIRST if not reviews else CaseFileReview.Role.SECOND
    review = CaseFileReview.objects.create(
        case_file=case_file,
        reviewer=by,
        role=role,
        marks=marks,
        vetoes=list(vetoes),
        score=Decimal(str(round(scored.total, 1))),
        vetoed=scored.vetoed,
        comment=comment,
    )
    if role == CaseFileReview.Role.SECOND:
        first = reviews[0]
        first_scored = rubric_rules.score_file(rubric, first.marks, first.vetoes)
        if rubric_rules.needs_reconciliation(first_scored, scored, gap=float(case_file.period.reconcile_gap)):
            case_file.status = CaseFile.Status.RECONCILE
        else:
            _final(case_file, (first_scored.total + scored.total) / 2, vetoed=scored.vetoed, by=by)
    elif role == CaseFileReview.Role.RECONCILE:
        _final(case_file, scored.total, vetoed=scored.vetoed, by=by)
    case_file.save()
    audit_record(
        actor=by,
        action="evaluation.case_file_review",
        obj=case_file,
        new={"role": role, "score": float(review.score), "vetoes": list(vetoes), "status": case_file.status},
    )
    return review


def _final(case_file: CaseFile, total: float, *, vetoed: bool, by: User) -> None:
    # A veto makes a 不合格卷 scored 0 whatever the points; under the pass mark it is 不合格 with its points.
    case_file.status = CaseFile.Status.FINAL
    case_file.final_score = Decimal("0") if vetoed else Decimal(str(round(total, 1)))
    case_file.failed = vetoed or total < rubric_rules.PASS_MARK
    if case_file.failed:  # the certificate lifecycle's annual review reads failed spot checks
        summary = f"案卷 {case_file.number}（{case_file.title}）评查不合格，{case_file.final_score} 分"
        for officer in case_file.officers.all():
            certificate_services.review_finding_record(
                officer=officer,
                year=case_file.period.year,
                passed=False,
                summary=summary,
                source_key=f"evaluation:casefile:{case_file.pk}:officer:{officer.pk}",
                by=by,
            )


@transaction.atomic
def training_file_create(
    *, period: Period, case: Case, by: User, expert_marks: dict[str, int], expert_vetoes: list[str]
) -> CaseFile:
    """A synthetic case file from the case library with the expert's scoring (training mode)."""
    _require_manager(by, period.unit)
    rubric = rubric_current(period)
    errors = rubric_rules.marks_errors(rubric.content, expert_marks, expert_vetoes)
    if errors:
        raise EvaluationError("；".join(errors))
    case_file = CaseFile.objects.create(
        period=period,
        rubric=rubric,
        unit=period.unit,
        number=f"训练-{case.pk}",
        title=case.title,
        decision=case.outcome,
        is_training=True,
        source_case=case,
        uploaded_by=by,
    )
    scored = rubric_rules.score_file(rubric.content, expert_marks, expert_vetoes)
    CaseFileReview.objects.create(
        case_file=case_file,
        reviewer=by,
        role=CaseFileReview.Role.EXPERT,
        marks=expert_marks,
        vetoes=expert_vetoes,
        score=Decimal(str(round(scored.total, 1))),
        vetoed=scored.vetoed,
    )
    return case_file


@transaction.atomic
def training_attempt(*, case_file: CaseFile, by: User, marks: dict[str, int], vetoes: list[str]) -> CaseFileReview:
    """An officer's practice scoring of a training file; the page then compares it with the expert's."""
    if not case_file.is_training or access.officer_of(by) is None:
        raise NotPermitted("只有执法人员可以做案卷评查训练")
    errors = rubric_rules.marks_errors(case_file.rubric.content, marks, vetoes)
    if errors:
        raise EvaluationError("；".join(errors))
    scored = rubric_rules.score_file(case_file.rubric.content, marks, vetoes)
    return CaseFileReview.objects.create(
        case_file=case_file,
        reviewer=by,
        role=CaseFileReview.Role.TRAINING,
        marks=marks,
        vetoes=list(vetoes),
        score=Decimal(str(round(scored.total, 1))),
        vetoed=scored.vetoed,
    )


# --- third-party review --------------------------------------------------------------------------------------------


@transaction.atomic
def assignment_create(
    *,
    period: Period,
    evaluator: User,
    units: list[Unit],
    ends_on: date,
    by: User,
    case_files: list[CaseFile] = (),  # type: ignore[assignment]
    officers: list[Officer] = (),  # type: ignore[assignment]
    starts_on: date | None = None,
    form: list[dict] | None = None,
) -> ThirdPartyAssignment:
    """Assign an outside evaluator to units and case files until a date; audited."""
    if not access.is_evaluator(evaluator):
        raise EvaluationError("所选账号不是第三方评估人员")
    if not units and not case_files and not officers:
        raise EvaluationError("请至少选择一个评估单位、一名评估人员或一份案卷")
    for unit in list(units) + [f.unit for f in case_files] + [o.unit for o in officers]:
        _require_manager(by, unit)
    starts_on = starts_on or timezone.localdate()
    if ends_on < starts_on:
        raise EvaluationError("“截止日期”不能早于开始日期")
    grant = next((g for g in evaluator.role_grants.all() if g.role == "evaluator"), None)
    assignment = ThirdPartyAssignment.objects.create(
        period=period,
        evaluator=evaluator,
        organisation=getattr(grant, "organisation", "") or "第三方评估机构",
        form=form or template.DEFAULT_FORM,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=by,
    )
    assignment.units.set(units)
    assignment.officers.set(officers)
    assignment.case_files.set(case_files)
    audit_record(
        actor=by,
        action="evaluation.assignment_create",
        obj=assignment,
        new={
            "evaluator": evaluator.username,
            "units": [u.name for u in units],
            "officers": [o.pk for o in officers],
            "ends_on": str(ends_on),
        },
    )
    return assignment


def assignment_is_live(assignment: ThirdPartyAssignment, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return assignment.starts_on <= today <= assignment.ends_on


def assignment_covers_unit(assignment: ThirdPartyAssignment, unit: Unit) -> bool:
    return any(unit.path.startswith(u.path) for u in assignment.units.all())


def assignment_covers_officer(assignment: ThirdPartyAssignment, officer: Officer) -> bool:
    """An officer named in the assignment, or one of a unit it covers."""
    return assignment.officers.filter(pk=officer.pk).exists() or assignment_covers_unit(assignment, officer.unit)


@transaction.atomic
def third_party_review_save(
    *,
    assignment: ThirdPartyAssignment,
    unit: Unit,
    by: User,
    scores: dict[str, object],
    comment: str = "",
    officer: Officer | None = None,
    evidence_file: UploadedFile | None = None,
    submit: bool = False,
) -> ThirdPartyReview:
    """Save (or submit) the evaluator's form for a unit or officer; raises outside the assignment or after it ends."""
    covered = assignment_covers_officer(assignment, officer) if officer else assignment_covers_unit(assignment, unit)
    if assignment.evaluator_id != by.pk or not covered:
        raise NotPermitted("该单位或人员不在您的评估任务范围内")
    if not assignment_is_live(assignment):
        raise NotPermitted(f"评估任务的期限为 {assignment.starts_on} 至 {assignment.ends_on}，当前不在期限内")
    if officer is not None and officer.unit_id != unit.pk:
        raise EvaluationError("所选人员不属于该单位")
    parsed, earned, possible = {}, Decimal("0"), Decimal("0")
    for item in assignment.form:
        raw = scores.get(item["key"], "")
        if raw in ("", None):
            raise EvaluationError(f"请填写“{item['label']}”的得分")
        value = _decimal(raw, item["label"])
        if not 0 <= value <= item["points"]:
            raise EvaluationError(f"“{item['label']}”的得分须在 0 到 {item['points']} 之间")
        parsed[item["key"]] = float(value)
        earned += value
        possible += Decimal(item["points"])
    _check_evidence_file(evidence_file)
    review = ThirdPartyReview.objects.filter(assignment=assignment, unit=unit, officer=officer).first()
    if review is not None and review.submitted_at is not None:
        raise EvaluationError("评估表已提交，不能再修改")
    review = review or ThirdPartyReview(assignment=assignment, unit=unit, officer=officer)
    review.scores, review.comment = parsed, comment
    review.total = (earned / possible * 100).quantize(Decimal("0.1")) if possible else Decimal("0")
    if submit:
        review.submitted_at = timezone.now()
    review.save()
    if evidence_file is not None:
        review.evidence_file.save(evidence_file.name or "evidence", evidence_file, save=True)
    audit_record(
        actor=by,
        action="evaluation.third_party_submit" if submit else "evaluation.third_party_save",
        obj=review,
        new={"unit": unit.name, "total": float(review.total), "scores": parsed},
    )
    return review


def evaluator_view_record(*, user: User, obj, what: str) -> None:
    """Every page an evaluator opens is audited (DESIGN: third parties see personal data)."""
    if access.is_evaluator(user):
        audit_record(actor=user, action="evaluation.evaluator_view", obj=obj, new={"page": what})
