"""Per-unit hours compliance on PostgreSQL: 100,000 officers and 10,000,000 learning records in ≤ 1 s.

    .venv/bin/python benchmarks/bench_records_compliance.py            # quick: 10k officers, 1M records
    .venv/bin/python benchmarks/bench_records_compliance.py --full     # target: 100k officers, 10M records
    ... --rebuild                                                      # regenerate even if the data is there

Data is generated in SQL (generate_series) into the scratch database zhifa_bench_records (or _quick): a province
of 20 cities × 10 counties × 10 units (2,221 units), officers spread over the units, `records` xAPI statements
and a quarter as many hours entries (the ledger) over 2025–2026, and the monthly rollup built from the ledger the
way hours_credit keeps it, with its yearly level (one row per officer and year). The report is timed through the
real code path (records.queries.compliance_report); side by side, the same classification summed from the monthly
rollup and straight from the ledger.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1"]

UNITS_SQL = """
INSERT INTO people_unit (id, created_at, updated_at, name, code, parent_id, level, kind, path, province)
SELECT 1, now(), now(), '江北省', 'B0', NULL, 'province', 'government', '/1/', '江北省';
INSERT INTO people_unit (id, created_at, updated_at, name, code, parent_id, level, kind, path, province)
SELECT 2 + c, now(), now(), '市' || c, 'BC' || c, 1, 'city', 'government', '/1/' || (2 + c) || '/', '江北省'
FROM generate_series(0, 19) c;
INSERT INTO people_unit (id, created_at, updated_at, name, code, parent_id, level, kind, path, province)
SELECT 22 + k, now(), now(), '县' || k, 'BK' || k, 2 + k / 10, 'county', 'government',
       '/1/' || (2 + k / 10) || '/' || (22 + k) || '/', '江北省'
FROM generate_series(0, 199) k;
INSERT INTO people_unit (id, created_at, updated_at, name, code, parent_id, level, kind, path, province)
SELECT 222 + u, now(), now(), '执法单位' || u, 'BU' || u, 22 + u / 10, 'unit', 'market',
       '/1/' || (2 + u / 100) || '/' || (22 + u / 10) || '/' || (222 + u) || '/', '江北省'
FROM generate_series(0, 1999) u;
SELECT setval(pg_get_serial_sequence('people_unit', 'id'), 3000);
"""

PEOPLE_SQL = """
INSERT INTO people_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                         date_joined, display_name)
SELECT i, '!', false, 'b' || i, '', '', '', false, true, now(), '人员' || i FROM generate_series(1, %(officers)s) i;
INSERT INTO people_officer (id, created_at, updated_at, user_id, name, unit_id, position, certificate_status,
                            employment, id_card_encrypted, id_card_index, id_card_masked, phone_encrypted,
                            phone_masked)
SELECT i, now(), now(), i, '人员' || i, 222 + (i * 7919) %% 2000, '科员', 'valid',
       CASE WHEN i %% 50 = 0 THEN 'retired' ELSE 'active' END, '', '', '', '', ''
FROM generate_series(1, %(officers)s) i;
SELECT setval(pg_get_serial_sequence('people_user', 'id'), %(officers)s + 10);
SELECT setval(pg_get_serial_sequence('people_officer', 'id'), %(officers)s + 10);
"""

# Officers are picked with a skew (random()^1.6) so some are far ahead and some behind, as in real life.
LEDGER_SQL = """
SELECT setseed(0.42);
INSERT INTO records_hoursentry (officer_id, year, occurred_on, category, hours, source, evidence, evidence_file,
                                is_manual, status, created_at, review_reason, dedupe_key, approved_at)
SELECT o, EXTRACT(YEAR FROM d)::int, d,
       (ARRAY['legal','legal','legal','legal','legal','skill','skill','skill','ethics','ethics'])[1 + j %% 10],
       (2 + (j * 13) %% 12) * 0.5, '课程学习', '', '', false,
       CASE WHEN j %% 50 = 0 THEN 'pending' ELSE 'approved' END, d, '', 'bench:h:' || j, d
FROM (
  SELECT j, 1 + floor(%(officers)s * power(random(), 1.6))::int AS o,
         (date '2025-01-01' + floor(random() * (%(today)s::date - date '2025-01-01'))::int) AS d
  FROM generate_series(1, %(entries)s) j
) g;
"""

STATEMENTS_SQL = """
SELECT setseed(0.17);
INSERT INTO records_statement (uuid, officer_id, verb, object_type, object_id, object_name, result, context,
                               timestamp, stored, dedupe_key)
