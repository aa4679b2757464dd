"""Reads of plans, assignments, rotation and content review for a user (access-checked through people.access)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zhifa.people import access
from zhifa.people.audiences import AUDIENCE_PREFETCH, audience_contains
from zhifa.people.models import Officer, Unit, User
from zhifa.plans import progress
from zhifa.plans.models import Assignment, PlanItem, RotationRecord, TrainingPlan
from zhifa.plans.status import (
    DONE,
    EXEMPTED,
    IN_PROGRESS,
    LABELS,
    NOT_STARTED,
    OVERDUE,
    assignment_status,
    due_phrase,
)


def rotation_last_completed(*, officer_ids: Iterable[int]) -> dict[int, date]:
    """The date of each officer's latest finished rotation; officers who never finished one are absent."""
    ids = list(officer_ids)
    rows = (
        RotationRecord.objects.filter(officer_id__in_array=ids)  # the annual review: every officer
        .values("officer_id")
        .annotate(last=Max("completed_on"))
        .values_list("officer_id", "last")
    )
    return dict(rows)


# --- plans for console users -------------------------------------------------------------------------------------


def plans_visible_to(user: User) -> QuerySet[TrainingPlan]:
    """Plans of the units the user may see (his subtree) and of the units above it (they apply to his units)."""
    paths = access.viewable_unit_paths(user)
    plans = TrainingPlan.objects.select_related("unit").order_by("-year", "unit__path")
    if paths is None:
        return plans
    q = Q(pk__in=[])
    ancestor_ids: set[int] = set()
    for path in paths:
        q |= Q(unit__path__startswith=path)
        ancestor_ids.update(int(x) for x in path.strip("/").split("/") if x)
    return plans.filter(q | Q(unit_id__in=ancestor_ids, status=TrainingPlan.Status.PUBLISHED))


def plan_get_for_user(*, plan_id: int, user: User) -> TrainingPlan:
    """A plan the user may see; Http404 otherwise."""
    plan = get_object_or_404(plans_visible_to(user), pk=plan_id)
    return plan


def can_edit(user: User, plan: TrainingPlan) -> bool:
    return access.can_manage_unit(user, plan.unit)


def item_get_for_user(*, item_id: int, user: User) -> PlanItem:
    item = get_object_or_404(PlanItem.objects.select_related("plan__unit", "audience"), pk=item_id)
    plan_get_for_user(plan_id=item.plan_id, user=user)
    return item


def plan_items(plan: TrainingPlan) -> list[PlanItem]:
    return list(
        plan.items.select_related("course", "exam", "scenario", "offline_class").prefetch_related(
            *("audience__" + p for p in AUDIENCE_PREFETCH)
        )
    )


def items_applying_to(unit: Unit, year: int) -> QuerySet[PlanItem]:
    """Items of the published plans of the unit and of every unit above it for the year."""
    ancestor_ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    return (
        PlanItem.objects.filter(
            plan__unit_id__in=ancestor_ids, plan__year=year, plan__status=TrainingPlan.Status.PUBLISHED
        )
        .select_related("plan__unit")
        .order_by("deadline", "plan__unit__path", "position", "id")
    )


@dataclass
class ItemProgress:
    item: PlanItem
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, status: str) -> float:
        return round(100 * self.counts.get(status, 0) / self.total, 1) if self.total else 0.0

    @property
    def done_share(self) -> float:
        done = self.counts.get(DONE, 0) + self.counts.get(EXEMPTED, 0)
        return round(100 * done / self.total, 1) if self.total else 0.0

    @property
    def behind(self) -> int:
        return self.counts.get(OVERDUE, 0)


