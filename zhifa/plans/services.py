"""Writes of plans: editing, publishing, withdrawing, copying; assignments (sync, status refresh, exemption)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.people import access
from zhifa.people.audiences import audience_officers
from zhifa.people.models import Audience, Officer, Unit, User
from zhifa.plans import progress, progress_sql
from zhifa.plans.models import Assignment, PlanItem, TrainingPlan
from zhifa.plans.status import EXEMPTED, assignment_status

# Officers who still work owe training; retired and departed officers do not.
COUNTED_EMPLOYMENT = ("active", "seconded")
# Above this many officers, publishing creates the assignments in the background (a province takes minutes).
INLINE_PUBLISH_LIMIT = 20_000


class PlanError(Exception):
    """A refusal a person can fix: `field` names the form field (or "" for the whole form), the message says how."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _check_manager(by: User, unit: Unit) -> None:
    if not access.can_manage_unit(by, unit):
        raise PlanError(f"您不是“{unit.name}”的管理员，不能修改它的培训计划。")


def _check_draft(plan: TrainingPlan) -> None:
    if plan.status != TrainingPlan.Status.DRAFT:
        raise PlanError(
            f"培训计划“{plan.title}”已{plan.get_status_display()}，不能再修改；如需调整请先撤回再复制一份。"
        )


@transaction.atomic
def plan_create(*, by: User, unit: Unit, year: int, title: str, description: str = "") -> TrainingPlan:
    """A new draft plan; raises PlanError when the unit already has a live plan for the year."""
    _check_manager(by, unit)
    title = title.strip()
    if not title:
        raise PlanError("请填写计划名称，如“2026年度执法人员培训计划”。", "title")
    if not 2000 <= year <= 2100:
        raise PlanError("年度应为四位年份，如 2026。", "year")
    if TrainingPlan.objects.filter(unit=unit, year=year).exclude(status=TrainingPlan.Status.WITHDRAWN).exists():
        raise PlanError(f"“{unit.name}”已有{year}年度的培训计划，请编辑该计划，或先撤回它。", "year")
    plan = TrainingPlan.objects.create(unit=unit, year=year, title=title, description=description, created_by=by)
    audit_record(actor=by, action="plans.plan_create", obj=plan, new={"unit": unit.pk, "year": year})
    return plan


@dataclass(frozen=True)
class ItemIn:
    kind: str
    title: str
    window_start: date
    deadline: date
    category: str = "legal"
    required: bool = True
    course_id: int | None = None
    exam_id: int | None = None
    scenario_id: int | None = None
    offline_class_id: int | None = None
    target: Decimal | None = None
    reason: str = ""


_TARGET_OF_KIND: dict[str, tuple[str, str]] = {
    PlanItem.Kind.COURSE: ("course_id", "请选择课程。"),
    PlanItem.Kind.EXAM: ("exam_id", "请选择考试。"),
    PlanItem.Kind.DRILL: ("scenario_id", "请选择模拟演练。"),
    PlanItem.Kind.OFFLINE_CLASS: ("offline_class_id", "请选择线下培训班。"),
}


def item_check(*, plan: TrainingPlan, data: ItemIn) -> None:
    """Refuse an item that cannot work: raises PlanError naming the field and the fix."""
    if not data.title.strip():
        raise PlanError("请填写事项名称。", "title")
    if data.kind not in PlanItem.Kind.values:
        raise PlanError("事项类型不存在，请从列表中选择。", "kind")
    for name, value in (("window_start", data.window_start), ("deadline", data.deadline)):
        if value.year != plan.year:
            label = "开始日期" if name == "window_start" else "截止日期"
            raise PlanError(
                f"{label}“{value:%Y-%m-%d}”不在计划年度{plan.year}年内，请改为{plan.year}-01-01至{plan.year}-12-31之间的日期。",
                name,
            )
    if data.window_start > data.deadline:
        raise PlanError("截止日期早于开始日期，请把截止日期改到开始日期之后。", "deadline")
    if data.kind in _TARGET_OF_KIND:
        name, message = _TARGET_OF_KIND[data.kind]
        if getattr(data, name) is None:
            raise PlanError(message, name.removesuffix("_id"))
    else:
        if data.target is None or data.target <= 0:
            unit = "天数" if data.kind == PlanItem.Kind.PRACTICE_TARGET else "学时数"
            raise PlanError(f"请填写目标{unit}（大于 0 的数字，如 30）。", "target")
        if data.kind == PlanItem.Kind.PRACTICE_TARGET and data.target > 366:
            raise PlanError("每日练习目标不能超过一年的天数（366），请改小。", "target")


