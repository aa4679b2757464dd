"""Plan assignment status on PostgreSQL: a plan over 100,000 officers in ≤ 2 s, one unit's page in ≤ 200 ms.

    .venv/bin/python benchmarks/bench_plans.py            # quick: 10k officers, 1M records (make bench)
    .venv/bin/python benchmarks/bench_plans.py --full     # target: 100k officers, 10M records
    ... --rebuild                                         # regenerate even if the data is there

The province is the compliance benchmark's (bench_records_compliance.prepare: 2,221 units, officers, statements,
hours ledger and its yearly rollup), in its own scratch database zhifa_bench_plans (or _quick). On it, a province
plan with four items for every officer: three hours targets (one already past its deadline) and a course whose
completion half of the officers have (its certificate). Timed through the real code: the status refresh of
the whole plan (steady: nothing changed; cold: every row rewritten), the province's progress page, and one
unit's progress page (which recomputes its unit's statuses live while it loads).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

COURSE_SQL = """
INSERT INTO courses_certificate (code, officer_id, course_id, issued_at, revoked_at, revoke_reason)
SELECT 'B' || o.id, o.id, %(course)s, timestamptz '2026-03-01 09:00+08', NULL, ''
FROM people_officer o WHERE o.id %% 2 = 0
ON CONFLICT DO NOTHING
"""


def setup_plan(today: date, *, republish: bool = False):
    """The province plan, published once (assignments created by the real sync); reused on later runs."""
    from decimal import Decimal

    from django.db import connection

    from zhifa.courses.models import Course
    from zhifa.people.models import Unit, User
    from zhifa.plans import services
    from zhifa.plans.models import Assignment, PlanItem, TrainingPlan
    from zhifa.plans.services import ItemIn

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    course, _ = Course.objects.get_or_create(code="bench-plans", defaults={"title": "基准课程"})
    with connection.cursor() as cursor:  # half of the officers completed the course (its certificate)
        cursor.execute(COURSE_SQL, {"course": course.pk})
    plan = TrainingPlan.objects.filter(unit_id=1, year=today.year, status="published").first()
    if plan is not None and republish:  # time a publish again: the old plan is withdrawn, its rows deleted
        services.plan_withdraw(by=admin, plan=plan, reason="基准重测")
        Assignment.objects.filter(item__plan=plan).delete()
        plan = None
    if plan is not None:
        return admin, plan, 0.0
    province = Unit.objects.get(pk=1)
    plan = services.plan_create(by=admin, unit=province, year=today.year, title="基准年度培训计划")
    year = today.year
    for data in (
        ItemIn(
            kind=PlanItem.Kind.HOURS_TARGET,
            title="法律知识30学时",
            category="legal",
            target=Decimal("30"),
            window_start=date(year, 1, 1),
            deadline=date(year, 12, 31),
        ),
        ItemIn(
            kind=PlanItem.Kind.HOURS_TARGET,
            title="业务技能上半年10学时",
            category="skill",
            target=Decimal("10"),
            window_start=date(year, 1, 1),
            deadline=date(year, 6, 30),
        ),
        ItemIn(
            kind=PlanItem.Kind.HOURS_TARGET,
            title="职业道德10学时",
            category="ethics",
            target=Decimal("10"),
            window_start=date(year, 1, 1),
            deadline=date(year, 12, 31),
        ),
        ItemIn(
            kind=PlanItem.Kind.COURSE,
            title="基准课程",
            course_id=course.pk,
            window_start=date(year, 1, 1),
            deadline=date(year, 12, 31),
        ),
    ):
        services.item_add(by=admin, plan=plan, data=data)
    from zhifa.plans.tasks import plan_publish_finish

    t0 = time.perf_counter()
    services.plan_publish(by=admin, plan=plan)  # a province: the assignments are the background task's
    if not Assignment.objects.filter(item__plan=plan).exists():
        plan_publish_finish.call(plan.pk)
    spent = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE plans_assignment")
    plan.refresh_from_db()
    return admin, plan, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="100,000 officers and 10,000,000 records")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--republish", action="store_true", help="withdraw the plan and time its publish again")
    args = parser.parse_args()
    officers, records = (100_000, 10_000_000) if args.full else (10_000, 1_000_000)
    db = "zhifa_bench_plans" if args.full else "zhifa_bench_plans_quick"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ZHIFA_DEBUG"] = "1"
    os.environ["ZHIFA_TASKS_IMMEDIATE"] = "0"
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import bench_records_compliance as province

    print(f"plans benchmark · {officers:,} officers · {records:,} statements · db {db}")
    print(f"machine: {os.cpu_count()} cores · load {os.getloadavg()[0]:.1f}", flush=True)
    spent = province.prepare(db, officers=officers, records=records, rebuild=args.rebuild)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # the data is kept; the schema follows the code
    print(f"data ready ({'reused' if not spent else f'{spent:.0f} s to generate'})", flush=True)
    run(runs=args.runs, republish=args.republish)


def run(*, runs: int, republish: bool = False) -> None:
    import bench_records_compliance as province
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from zhifa.plans import services
    from zhifa.plans.models import Assignment

    today = timezone.localdate()
    admin, plan, publish = setup_plan(today, republish=republish)
    assignments = Assignment.objects.filter(item__plan=plan).count()
    print(
        f"plan: {plan.items.count()} items, {assignments:,} assignments"
        + (f" · publish (sync + first status) {publish:.1f} s" if publish else ""),
        flush=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
        # A unit of median size for the unit page.
        cursor.execute(
            "SELECT o.unit_id, COUNT(*) FROM people_officer o GROUP BY o.unit_id ORDER BY COUNT(*) DESC LIMIT 1"
        )
        unit_id, unit_officers = cursor.fetchone()

    def cold():
        Assignment.objects.filter(item__plan=plan).update(status="exempted")  # every row must be written again
        t0 = time.perf_counter()
        changed = services.assignments_refresh(plan=plan, today=today)
        return time.perf_counter() - t0, changed

    client = Client()
    client.force_login(admin)

    def page(unit: int):
        def get():
            response = client.get(f"/plans/{plan.pk}/progress/", {"unit": unit})
            assert response.status_code == 200, response.status_code
            return len(response.content)

        return get

    cases = [
        ("status refresh: whole province, steady", 2.0, lambda: services.assignments_refresh(plan=plan, today=today)),
        ("progress page: province (stored statuses)", 2.0, page(1)),
        (f"progress page: one unit ({unit_officers} officers, live refresh)", 0.2, page(unit_id)),
    ]
    print(f"{'case':<58} {'median':>9} {'max':>9} {'cpu':>9}  target")
    for label, target, fn in cases:
        median, worst, cpu, _ = province.timed(fn, runs, pid)
        ok = "ok" if median <= target else "MISSED"
        figures = f"{median * 1000:8.0f}ms {worst * 1000:8.0f}ms {cpu * 1000:8.0f}ms"
        print(
            f"{label:<58} {figures}  ≤ {target * 1000:.0f} ms {ok}",
            flush=True,
        )
    wall, changed = cold()
    print(
        f"{'status refresh: whole province, cold (every row rewritten)':<58} {wall * 1000:8.0f}ms"
        f"   ({changed:,} rows written)  ≤ 2000 ms {'ok' if wall <= 2.0 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
