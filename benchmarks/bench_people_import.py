"""Officer import: 10,000 rows from one spreadsheet, dry run then import, on a scratch SQLite database.

    .venv/bin/python benchmarks/bench_people_import.py            # 10,000 rows (target: import < 30 s)
    .venv/bin/python benchmarks/bench_people_import.py --rows 2000
    .venv/bin/python benchmarks/bench_people_import.py --full     # 50,000 rows as well (the row cap)

Prints one line per step: seconds and rows per second. The sheet is generated into a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 30.0


def _setup(tmp: Path) -> None:
    os.environ["ZHIFA_SQLITE_PATH"] = str(tmp / "bench.sqlite3")
    os.environ.setdefault("ZHIFA_SECRET_KEY", "benchmark-only-secret-key")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _sheet(rows: int, unit_codes: list[str]) -> bytes:
    from zhifa.people import idcard
    from zhifa.people.officer_sheet import COLUMNS, template_workbook

    data = []
    for n in range(rows):
        born = date(1965, 1, 1) + timedelta(days=n % 15000)
        row = {
            "姓名": f"人员{n}", "单位代码": unit_codes[n % len(unit_codes)], "职务": "科员",
            "执法领域": "市场监管、食品安全",
            "执法证号": f"B{n:09d}", "发证日期": "2024-01-01", "有效期至": "2029-01-01", "证件状态": "有效",
            "身份证号": idcard.build(f"{110101 + n // 15000 % 50:06d}", born, n % 1000), "手机号": f"13{n:09d}",
            "在职状态": "在职",
        }  # fmt: skip
        data.append([row.get(c) for c in COLUMNS])
    return template_workbook(data)


def _org(prefix: str) -> list[str]:
    from zhifa.people import services
    from zhifa.people.models import Domain, Unit

    for code, name in (("market", "市场监管"), ("food", "食品安全")):
        Domain.objects.get_or_create(code=code, defaults={"name": name})
    province = services.unit_create(name=f"{prefix}省", code=f"{prefix}P", level=Unit.Level.PROVINCE, province="江北省")
    codes = []
    for i in range(20):
        unit = services.unit_create(
            name=f"{prefix}单位{i}", code=f"{prefix}U{i}", level=Unit.Level.UNIT, parent=province
        )
        codes.append(unit.code)
    return codes


def run(rows: int, prefix: str) -> list[tuple[str, int, float]]:
    from zhifa.people import importing
    from zhifa.people.models import Officer

    codes = _org(prefix)
    content, build = _timed(lambda: _sheet(rows, codes))
    dry, dry_time = _timed(lambda: importing.officer_import(content=content, by=None, dry_run=True))
    assert dry.ok, dry.errors[:5]
    report, import_time = _timed(lambda: importing.officer_import(content=content, by=None, dry_run=False))
    assert report.ok and report.created == rows, report.errors[:5]
    assert Officer.objects.filter(unit__code__startswith=f"{prefix}U").count() == rows
    both = (dry_time[0] + import_time[0], dry_time[1] + import_time[1])
    return [
        (f"build sheet ({len(content) // 1024} KB)", rows, *build),
        ("dry run (read + check)", rows, *dry_time),
        ("import (read + check + write)", rows, *import_time),
        ("dry run + import", rows, *both),
    ]


def _timed(step):
    """The step's result and (wall seconds, CPU seconds of this process): on a shared, loaded machine the CPU
    figure is what an idle box would show as wall time (the import is single-threaded)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, (time.perf_counter() - wall, time.process_time() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--full", action="store_true", help="also import 50,000 rows")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp))
        results = run(args.rows, "A")
        if args.full:
            results += run(50_000, "B")
    print(f"{'step':<34}{'rows':>8}{'wall s':>9}{'CPU s':>9}{'rows/s (wall)':>15}")
    for name, rows, wall, cpu in results:
        print(f"{name:<34}{rows:>8}{wall:>9.2f}{cpu:>9.2f}{rows / wall:>15.0f}")
    wall = next(w for name, r, w, _ in results if name == "import (read + check + write)" and r == args.rows)
    verdict = "OK" if wall < TARGET_SECONDS * args.rows / 10_000 else "SLOWER THAN TARGET (check the machine's load)"
    print(f"10,000 officers imported in < {TARGET_SECONDS:.0f} s (wall) → {verdict}; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