def plan_officers(plan: TrainingPlan) -> QuerySet[Officer]:
    """The officers a plan can reach: working officers of its unit's subtree."""
    return Officer.objects.filter(unit__path__startswith=plan.unit.path, employment__in=COUNTED_EMPLOYMENT)


def item_officers(item: PlanItem, *, today: date | None = None) -> QuerySet[Officer]:
    """Who the item applies to today: its audience (or the whole plan) within the plan's subtree; live."""
    officers = plan_officers(item.plan)
    if item.audience is not None:
        officers = officers.filter(pk__in=audience_officers(item.audience, today=today).values("pk"))
    return officers


def _check_audience(plan: TrainingPlan, audience: Audience | None) -> None:
    if audience is None:
        if not plan_officers(plan).exists():
            raise PlanError(f"“{plan.unit.name}”及其下级单位没有在职执法人员，计划不会选中任何人。", "audience")
        return
    selected = plan_officers(plan).filter(pk__in=audience_officers(audience).values("pk"))
    if not selected.exists():
        raise PlanError(
            f"培训对象在“{plan.unit.name}”及其下级单位中没有选中任何人员，请调整单位、执法领域或指定人员。", "audience"
        )


@transaction.atomic
def item_add(
    *, by: User, plan: TrainingPlan, data: ItemIn, audience: Audience | None = None, position: int | None = None
) -> PlanItem:
    """Add an item to a draft plan; raises PlanError (deadline outside the year, an audience selecting nobody, …)."""
    _check_manager(by, plan.unit)
    _check_draft(plan)
    item_check(plan=plan, data=data)
    _check_audience(plan, audience)
    item = PlanItem.objects.create(
        plan=plan,
        kind=data.kind,
        title=data.title.strip(),
        category=data.category,
        course_id=data.course_id,
        exam_id=data.exam_id,
        scenario_id=data.scenario_id,
        offline_class_id=data.offline_class_id,
        target=data.target,
        audience=audience,
        window_start=data.window_start,
        deadline=data.deadline,
        required=data.required,
        reason=data.reason.strip(),
        position=position if position is not None else plan.items.count(),
    )
    audit_record(actor=by, action="plans.item_add", obj=item, new={"plan": plan.pk, "kind": item.kind})
    return item


@transaction.atomic
def item_remove(*, by: User, plan: TrainingPlan, item: PlanItem) -> None:
    """Remove an item of the plan's own; raises PlanError for an inherited item (a higher unit's) or a published one."""
    if item.plan_id != plan.pk:
        raise PlanError(
            f"“{item.title}”是上级单位“{item.plan.unit.name}”计划中的事项，下级单位只能增加事项，不能删除上级的事项。"
        )
    _check_manager(by, plan.unit)
    _check_draft(plan)
    audit_record(actor=by, action="plans.item_remove", obj=item, old={"plan": plan.pk, "title": item.title})
    item.delete()


def inherited_items(plan: TrainingPlan) -> QuerySet[PlanItem]:
    """Items of the published plans of higher units for the same year (they apply here and cannot be removed)."""
    ancestor_ids = [int(x) for x in plan.unit.path.strip("/").split("/")[:-1] if x]
    return PlanItem.objects.filter(
        plan__unit_id__in=ancestor_ids, plan__year=plan.year, plan__status=TrainingPlan.Status.PUBLISHED
    ).select_related("plan__unit")


@transaction.atomic
def plan_publish(*, by: User, plan: TrainingPlan) -> int | None:
    """Publish a draft plan and create its assignments; returns how many, or None when a plan over more than
    INLINE_PUBLISH_LIMIT officers is left to the background task (minutes for a province). Raises PlanError for an
    empty plan."""
    _check_manager(by, plan.unit)
    plan = TrainingPlan.objects.select_for_update().get(pk=plan.pk)
    _check_draft(plan)
    if not plan.items.exists():
        raise PlanError("计划还没有任何事项，请先添加课程、考试或学时目标再发布。")
    plan.status = TrainingPlan.Status.PUBLISHED
    plan.published_at = timezone.now()
    plan.save(update_fields=["status", "published_at", "updated_at"])
    from zhifa.plans.tasks import plan_notices_send, plan_publish_finish  # the task module imports these services

    created: int | None = None
    if plan_officers(plan).count() > INLINE_PUBLISH_LIMIT:
        transaction.on_commit(lambda: plan_publish_finish.enqueue(plan.pk))
    else:
        created = assignments_sync(plan=plan)
        assignments_refresh(plan=plan)
        # The "new assignment" notices go out after the commit, in the background.
        transaction.on_commit(lambda: plan_notices_send.enqueue(plan.pk))
    audit_record(actor=by, action="plans.plan_publish", obj=plan, new={"status": "published", "assignments": created})
    return created