def progress_by_item(*, items: list[PlanItem], unit_path: str) -> list[ItemProgress]:
    """Assignments per item and status in a unit subtree: one grouped query over (item, unit_path prefix)."""
    result = {i.pk: ItemProgress(i) for i in items}
    rows = (
        Assignment.objects.filter(item_id__in=list(result), unit_path__startswith=unit_path)
        .values_list("item_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for item_id, status, n in rows:
        result[item_id].counts[status] = n
    return list(result.values())


BEHIND_PAGE_SIZE = 50


def assignments_in(
    *, items: list[PlanItem], unit_path: str, status: str = "", item_id: int | None = None, name: str = ""
) -> QuerySet[Assignment]:
    """Assignments of the items in a unit subtree, filterable by status, item and officer name."""
    rows = Assignment.objects.filter(item_id__in=[i.pk for i in items], unit_path__startswith=unit_path)
    if status == "behind":
        rows = rows.filter(status__in=[OVERDUE, NOT_STARTED, IN_PROGRESS])
    elif status:
        rows = rows.filter(status=status)
    if item_id:
        rows = rows.filter(item_id=item_id)
    if name:
        rows = rows.filter(officer__name__contains=name)
    return rows.select_related("officer__unit", "item").order_by("item__deadline", "unit_path", "officer__name", "id")


def assignment_get_for_manager(*, assignment_id: int, user: User) -> Assignment:
    assignment = get_object_or_404(
        Assignment.objects.select_related("officer__unit", "item__plan__unit"), pk=assignment_id
    )
    if not access.can_manage_officer(user, assignment.officer):
        raise Http404
    return assignment


# --- the officer's own plan --------------------------------------------------------------------------------------


@dataclass
class MyItem:
    item: PlanItem
    status: str
    progress: Decimal
    due: str
    why: str
    revised: bool = False  # cites an article amended or repealed since (本内容涉及的法条已修订)

    @property
    def status_label(self) -> str:
        return LABELS[self.status]

    @property
    def open(self) -> bool:
        return self.status not in (DONE, EXEMPTED)


def my_plan(*, officer: Officer, today: date | None = None) -> list[MyItem]:
    """The officer's items this year, computed live (an officer created or moved today sees his items at once):
    open items first by deadline, then the finished ones."""
    today = today or timezone.localdate()
    officer = (
        Officer.objects.select_related("unit", "user")
        .prefetch_related("domains", "user__role_grants")
        .get(pk=officer.pk)
    )
    if officer.employment not in ("active", "seconded"):
        return []
    items = list(
        items_applying_to(officer.unit, today.year).prefetch_related(*("audience__" + p for p in AUDIENCE_PREFETCH))
    )
    items = [i for i in items if i.audience is None or audience_contains(i.audience, officer, today=today)]
    exempted = dict(
        Assignment.objects.filter(item__in=items, officer=officer, exempted=True).values_list(
            "item_id", "exempt_reason"
        )
    )
    result = []
    for item in items:
        fact = progress.facts_for(item=item, assignments=[officer.pk], year=item.plan.year, today=today).get(
            officer.pk, progress.NO_FACT
        )
        status = assignment_status(fact=fact, deadline=item.deadline, today=today, exempted=item.pk in exempted)
        why = (
            item.reason
            or f"{item.plan.unit.name}{item.plan.year}年度培训计划的{'必修' if item.required else '选修'}事项"
        )
        if item.pk in exempted:
            why = f"已免修：{exempted[item.pk]}"
        result.append(MyItem(item, status, fact.progress, due_phrase(deadline=item.deadline, today=today), why))
    revised = _revised_items(items)
    for m in result:
        m.revised = m.item.pk in revised
    return sorted(result, key=lambda m: (not m.open, not m.item.required, m.item.deadline, m.item.pk))


def unit_ancestors(unit: Unit) -> list[Unit]:
    ids = [int(x) for x in unit.path.strip("/").split("/") if x][:-1]
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


@dataclass(frozen=True)
class ChildProgress:
    unit: Unit
    total: int
    done: int
    overdue: int

    @property
    def share(self) -> float:
        return round(100 * self.done / self.total, 1) if self.total else 0.0


def child_progress(*, items: list[PlanItem], unit: Unit) -> list[ChildProgress]:
    """Completion per child unit (its subtree) and the unit's own officers: one grouped query."""
    children = list(Unit.objects.filter(parent=unit).order_by("path"))
    if not children:
        return []
    rows = (
        Assignment.objects.filter(item_id__in=[i.pk for i in items], unit_path__startswith=unit.path)
        .values_list("unit_path", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    figures = {c.pk: [0, 0, 0] for c in children}
    own = [0, 0, 0]
    by_path = {c.path: c.pk for c in children}
    depth = unit.path.count("/")
    for path, status, n in rows:
        parts = path.split("/")
        child_path = "/".join(parts[: depth + 1]) + "/"
        target = figures.get(by_path.get(child_path, -1), own)
        target[0] += n
        target[1] += n if status in (DONE, EXEMPTED) else 0
        target[2] += n if status == OVERDUE else 0
    result = [ChildProgress(c, *figures[c.pk]) for c in children]
    if own[0]:
        result.insert(0, ChildProgress(unit, *own))
    return result


def year_summary(*, unit: Unit, year: int) -> dict:
    """Figures of the year-end summary of a unit subtree (for exports.summary_pdf)."""
    from zhifa.plans.exports import SummaryRow
    from zhifa.plans.models import RotationBatch, RotationRule

    items = list(items_applying_to(unit, year))
    progress_rows = progress_by_item(items=items, unit_path=unit.path)
    rows = [
        SummaryRow(
            label=p.item.title,
            kind=p.item.get_kind_display(),
            deadline=p.item.deadline,
            total=p.total,
            done=p.counts.get(DONE, 0),
            exempted=p.counts.get(EXEMPTED, 0),
            overdue=p.counts.get(OVERDUE, 0),
            open=p.counts.get(NOT_STARTED, 0) + p.counts.get(IN_PROGRESS, 0),
        )
        for p in progress_rows
    ]
    officers = (
        Assignment.objects.filter(item__in=items, unit_path__startswith=unit.path)
        .values("officer_id")
        .distinct()
        .count()
    )
    units = [(c.unit.name, c.total, c.done) for c in child_progress(items=items, unit=unit)]
    rules = RotationRule.objects.filter(unit__path__startswith=unit.path) | RotationRule.objects.filter(
        pk__in=RotationRule.objects.filter(unit_id__in=[u.pk for u in unit_ancestors(unit)])
    )
    enrolled = RotationBatch.objects.filter(rule__in=rules, year=year).aggregate(n=Count("enrolments"))["n"] or 0
    finished = RotationRecord.objects.filter(completed_on__year=year, officer__unit__path__startswith=unit.path).count()
    plans = sorted({f"{i.plan.unit.name}：{i.plan.title}" for i in items})
    return {"plans": plans, "officers": officers, "rows": rows, "units": units, "rotation": (enrolled, finished)}


@dataclass
class HomeBlock:
    """我的培训计划 on the learner home: what is due next (and why) and the unread plan notices."""

    next: list[MyItem]
    open_count: int
    done_count: int
    notices: list


def home_block(*, officer: Officer, today: date | None = None) -> HomeBlock | None:
    """None when no plan applies to the officer this year."""
    from zhifa.notices.models import Notice

    items = my_plan(officer=officer, today=today)
    if not items:
        return None
    open_items = [m for m in items if m.open]
    notices = list(
        Notice.objects.filter(user_id=officer.user_id, key__startswith="plans:", read_at__isnull=True).order_by(
            "-created_at", "-id"
        )[:3]
    )
    return HomeBlock(open_items[:3], len(open_items), len(items) - len(open_items), notices)


def _revised_items(items: list[PlanItem]) -> set[int]:
    """Items whose course (or one of its lessons) or drill (its published version, which holds the citations) cites
    an article flagged for review, by the law library's revised_citations: three queries."""
    from django.contrib.contenttypes.models import ContentType

    from zhifa.cases.models import Scenario, ScenarioVersion
    from zhifa.courses.models import Course, Lesson
    from zhifa.laws import queries as law_queries

    courses = {i.course_id: i.pk for i in items if i.course_id}
    scenarios = {i.scenario_id: i.pk for i in items if i.scenario_id}
    if not courses and not scenarios:
        return set()
    lessons = dict(Lesson.objects.filter(chapter__course_id__in=list(courses)).values_list("pk", "chapter__course_id"))
    versions = dict(
        Scenario.objects.filter(pk__in=list(scenarios), current__isnull=False).values_list("current_id", "pk")
    )
    objects: list = [Course(pk=pk) for pk in courses] + [Lesson(pk=pk) for pk in lessons]
    objects += [ScenarioVersion(pk=pk) for pk in versions]
    types = {ct.pk: model for model, ct in ContentType.objects.get_for_models(Course, Lesson, ScenarioVersion).items()}
    revised: set[int] = set()
    for citation in law_queries.revised_citations(objects):
        model, object_id = types.get(citation.content_type_id), citation.object_id
        if model is Course:
            revised.add(courses[object_id])
        elif model is Lesson:
            revised.add(courses[lessons[object_id]])
        elif model is ScenarioVersion:
            revised.add(scenarios[versions[object_id]])
    return revised
