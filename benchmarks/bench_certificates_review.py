"""The annual review (年审) of a whole city: every officer evaluated from the ledgers, and the review page.

    .venv/bin/python benchmarks/bench_certificates_review.py               # SQLite, a city of 5,000 officers
    .venv/bin/python benchmarks/bench_certificates_review.py --pg          # the same on PostgreSQL
    ... --officers 20000

A city of 50 units; each officer has this year's yearly hours row, enforcement-act counts for two years, half of
them a rotation record, a few a spot-check finding. Timed through the real code path: queries.review_rows_of_unit
(all officers evaluated) and the review page (GET /certificates/review/, first page of 100) as a system
administrator.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from decimal import Decimal

from _setup import machine, percentile, scratch_database

parser = argparse.ArgumentParser()
parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
parser.add_argument("--officers", type=int, default=5000)
parser.add_argument("--runs", type=int, default=7)
args = parser.parse_args()

label = scratch_database("certificates", postgres=args.pg)

from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhifa.certificates import queries, services  # noqa: E402
from zhifa.certificates.models import EnforcementActCount, ReviewFinding  # noqa: E402
from zhifa.people import services as people_services  # noqa: E402
from zhifa.people.models import Officer, Role, RoleGrant, Unit, User  # noqa: E402
from zhifa.plans.models import RotationRecord  # noqa: E402
from zhifa.records.models import HoursYearly  # noqa: E402


def build(n: int) -> Unit:
    year = timezone.localdate().year
    services.rule_set_install_default()
    province = people_services.unit_create(
        name="江北省", code="P", level="province", kind="government", province="江北省"
    )
    city = people_services.unit_create(name="江北市", code="C", level="city", kind="government", parent=province)
    units = [
        people_services.unit_create(name=f"执法单位{i}", code=f"U{i}", level="unit", kind="market", parent=city)
        for i in range(50)
    ]
    User.objects.bulk_create([User(username=f"o{i}", password="!", display_name=f"人员{i}") for i in range(n)])
    users = list(User.objects.filter(username__startswith="o").order_by("pk"))
    Officer.objects.bulk_create(
        [
            Officer(
                user=u, name=f"人员{i}", unit=units[i % 50], certificate_number=f"B{i:08d}",
                certificate_status="valid", certificate_issued=date(2020, 1, 1), certificate_expires=date(2030, 1, 1),
            )
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )  # fmt: skip
    officers = list(Officer.objects.select_related("unit").order_by("pk"))
    HoursYearly.objects.bulk_create(
        [
            HoursYearly(
                officer=o, unit_path=o.unit.path, year=year, legal=Decimal(10 + i % 25),
                skill=Decimal(10 + i % 15), ethics=Decimal(5 + i % 8),
            )
            for i, o in enumerate(officers)
        ],
        batch_size=2000,
    )  # fmt: skip
    EnforcementActCount.objects.bulk_create(
        [
            EnforcementActCount(officer=o, year=y, count=(i * 7) % 11)
            for i, o in enumerate(officers)
            for y in (year - 1, year)
        ],
        batch_size=2000,
    )
    RotationRecord.objects.bulk_create(
        [RotationRecord(officer=o, completed_on=date(year - 1, 5, 1)) for o in officers[::2]], batch_size=2000
    )
    ReviewFinding.objects.bulk_create(
        [
            ReviewFinding(officer=o, year=year, passed=i % 3 > 0, summary="案卷评查", source_key=f"b:{o.pk}")
            for i, o in enumerate(officers[::50])
        ]
    )
    admin = User.objects.create_user(username="admin", password="x", is_superuser=True)
    RoleGrant.objects.create(user=admin, role=Role.SYSTEM_ADMIN)
    return city


CPU: list[float] = []


def timed(fn, runs: int) -> list[float]:
    """Wall milliseconds of each run; the process's CPU milliseconds go to CPU (shared machines: wall time lies)."""
    out = []
    CPU.clear()
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - start) * 1000)
        CPU.append((time.process_time() - cpu) * 1000)
    return out


city = build(args.officers)
today = timezone.localdate()
rows = queries.review_rows_of_unit(unit=city, year=today.year, today=today)
failed = sum(1 for r in rows if r.outcome == "failed")
evaluate = timed(lambda: queries.review_rows_of_unit(unit=city, year=today.year, today=today), args.runs)
evaluate_cpu = statistics.median(CPU)
client = Client()
client.force_login(User.objects.get(username="admin"))
url = f"/certificates/review/?unit={city.pk}"
assert client.get(url).status_code == 200
page = timed(lambda: client.get(url), args.runs)
page_cpu = statistics.median(CPU)
print(f"{label} · {machine()}")
print(f"city of {len(rows)} officers ({failed} failing): evaluate all median {statistics.median(evaluate):.0f} ms"
      f" (CPU {evaluate_cpu:.0f} ms), p95 {percentile(evaluate, 95):.0f} ms; review page median"
      f" {statistics.median(page):.0f} ms (CPU {page_cpu:.0f} ms), p95 {percentile(page, 95):.0f} ms")  # fmt: skip
