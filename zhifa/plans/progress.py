"""The facts behind assignment status, read in bulk from the ledgers the platform already keeps.

One item at a time, a few set-based queries over the item's assignees (never one query per officer): the learning
record (records.Statement: a course completed, an exam passed, a drill completed), lesson progress and drill runs
(started), the classes app's attendance, daily practice days and the yearly hours rollup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone

from zhifa.plans.models import Assignment, PlanItem
from zhifa.plans.status import Fact

NO_FACT = Fact()


def _officer_ids(assignments: QuerySet[Assignment] | Sequence[int]) -> Any:
    if isinstance(assignments, QuerySet):
        return assignments.values("officer_id")
    return list(assignments)


def _statement_facts(item: PlanItem, officers: Any, object_type: str, object_id: int, done_verb: str) -> dict:
    from zhifa.records.models import Statement

    rows = Statement.objects.filter(
        officer_id__in=officers, object_type=object_type, object_id=str(object_id), verb__in=[done_verb, "failed"]
    )
    facts: dict[int, Fact] = {}
    done = rows.filter(verb=done_verb).values("officer_id").annotate(first=Min("timestamp"))
    for row in done:
        facts[row["officer_id"]] = Fact(done_on=timezone.localdate(row["first"]), progress=Decimal("1"), started=True)
    for officer_id in rows.filter(verb="failed").values_list("officer_id", flat=True).distinct():
        facts.setdefault(officer_id, Fact(started=True))
    return facts


def _course_facts(item: PlanItem, officers: Any) -> dict[int, Fact]:
    from zhifa.courses.models import Certificate, LessonProgress

    # The course's certificate is issued in the same step as its "completed" statement, and is indexed by course.
    facts: dict[int, Fact] = {}
    issued = Certificate.objects.filter(officer_id__in=officers, course_id=item.course_id or 0, revoked_at__isnull=True)
    for officer_id, at in issued.values_list("officer_id", "issued_at"):
        facts[officer_id] = Fact(done_on=timezone.localdate(at), progress=Decimal("1"), started=True)
    started = LessonProgress.objects.filter(officer_id__in=officers, lesson__chapter__course_id=item.course_id or 0)
    for officer_id in started.values_list("officer_id", flat=True).distinct():
        facts.setdefault(officer_id, Fact(started=True))
    return facts


def _drill_facts(item: PlanItem, officers: Any) -> dict[int, Fact]:
    from zhifa.cases.models import DrillRun

    facts = _statement_facts(item, officers, "cases.scenario", item.scenario_id or 0, "completed")
    runs = DrillRun.objects.filter(
        officer_id__in=officers, version__scenario_id=item.scenario_id or 0, is_preview=False
    )
    for officer_id in runs.values_list("officer_id", flat=True).distinct():
        facts.setdefault(officer_id, Fact(started=True))
    return facts


def _class_facts(item: PlanItem, officers: Any, today: date) -> dict[int, Fact]:
    from zhifa.classes.models import Enrolment
    from zhifa.classes.queries import class_completion

    class_id = item.offline_class_id or 0
    enrolled = list(
        Enrolment.objects.filter(offline_class_id=class_id, officer_id__in=officers)
        .exclude(status__in=["rejected", "withdrawn"])
        .values_list("officer_id", flat=True)
    )
    complete = class_completion(class_ids=[class_id], officer_ids=enrolled) if enrolled else {}
    facts: dict[int, Fact] = {}
    for officer_id in enrolled:
        if complete.get((class_id, officer_id)):
            facts[officer_id] = Fact(done_on=today, progress=Decimal("1"), started=True)
        else:
            facts[officer_id] = Fact(started=True)
    return facts


def _practice_facts(item: PlanItem, officers: Any, today: date) -> dict[int, Fact]:
    from zhifa.practice.models import DailyActivity

    target = item.target or Decimal("1")
    rows = (
        DailyActivity.objects.filter(
            officer_id__in=officers, day__gte=item.window_start, day__lte=min(item.deadline, today), reviews__gt=0
        )
        .values("officer_id")
        .annotate(days=Count("id"), last=Max("day"))
    )
    facts: dict[int, Fact] = {}
    for row in rows:
        days = Decimal(row["days"])
        facts[row["officer_id"]] = Fact(done_on=row["last"] if days >= target else None, progress=days, started=True)
    return facts


def _hours_facts(item: PlanItem, officers: Any, year: int, today: date) -> dict[int, Fact]:
    from zhifa.records.models import HoursYearly

    target = item.target or Decimal("1")
    facts: dict[int, Fact] = {}
    rows = HoursYearly.objects.filter(officer_id__in=officers, year=year).values_list("officer_id", item.category)
    for officer_id, hours in rows:
        hours = Decimal(hours or 0)
        if hours > 0:
            # The ledger keeps totals, not the day the target was crossed: the day of the refresh stands for it.
            facts[officer_id] = Fact(done_on=min(today, item.deadline) if hours >= target else None, progress=hours)
    return facts


def facts_for(
    *, item: PlanItem, assignments: QuerySet[Assignment] | Sequence[int], year: int, today: date
) -> dict[int, Fact]:
    """What the ledgers hold for the item's officers (assignment rows or officer ids), by officer id."""
    officers = _officer_ids(assignments)
    kind = item.kind
    if kind == PlanItem.Kind.COURSE:
        return _course_facts(item, officers)
    if kind == PlanItem.Kind.EXAM:
        return _statement_facts(item, officers, "exam", item.exam_id or 0, "passed")
    if kind == PlanItem.Kind.DRILL:
        return _drill_facts(item, officers)
    if kind == PlanItem.Kind.OFFLINE_CLASS:
        return _class_facts(item, officers, today)
    if kind == PlanItem.Kind.PRACTICE_TARGET:
        return _practice_facts(item, officers, today)
    return _hours_facts(item, officers, year, today)


def write_statuses(updates: Iterable[Assignment]) -> None:
    """Write computed status, progress and completion day: one UPDATE … FROM unnest per 5,000 rows on PostgreSQL,
    bulk_update elsewhere."""
    updates = list(updates)
    if not updates:
        return
    if connection.vendor != "postgresql":
        Assignment.objects.bulk_update(updates, ["status", "progress", "done_on", "refreshed_at"], batch_size=500)
        return
    table = Assignment._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(updates), 5000):
            chunk = updates[start : start + 5000]
            cursor.execute(
                f"""UPDATE {table} AS a SET status = v.status, progress = v.progress, done_on = v.done_on,
                       refreshed_at = v.refreshed_at
                    FROM unnest(%s::bigint[], %s::varchar[], %s::numeric[], %s::date[], %s::timestamptz[])
                         AS v(id, status, progress, done_on, refreshed_at)
                    WHERE a.id = v.id""",
                [
                    [a.pk for a in chunk],
                    [a.status for a in chunk],
                    [a.progress for a in chunk],
                    [a.done_on for a in chunk],
                    [a.refreshed_at for a in chunk],
                ],
            )