@transaction.atomic
def plan_withdraw(*, by: User, plan: TrainingPlan, reason: str) -> TrainingPlan:
    """Withdraw a published plan (its assignments stop counting); audited. Raises PlanError without a reason."""
    _check_manager(by, plan.unit)
    if plan.status != TrainingPlan.Status.PUBLISHED:
        raise PlanError("只有已发布的计划可以撤回；草稿可以直接删除。")
    if not reason.strip():
        raise PlanError("请填写撤回原因，如“计划调整，重新发布”。", "reason")
    plan.status = TrainingPlan.Status.WITHDRAWN
    plan.withdrawn_at = timezone.now()
    plan.withdraw_reason = reason.strip()[:200]
    plan.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "updated_at"])
    audit_record(
        actor=by,
        action="plans.plan_withdraw",
        obj=plan,
        old={"status": "published"},
        new={"status": "withdrawn"},
        reason=plan.withdraw_reason,
    )
    return plan


@transaction.atomic
def plan_delete(*, by: User, plan: TrainingPlan) -> None:
    """Delete a draft plan; raises PlanError for a published or withdrawn one (withdraw it instead)."""
    _check_manager(by, plan.unit)
    if plan.status != TrainingPlan.Status.DRAFT:
        raise PlanError(
            f"培训计划“{plan.title}”已{plan.get_status_display()}，不能删除；如不再执行，请撤回（会留下审计记录）。"
        )
    audit_record(actor=by, action="plans.plan_delete", obj=plan, old={"title": plan.title, "year": plan.year})
    plan.delete()


def _clone_audience(audience: Audience) -> Audience:
    copy = Audience.objects.create(
        name=audience.name,
        roles=audience.roles,
        positions=audience.positions,
        employment=audience.employment,
        certificate_expires_within_months=audience.certificate_expires_within_months,
        joined_within_months=audience.joined_within_months,
    )
    copy.units.set(audience.units.all())
    copy.domains.set(audience.domains.all())
    copy.include.set(audience.include.all())
    copy.exclude.set(audience.exclude.all())
    return copy


def _shift(day: date, year: int) -> date:
    return day.replace(year=year, day=min(day.day, 28)) if (day.month, day.day) == (2, 29) else day.replace(year=year)


@transaction.atomic
def plan_copy(*, by: User, source: TrainingPlan, year: int) -> TrainingPlan:
    """A new draft for `year` with the source plan's items, dates moved to that year; raises PlanError."""
    plan = plan_create(
        by=by,
        unit=source.unit,
        year=year,
        title=source.title.replace(str(source.year), str(year)),
        description=source.description,
    )
    plan.copied_from = source
    plan.save(update_fields=["copied_from"])
    for item in source.items.select_related("audience"):
        item.pk = None
        item.plan = plan
        item.window_start, item.deadline = _shift(item.window_start, year), _shift(item.deadline, year)
        item.audience = _clone_audience(item.audience) if item.audience is not None else None
        item.save()
    audit_record(actor=by, action="plans.plan_copy", obj=plan, new={"from": source.pk, "year": year})
    return plan


def assignments_sync(*, plan: TrainingPlan, today: date | None = None) -> int:
    """Make the plan's assignments match who its items select today: new officers in, moved-away officers out,
    unit paths current. Returns how many assignments were created.

    Set-based (an INSERT … SELECT, a DELETE and an UPDATE per item), so a province's plan publishes in seconds.
    """
    created = 0
    now = timezone.now()
    for item in plan.items.select_related("plan__unit", "audience"):
        target = item_officers(item, today=today)
        Assignment.objects.filter(item=item).exclude(officer_id__in=target.values("pk")).delete()
        rows = target.annotate(a_officer=F("pk"), a_path=F("unit__path")).values_list("a_officer", "a_path")
        select, params = rows.query.sql_with_params()
        table = Assignment._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (item_id, officer_id, unit_path, status, progress, exempted, exempt_reason,"
                f" created_at) SELECT %s, t.a_officer, t.a_path, 'not_started', 0, %s, '', %s"
                f" FROM ({select}) AS t WHERE NOT EXISTS (SELECT 1 FROM {table} x WHERE x.item_id = %s"
                f" AND x.officer_id = t.a_officer) ON CONFLICT (item_id, officer_id) DO NOTHING",
                [item.pk, False, now, *params, item.pk],
            )
            created += max(cursor.rowcount, 0)
        # Moved within the subtree: the assignment follows the officer's unit.
        current = Officer.objects.filter(pk=OuterRef("officer_id")).values("unit__path")[:1]
        moved = Assignment.objects.filter(item=item).exclude(unit_path=F("officer__unit__path")).values("pk")
        Assignment.objects.filter(pk__in=moved).update(unit_path=Subquery(current))
    return created