SELECT gen_random_uuid(), 1 + floor(%(officers)s * power(random(), 1.6))::int,
       (ARRAY['experienced','answered','answered','completed','passed','failed','attended'])[1 + j %% 7],
       (ARRAY['lesson','question','question','lesson','exam','exam','offline_session'])[1 + j %% 7],
       (j %% 5000)::text, '学习内容' || (j %% 5000),
       CASE WHEN j %% 7 IN (4, 5) THEN jsonb_build_object('score', jsonb_build_object('raw', j %% 100, 'max', 100))
            ELSE NULL END,
       NULL, t, t + interval '1 second', 'bench:s:' || j
FROM (SELECT j, timestamptz '2025-01-01 08:00+08' + random() * (%(today)s::timestamptz - timestamptz '2025-01-01')
             AS t FROM generate_series(1, %(records)s) j) g;
"""

ROLLUP_SQL = """
INSERT INTO records_hoursmonthly (officer_id, unit_path, year, month, category, hours)
SELECT e.officer_id, u.path, e.year, EXTRACT(MONTH FROM e.occurred_on)::int, e.category, SUM(e.hours)
FROM records_hoursentry e JOIN people_officer o ON o.id = e.officer_id JOIN people_unit u ON u.id = o.unit_id
WHERE e.status = 'approved'
GROUP BY e.officer_id, u.path, e.year, EXTRACT(MONTH FROM e.occurred_on), e.category;
"""

YEARLY_SQL = """
INSERT INTO records_hoursyearly (officer_id, unit_path, year, legal, skill, ethics)
SELECT officer_id, MIN(unit_path), year,
       SUM(CASE WHEN category = 'legal' THEN hours ELSE 0 END), SUM(CASE WHEN category = 'skill' THEN hours ELSE 0 END),
       SUM(CASE WHEN category = 'ethics' THEN hours ELSE 0 END)
FROM records_hoursmonthly GROUP BY officer_id, year;
"""

# The yearly rows the report reads, rebuilt from the monthly rollup on the fly (what the yearly level saves).
MONTHLY_SUMS = """sums AS (SELECT officer_id,
    SUM(CASE WHEN category = 'legal' THEN CAST(hours AS DOUBLE PRECISION) ELSE 0 END) AS legal,
    SUM(CASE WHEN category = 'skill' THEN CAST(hours AS DOUBLE PRECISION) ELSE 0 END) AS skill,
    SUM(CASE WHEN category = 'ethics' THEN CAST(hours AS DOUBLE PRECISION) ELSE 0 END) AS ethics
    FROM records_hoursmonthly WHERE year = %s AND (unit_path LIKE %s) GROUP BY officer_id)"""

# The same report without the rollup: sum the ledger itself (what the rollup saves).
NAIVE_SQL = """
WITH o AS (SELECT o.id, o.unit_id, u.path FROM people_officer o JOIN people_unit u ON u.id = o.unit_id
           WHERE u.path LIKE %(prefix)s AND o.employment IN ('active', 'seconded')),
s AS (SELECT e.officer_id,
             SUM(CASE WHEN category = 'legal' THEN hours ELSE 0 END) AS legal,
             SUM(CASE WHEN category = 'skill' THEN hours ELSE 0 END) AS skill,
             SUM(CASE WHEN category = 'ethics' THEN hours ELSE 0 END) AS ethics
      FROM records_hoursentry e WHERE e.year = %(year)s AND e.status = 'approved' GROUP BY e.officer_id)
SELECT split_part(o.path, '/', 3) AS bucket, COUNT(*),
       SUM(CASE WHEN COALESCE(s.legal, 0) >= 30 AND COALESCE(s.skill, 0) >= 20 AND COALESCE(s.ethics, 0) >= 10
                THEN 1 ELSE 0 END)
