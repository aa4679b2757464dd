"""The unit dashboard on PostgreSQL for a 100,000-officer province: ≤ 1 s cold, ≤ 300 ms warm; a city ≤ 200 ms.

    .venv/bin/python benchmarks/bench_reports_dashboard.py            # quick: 10k officers, 1M records (make bench)
    .venv/bin/python benchmarks/bench_reports_dashboard.py --full     # target: 100k officers, 10M records
    ... --rebuild                                                     # regenerate even if the data is there

The province is the compliance benchmark's (bench_records_compliance.prepare: 2,221 units, officers, statements,
the hours ledger), in the scratch database zhifa_bench_reports (or _quick), plus synthetic results generated in SQL:
an exam sat by 90 % of the officers (graded, 80 % passed), drill runs (a fifth outside the discretion standard),
practice days and a mastery for 8 of 60 knowledge points per officer. The nightly `rollups_compute` then builds
the dashboard's rollups (its time is printed: it is the nightly job's cost). Timed through HTTP in-process
(Django's test client, the real view, template and queries) as the province's and a city's administrator:
cold = a new database connection and an empty Django cache, warm = the median of the following requests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

KNOWLEDGE_POINTS = 60

# Synthetic results. The exam and the drill scenario are not created: the rollups read grades and runs only (the
# scratch data is inserted with foreign-key triggers off, as the compliance benchmark does).
RESULTS_SQL = """
SELECT setseed(0.23);
INSERT INTO exams_attempt (exam_id, officer_id, paper_id, number, status, started_at, deadline, submitted_at,
                           auto_submitted, last_seq, device_token)
SELECT 1, o.id, 1, 1, 'submitted', t, t + interval '1 hour', t + interval '40 minutes', false, 0, 'bench'
FROM (SELECT id, timestamptz '2026-03-01 09:00+08' + random() * interval '200 days' AS t
      FROM people_officer WHERE id %% 10 <> 0) o;
INSERT INTO exams_grade (attempt_id, auto_score, manual_score, total, max_score, passed, status, graded_at)
SELECT a.id, s, 0, s, 100, s >= 60, 'final', a.submitted_at
FROM (SELECT id, submitted_at, (45 + floor(random() * 55))::numeric AS s FROM exams_attempt) a;
INSERT INTO cases_drillrun (created_at, updated_at, user_id, officer_id, version_id, is_preview, status, state,
                            score_total, decision_within, finished_at)
SELECT t, t, o.id, o.id, 1, false, CASE WHEN random() < 0.15 THEN 'failed' ELSE 'passed' END, '{}',
       60 + floor(random() * 40)::int, random() > 0.2, t
FROM (SELECT id, timestamptz '2026-02-01 09:00+08' + random() * interval '250 days' AS t
      FROM people_officer WHERE id %% 3 <> 0) o;
INSERT INTO practice_dailyactivity (officer_id, day, reviews, correct, new_cards, points)
SELECT o.id, date '2026-01-01' + d, 10 + (o.id + d) %% 20, 6 + (o.id + d) %% 12, 5, 10
FROM people_officer o, generate_series(0, 300, 15) d WHERE (o.id + d) %% 4 <> 0;
INSERT INTO practice_mastery (officer_id, knowledge_point_id, recall, cards, computed_at)
SELECT o.id, kp.id, power(random(), 0.6), 3 + (o.id %% 7), now()
FROM people_officer o
JOIN LATERAL (SELECT id FROM questions_knowledgepoint WHERE code LIKE 'bench-%%'
              ORDER BY (id * 7919 + o.id * 104729) %% 1009 LIMIT 8) kp ON true;
