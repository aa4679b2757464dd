"""Rotation (定期轮训): who is due this year and why, enrolment into batches with capacity, finishing a batch."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.people import access
from zhifa.people.models import Officer, Unit, User
from zhifa.plans.models import PlanItem, RotationBatch, RotationEnrolment, RotationRecord, RotationRule
from zhifa.plans.queries import rotation_last_completed
from zhifa.plans.services import COUNTED_EMPLOYMENT, PlanError


@dataclass(frozen=True)
class DueOfficer:
    officer: Officer
    last: date | None
    priority: int  # lower first
    reason: str
    enrolled: bool


def _reason(officer: Officer, last: date | None, rule: RotationRule, today: date) -> tuple[int, str] | None:
    """Priority and reason when the officer is due this year, None otherwise."""
    expires = officer.certificate_expires
    soon = expires is not None and expires <= today + relativedelta(months=rule.certificate_months)
    cycle_end = date(today.year, 12, 31) - relativedelta(years=rule.every_years)
    if soon and expires is not None and (last is None or last < today - relativedelta(years=1)):
        if expires < today:
            return 0, f"执法证已于{expires:%Y-%m-%d}过期，换证前须完成轮训"
        return 0, f"执法证将于{expires:%Y-%m-%d}到期，需在换证前完成轮训"
    if last is None:
        joined = f"（{officer.joined_on:%Y}年入职）" if officer.joined_on else ""
        return 1, f"从未参加轮训{joined}"
    if last <= cycle_end:
        return 2, f"上次轮训于{last:%Y-%m-%d}，已满{rule.every_years}年"
    return None


def rotation_due(*, rule: RotationRule, today: date | None = None) -> list[DueOfficer]:
    """Officers of the rule's subtree due for rotation this year, most urgent first, each with the reason."""
    today = today or timezone.localdate()
    officers = list(
        Officer.objects.filter(unit__path__startswith=rule.unit.path, employment__in=COUNTED_EMPLOYMENT)
        .select_related("unit")
        .order_by("pk")
    )
    last = rotation_last_completed(officer_ids=[o.pk for o in officers])
    enrolled = set(
        RotationEnrolment.objects.filter(batch__rule=rule, batch__year=today.year).values_list("officer_id", flat=True)
    )
    due = []
    for officer in officers:
        found = _reason(officer, last.get(officer.pk), rule, today)
        if found is not None:
            due.append(DueOfficer(officer, last.get(officer.pk), found[0], found[1], officer.pk in enrolled))
    # Never rotated: those who joined earliest first (they have waited longest); otherwise the oldest rotation first.
    return sorted(
        due,
        key=lambda d: (
            d.priority,
            d.last or d.officer.joined_on or date.min,
            d.officer.certificate_expires or date.max,
            d.officer.pk,
        ),
    )


def yearly_quota(*, rule: RotationRule) -> int:
    """About 1/N of the subtree's working officers each year."""
    total = Officer.objects.filter(unit__path__startswith=rule.unit.path, employment__in=COUNTED_EMPLOYMENT).count()
    return math.ceil(total / max(rule.every_years, 1))


@transaction.atomic
def rule_save(
    *, by: User, unit: Unit, name: str, every_years: int, certificate_months: int, rule: RotationRule | None = None
) -> RotationRule:
    """Create or change a rotation rule; audited. Raises PlanError naming the field."""
    if not access.can_manage_unit(by, unit):
        raise PlanError(f"您不是“{unit.name}”的管理员。", "unit")
    if not name.strip():
        raise PlanError("请填写轮训名称，如“执法人员三年轮训”。", "name")
    if not 1 <= every_years <= 10:
        raise PlanError("轮训周期应在 1 到 10 年之间，常见为 3 年。", "every_years")
    if not 0 <= certificate_months <= 60:
        raise PlanError("执法证到期提前月数应在 0 到 60 之间。", "certificate_months")
    rule = rule or RotationRule(unit=unit)
    rule.unit, rule.name, rule.every_years, rule.certificate_months = (
        unit,
        name.strip(),
        every_years,
        certificate_months,
    )
    rule.save()
    audit_record(actor=by, action="plans.rotation_rule_save", obj=rule, new={"every_years": every_years})
    return rule