FROM o LEFT JOIN s ON s.officer_id = o.id GROUP BY 1
"""


def psql(db: str, sql: str, *, capture: bool = False) -> str:
    result = subprocess.run([*PG, "-d", db, "-tA", "-c", sql], check=True, capture_output=True, text=True)
    return result.stdout.strip()


def prepare(db: str, *, officers: int, records: int, rebuild: bool) -> float:
    """Create and fill the scratch database unless it already holds this size; returns seconds spent."""
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    exists = psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1"
    marker = f"{officers}:{records}"
    if exists and not rebuild:
        try:
            if psql(db, "SELECT value FROM bench_meta") == marker:
                from django.core.management import call_command

                call_command("migrate", "records", verbosity=0)  # data kept, records schema brought up to date
                if psql(db, "SELECT count(*) FROM records_hoursyearly") == "0":  # data made before the yearly level
                    psql(db, YEARLY_SQL)
                psql(db, "VACUUM ANALYZE")
                return 0.0
        except subprocess.CalledProcessError:
            pass
    started = time.perf_counter()
    psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    psql("postgres", f"CREATE DATABASE {db}")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    for table in ("people_unit", "people_user", "people_officer", "records_hoursentry", "records_statement"):
        _default_not_null_columns(table)
    params = {"officers": officers, "records": records, "entries": records // 4, "today": "'2026-11-27'"}
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # scratch data is consistent: skip FK triggers
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for label, table, sql in (
            ("units", "", UNITS_SQL),
            ("officers", "", PEOPLE_SQL),
            ("ledger", "records_hoursentry", LEDGER_SQL),
            ("statements", "records_statement", STATEMENTS_SQL),
            ("rollup", "records_hoursmonthly", ROLLUP_SQL),
            ("yearly", "records_hoursyearly", YEARLY_SQL),
        ):
            t0 = time.perf_counter()
            rebuild = _drop_indexes(cursor, table) if table else []
            cursor.execute(sql % params)
            for statement in rebuild:  # building an index once is much cheaper than growing it row by row
                cursor.execute(statement)
            print(f"  generated {label:<10} in {time.perf_counter() - t0:6.1f} s", flush=True)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("CREATE TABLE bench_meta (value text)")
        cursor.execute("INSERT INTO bench_meta VALUES (%s)", [marker])
    connection.close()
    psql(db, "VACUUM ANALYZE")
    return time.perf_counter() - started


_TYPE_DEFAULTS = {
    "boolean": "false",
    "character varying": "''",
    "text": "''",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
    "jsonb": "'{}'",
    "timestamp with time zone": "now()",
    "date": "now()",
}


def _default_not_null_columns(table: str) -> None:
    """Scratch database only: give NOT NULL columns a default so the generators survive new columns of others."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
            "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
            [table],
        )
        for column, data_type in cursor.fetchall():
            if data_type in _TYPE_DEFAULTS:
                cursor.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET DEFAULT {_TYPE_DEFAULTS[data_type]}')


def _drop_indexes(cursor, table: str) -> list[str]:
    """Drop a table's secondary indexes and unique/foreign constraints; return the statements that restore them."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
        [table],
    )
    constraints = cursor.fetchall()
    names = {name for name, _ in constraints}
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE '%%pkey'", [table]
    )
    indexes = [(name, definition) for name, definition in cursor.fetchall() if name not in names]
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return [d for _, d in indexes] + [f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {d}' for n, d in constraints]


def _backend_cpu(pid: int) -> float:
    """CPU seconds used so far by one PostgreSQL backend (Linux /proc; 0 when unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(fn, runs: int, backend_pid: int) -> tuple[float, float, float, object]:
    """Median and worst wall time, and median CPU time (this process + the database backend) of `fn`.

    CPU time barely depends on how busy the shared machine is, so it estimates the wall time on an idle box.
    """
    fn()  # warm the cache and the connection
    samples, cpu, result = [], [], None
    for _ in range(runs):
        c0, b0, t0 = time.process_time(), _backend_cpu(backend_pid), time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0 + _backend_cpu(backend_pid) - b0)
    return statistics.median(samples), max(samples), statistics.median(cpu), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="100,000 officers and 10,000,000 records")
    parser.add_argument("--quick", action="store_true", help="10,000 officers and 1,000,000 records (default)")
    parser.add_argument("--rebuild", action="store_true", help="regenerate the data")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    officers, records = (100_000, 10_000_000) if args.full else (10_000, 1_000_000)
    db = "zhifa_bench_records" if args.full else "zhifa_bench_records_quick"

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ZHIFA_DEBUG"] = "1"
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db}"
    import django

    django.setup()
    print(
        f"records compliance benchmark · {officers:,} officers · {records:,} statements · "
        f"{records // 4:,} hours entries · db {db}"
    )
    print(f"machine: {platform.node()} · {os.cpu_count()} cores · load {os.getloadavg()[0]:.1f}", flush=True)
    print("median/max: wall time on this shared machine; cpu: CPU seconds of this process and its database backend,")
    print("which estimates the wall time on an idle machine (no parallel query in this session).", flush=True)
    spent = prepare(db, officers=officers, records=records, rebuild=args.rebuild)
    print(f"data ready ({'reused' if not spent else f'{spent:.0f} s to generate'})", flush=True)
    run(officers=officers, runs=args.runs)