def assignments_refresh(*, plan: TrainingPlan, unit_path: str | None = None, today: date | None = None) -> int:
    """Recompute the status of the plan's assignments (of one subtree when unit_path is given) from the ledgers and
    write only those that changed; returns how many changed."""
    today = today or timezone.localdate()
    changed = 0
    now = timezone.now()
    for item in plan.items.all():
        if progress_sql.supported(item):
            changed += progress_sql.refresh_item(item=item, unit_path=unit_path, year=plan.year, today=today, now=now)
            continue
        rows = Assignment.objects.filter(item=item)
        if unit_path:
            rows = rows.filter(unit_path__startswith=unit_path)
        facts = progress.facts_for(item=item, assignments=rows, year=plan.year, today=today)
        updates: list[Assignment] = []
        for pk, officer_id, status, value, done_on, exempted in rows.values_list(
            "pk", "officer_id", "status", "progress", "done_on", "exempted"
        ):
            fact = facts.get(officer_id, progress.NO_FACT)
            new = assignment_status(fact=fact, deadline=item.deadline, today=today, exempted=exempted)
            new_value = fact.progress.quantize(Decimal("0.01"))
            if (new, new_value, fact.done_on) != (status, value, done_on):
                updates.append(
                    Assignment(pk=pk, status=new, progress=new_value, done_on=fact.done_on, refreshed_at=now)
                )
        progress.write_statuses(updates)
        changed += len(updates)
    return changed


def plans_refresh_all(*, year: int | None = None, today: date | None = None) -> tuple[int, int]:
    """Sync and refresh every published plan of the year (the periodic job); returns (created, changed)."""
    today = today or timezone.localdate()
    created = changed = 0
    for plan in TrainingPlan.objects.filter(status=TrainingPlan.Status.PUBLISHED, year=year or today.year):
        with transaction.atomic():
            created += assignments_sync(plan=plan, today=today)
            changed += assignments_refresh(plan=plan, today=today)
    return created, changed


@transaction.atomic
def assignment_exempt(*, by: User, assignment: Assignment, reason: str) -> Assignment:
    """Exempt an officer from one item (免修) with a reason; audited. Raises PlanError without a reason."""
    officer = assignment.officer
    if not access.can_manage_officer(by, officer):
        raise PlanError("您不能管理这名执法人员，不能为其办理免修。")
    reason = reason.strip()
    if not reason:
        raise PlanError("请填写免修理由，如“已参加省厅同类培训，有结业证书”。", "reason")
    old = {"status": assignment.status, "exempted": assignment.exempted}
    assignment.exempted, assignment.exempt_reason, assignment.status = True, reason[:200], EXEMPTED
    assignment.save(update_fields=["exempted", "exempt_reason", "status"])
    audit_record(
        actor=by,
        action="plans.assignment_exempt",
        obj=assignment,
        old=old,
        new={"status": EXEMPTED, "exempted": True, "officer": officer.pk},
        reason=reason,
    )
    return assignment


@transaction.atomic
def assignment_unexempt(*, by: User, assignment: Assignment, reason: str) -> Assignment:
    """Take an exemption back; the status is computed again from the ledgers. Audited; raises PlanError."""
    if not access.can_manage_officer(by, assignment.officer):
        raise PlanError("您不能管理这名执法人员。")
    if not reason.strip():
        raise PlanError("请填写取消免修的理由。", "reason")
    assignment.exempted, assignment.exempt_reason = False, ""
    assignment.save(update_fields=["exempted", "exempt_reason"])
    assignments_refresh(plan=assignment.item.plan, unit_path=assignment.unit_path)
    audit_record(
        actor=by,
        action="plans.assignment_unexempt",
        obj=assignment,
        old={"exempted": True},
        new={"exempted": False},
        reason=reason.strip(),
    )
    return assignment