"""


def prepare_results(db: str) -> float:
    """Knowledge points, then exam, drill and practice results, once per scratch database; seconds spent."""
    import bench_records_compliance as province
    from django.db import connection

    from zhifa.questions.models import KnowledgePoint

    if province.psql(db, "SELECT count(*) FROM practice_mastery") != "0":
        return 0.0
    started = time.perf_counter()
    KnowledgePoint.objects.bulk_create(
        [KnowledgePoint(code=f"bench-{i}", name=f"知识点{i:02d}", path=f"/bench-{i}/") for i in range(KNOWLEDGE_POINTS)]
    )
    for table in ("exams_attempt", "exams_grade", "cases_drillrun", "practice_dailyactivity", "practice_mastery"):
        province._default_not_null_columns(table)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(RESULTS_SQL % {})
        cursor.execute("SET session_replication_role = DEFAULT")
    connection.close()
    province.psql(db, "VACUUM ANALYZE")
    return time.perf_counter() - started


def admin_of(unit_id: int, username: str):
    from zhifa.people.models import Role, RoleGrant, User

    user, _ = User.objects.get_or_create(username=username, defaults={"display_name": username})
    RoleGrant.objects.get_or_create(user=user, role=Role.UNIT_ADMIN, unit_id=unit_id)
    return user


def timed_page(user, url: str, runs: int) -> tuple[float, float, int]:
    """Cold (new connection, empty cache) and warm (median of `runs`) server time of one page, and its size.

    The process itself is warm (URLconf imported, templates compiled) by an earlier request for another unit, as a
    server that has been up for a while is: cold means that nothing of this page's data is cached."""
    from django.core.cache import cache
    from django.db import connections
    from django.test import Client

    client = Client()
    client.force_login(user)
    assert client.get("/reports/?unit=3").status_code in (200, 404)  # warms the process, not this page's data
    cache.clear()
    connections.close_all()
    t0 = time.perf_counter()
    response = client.get(url)
    cold = time.perf_counter() - t0
    assert response.status_code == 200, (url, response.status_code)
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url)
        warm.append(time.perf_counter() - t0)
    return cold, statistics.median(warm), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="100,000 officers and 10,000,000 records")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    officers, records = (100_000, 10_000_000) if args.full else (10_000, 1_000_000)
    db = "zhifa_bench_reports" if args.full else "zhifa_bench_reports_quick"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ZHIFA_DEBUG"] = "1"
    os.environ["ZHIFA_TASKS_IMMEDIATE"] = "0"
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: it would cost what production does not pay
    settings.ALLOWED_HOSTS = ["*"]
    import bench_records_compliance as province
    from bench_exams_autosave import bench_lock
    from django.core.management import call_command

    from zhifa.reports.models import OfficerRollup, UnitKnowledgeRollup
    from zhifa.reports.services import rollups_compute

    print(f"reports dashboard benchmark · {officers:,} officers · {records:,} statements · db {db}")
    with bench_lock(exclusive=False):
        spent = province.prepare(db, officers=officers, records=records, rebuild=args.rebuild)
        call_command("migrate", verbosity=0)
        spent += prepare_results(db)
        print(f"data ready ({'reused' if not spent else f'{spent:.0f} s to generate'})", flush=True)
    with bench_lock(exclusive=True):
        print(f"machine: {os.cpu_count()} cores · load {os.getloadavg()[0]:.1f}", flush=True)
        t0, c0 = time.perf_counter(), time.process_time()
        counted = rollups_compute(year=2026)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        cells = UnitKnowledgeRollup.objects.filter(year=2026).count()
        print(
            f"nightly rollups_compute: {counted:,} officers, {cells:,} unit × knowledge-point rows"
            f" in {wall:.1f} s (python cpu {cpu:.1f} s)",
            flush=True,
        )
        assert OfficerRollup.objects.filter(year=2026).count() == counted
        province_admin, city_admin = admin_of(1, "bench-province"), admin_of(2, "bench-city")
        cases = [
            ("dashboard: province (20 cities), province admin", province_admin, "/reports/", 1.0, 0.3),
            ("dashboard: a city (10 counties), province admin", province_admin, "/reports/?unit=2", 0.2, 0.2),
            ("dashboard: a city, its own admin", city_admin, "/reports/", 0.2, 0.2),
            ("drill-down: province, hours behind (page 1)", province_admin, "/reports/officers/?figure=hours_behind",
             1.0, 0.3),
        ]  # fmt: skip
        print(f"{'case':<52} {'cold':>9} {'warm':>9} {'size':>8}  target (cold / warm)")
        met = True
        for label, user, url, cold_target, warm_target in cases:
            cold, warm, size = timed_page(user, url, args.runs)
            ok = cold <= cold_target and warm <= warm_target
            met &= ok
            print(
                f"{label:<52} {cold * 1000:7.0f}ms {warm * 1000:7.0f}ms {size / 1024:6.0f}KB"
                f"  ≤ {cold_target * 1000:.0f} / {warm_target * 1000:.0f} ms {'ok' if ok else 'MISSED'}",
                flush=True,
            )
    print(f"target: province ≤ 1 s cold, ≤ 300 ms warm; a city ≤ 200 ms → {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