def run(*, officers: int, runs: int) -> None:
    from django.db import connection

    from zhifa.people.models import Unit, User
    from zhifa.records import queries

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})
    today, year = date(2026, 11, 27), 2026
    province = Unit.objects.get(pk=1)
    city = Unit.objects.get(pk=2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM records_hoursmonthly WHERE year = %s AND unit_path LIKE '/1/%%'", [year])
        rollup_rows = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM records_hoursyearly WHERE year = %s AND unit_path LIKE '/1/%%'", [year])
        yearly_rows = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM records_statement")
        statements = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM records_hoursentry")
        entries = cursor.fetchone()[0]

    def monthly():
        from decimal import Decimal

        from zhifa.records import compliance

        scope, buckets, prefixes = queries._report_scope(admin, province.pk)
        units = queries._unit_requirements(scope, buckets, year)
        head, params = compliance._with(units, year=year, share=Decimal("0.9"), prefixes=prefixes)
        sums, _ = compliance._sums_cte(year, prefixes)
        sql = head.replace(sums, MONTHLY_SUMS) + " SELECT bucket, COUNT(*), SUM(status) FROM st GROUP BY bucket"
        return compliance._execute(sql, params)

    def naive():
        with connection.cursor() as cursor:
            cursor.execute(NAIVE_SQL, {"prefix": "/1/%", "year": year})
            return cursor.fetchall()

    cases = [
        (
            "report: province (all officers)",
            1.0,
            lambda: queries.compliance_report(user=admin, unit_id=province.pk, year=year, today=today),
        ),
        (
            "report: one city subtree",
            1.0,
            lambda: queries.compliance_report(user=admin, unit_id=city.pk, year=year, today=today),
        ),
        (
            "drill-down: province, behind, page 1",
            1.0,
            lambda: queries.compliance_officers(
                user=admin, unit_id=province.pk, year=year, today=today, status="behind"
            ),
        ),
        ("same, summing the monthly rollup", None, monthly),
        ("same, summing the ledger (no rollup)", None, naive),
    ]
    print(
        f"rows: {statements:,} statements, {entries:,} hours entries; for {year}: {yearly_rows:,} yearly rollup rows "
        f"(read by the report), {rollup_rows:,} monthly rollup rows"
    )
    with connection.cursor() as cursor:
        # One process per query, so the backend's CPU clock measures all of it (no parallel workers).
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    print(f"{'what':<42} {'target':>8} {'median':>9} {'max':>9} {'cpu':>9}")
    figures = {}
    for label, target, fn in cases:
        median, worst, cpu, result = timed(fn, runs, backend_pid)
        figures[label] = (median, result)
        print(
            f"{label:<42} {f'≤ {target:.1f} s' if target else '—':>8} {median * 1000:7.0f} ms {worst * 1000:7.0f} ms"
            f" {cpu * 1000:7.0f} ms",
            flush=True,
        )
    report = figures["report: province (all officers)"][1]
    total = report.total
    print(
        f"province: {total.officers:,} officers counted · done {total.share_done}% · on track "
        f"{total.share_on_track}% · behind {total.share_behind}%"
    )
    base = figures["report: province (all officers)"][0]
    print(
        f"side by side: yearly rollup 1× · monthly rollup {figures['same, summing the monthly rollup'][0] / base:.1f}× "
        f"· ledger {figures['same, summing the ledger (no rollup)'][0] / base:.1f}× (the machine is shared)"
    )
    assert total.officers == officers - officers // 50, "every working officer is counted once"


if __name__ == "__main__":
    main()