@transaction.atomic
def batch_create(
    *, by: User, rule: RotationRule, name: str, year: int, capacity: int, starts_on: date, ends_on: date
) -> RotationBatch:
    """A new rotation batch; raises PlanError naming the field."""
    if not access.can_manage_unit(by, rule.unit):
        raise PlanError(f"您不是“{rule.unit.name}”的管理员。")
    if not name.strip():
        raise PlanError("请填写批次名称，如“2026年第一期”。", "name")
    if capacity < 1:
        raise PlanError("容量应为正整数，如 40。", "capacity")
    if ends_on < starts_on:
        raise PlanError("结业日期早于开班日期，请改正。", "ends_on")
    batch = RotationBatch.objects.create(
        rule=rule, name=name.strip(), year=year, capacity=capacity, starts_on=starts_on, ends_on=ends_on
    )
    audit_record(actor=by, action="plans.rotation_batch_create", obj=batch, new={"capacity": capacity})
    return batch


@transaction.atomic
def batch_enrol(*, by: User, batch: RotationBatch, officers: list[Officer], reasons: dict[int, str]) -> int:
    """Enrol officers into a batch; all or nothing. Raises PlanError when the batch would be over capacity."""
    batch = RotationBatch.objects.select_for_update().get(pk=batch.pk)
    if not access.can_manage_unit(by, batch.rule.unit):
        raise PlanError("您不能管理这个轮训批次。")
    if batch.status != RotationBatch.Status.OPEN:
        raise PlanError(f"批次“{batch.name}”已结业，不能再加人。")
    for officer in officers:
        if not officer.unit.path.startswith(batch.rule.unit.path):
            raise PlanError(f"{officer.name}不在“{batch.rule.unit.name}”及其下级单位，不能加入本批次。", "officers")
    present = set(batch.enrolments.values_list("officer_id", flat=True))
    new = [o for o in officers if o.pk not in present]
    if len(present) + len(new) > batch.capacity:
        free = batch.capacity - len(present)
        raise PlanError(
            f"批次“{batch.name}”容量{batch.capacity}人，已有{len(present)}人，还能加{free}人，"
            f"本次选了{len(new)}人。请减少人数或新建一个批次。",
            "officers",
        )
    RotationEnrolment.objects.bulk_create(
        [RotationEnrolment(batch=batch, officer=o, reason=reasons.get(o.pk, "")[:200]) for o in new]
    )
    audit_record(actor=by, action="plans.rotation_enrol", obj=batch, new={"officers": [o.pk for o in new]})
    return len(new)


@transaction.atomic
def batch_finish(*, by: User, batch: RotationBatch, completed_on: date, absent: list[int] | None = None) -> int:
    """Finish a batch: a RotationRecord on every enrolled officer except the absent; audited. Returns how many."""
    if not access.can_manage_unit(by, batch.rule.unit):
        raise PlanError("您不能管理这个轮训批次。")
    if batch.status == RotationBatch.Status.FINISHED:
        raise PlanError(f"批次“{batch.name}”已经结业。")
    absent_ids = set(absent or [])
    officers = [o for o in batch.enrolments.values_list("officer_id", flat=True) if o not in absent_ids]
    RotationRecord.objects.bulk_create(
        [RotationRecord(officer_id=o, completed_on=completed_on, batch=batch, note=batch.name) for o in officers],
        ignore_conflicts=True,
    )
    batch.status = RotationBatch.Status.FINISHED
    batch.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by, action="plans.rotation_finish", obj=batch, new={"completed": officers, "absent": sorted(absent_ids)}
    )
    return len(officers)


@transaction.atomic
def rule_items_set(*, by: User, rule: RotationRule, items: list[PlanItem]) -> None:
    """The intensive programme of a rotation: plan items that apply to the rule's unit; audited."""
    if not access.can_manage_unit(by, rule.unit):
        raise PlanError(f"您不是“{rule.unit.name}”的管理员。")
    for item in items:
        if not (rule.unit.path.startswith(item.plan.unit.path) or item.plan.unit.path.startswith(rule.unit.path)):
            raise PlanError(f"“{item.title}”不属于“{rule.unit.name}”适用的培训计划，不能作为轮训内容。", "items")
    rule.items.set(items)
    audit_record(actor=by, action="plans.rotation_items_set", obj=rule, new={"items": [i.pk for i in items]})
