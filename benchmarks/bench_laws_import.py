"""Benchmark: importing real law texts (time, articles, database size) on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_laws_import.py            # quick: the 69 texts of ../shared/data/laws
    .venv/bin/python benchmarks/bench_laws_import.py --full     # the whole corpus (3,475 documents)
    options: --backends sqlite,postgres  --no-index (without the search indexing hook)

Each backend runs in a child process on a fresh database (SQLite file in /tmp, PostgreSQL scratch database
`zhifa_bench_laws` at 127.0.0.1:5432, trust auth), so the figures sit side by side under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A tag (ZHIFA_BENCH_TAG) lets two runs go side by side on separate databases.
TAG = os.environ.get("ZHIFA_BENCH_TAG", "")
SQLITE_PATH = Path(f"/tmp/zhifa_bench_laws{TAG}.sqlite3")
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = f"zhifa_bench_laws{TAG}"


def _child(source: str, no_index: bool) -> None:
    """Run inside the child: migrate, import everything, print one JSON line with the figures."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from zhifa.laws import services
    from zhifa.laws.importing import SKIPPED, import_source, sources_from_paths
    from zhifa.laws.models import Provision

    call_command("migrate", verbosity=0)
    if no_index:
        services.POST_IMPORT_HOOKS.clear()
    started = time.perf_counter()
    counts: dict[str, int] = {}
    reasons: dict[str, int] = {}
    for item in sources_from_paths([source]):
        row = import_source(item)
        counts[row["status"]] = counts.get(row["status"], 0) + 1
        if row["status"] == SKIPPED:
            reason = row["reason"].split("：", 1)[-1][:24]
            reasons[reason] = reasons.get(reason, 0) + 1
    elapsed = time.perf_counter() - started
    articles = Provision.objects.filter(kind="article").count()
    provisions = Provision.objects.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    else:
        connection.close()
        size = sum(p.stat().st_size for p in SQLITE_PATH.parent.glob(SQLITE_PATH.name + "*"))
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "counts": counts,
                "articles": articles,
                "provisions": provisions,
                "bytes": size,
                "skip_reasons": reasons,
            },
            ensure_ascii=False,
        )
    )


def _prepare(backend: str) -> str:
    if backend == "sqlite":
        for path in SQLITE_PATH.parent.glob(SQLITE_PATH.name + "*"):
            path.unlink()
        return f"sqlite:///{SQLITE_PATH}"
    for sql in (f"DROP DATABASE IF EXISTS {PG_NAME}", f"CREATE DATABASE {PG_NAME}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    return f"{PG_SERVER}/{PG_NAME}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="import the whole corpus tar.gz")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--no-index", action="store_true", help="skip the search indexing hook")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.no_index)
        return
    data = Path(os.environ.get("ZHIFA_SHARED_DATA", ROOT.parent / "shared" / "data"))
    source = data / ("laws-corpus.tar.gz" if args.full else "laws")
    if not source.exists():
        print(f"跳过：共享数据 {source} 不存在")
        return
    print(f"source: {source}  (search indexing {'off' if args.no_index else 'on'})")
    print(
        f"{'backend':<10} {'files':>6} {'imported':>8} {'skipped':>7} {'articles':>8} {'provisions':>10} "
        f"{'seconds':>8} {'art/s':>7} {'DB MB':>7}"
    )
    for backend in args.backends.split(","):
        env = {**os.environ, "DATABASE_URL": _prepare(backend), "ZHIFA_DEBUG": "0", "ZHIFA_SECRET_KEY": "bench" * 10}
        command = [sys.executable, __file__, "--child", str(source)] + (["--no-index"] if args.no_index else [])
        done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            print(f"{backend}: failed\n{done.stderr[-2000:]}")
            continue
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        counts = figures["counts"]
        imported = counts.get("created", 0) + counts.get("updated", 0) + counts.get("unchanged", 0)
        print(
            f"{backend:<10} {sum(counts.values()):>6} {imported:>8} {counts.get('skipped', 0):>7} "
            f"{figures['articles']:>8} {figures['provisions']:>10} {figures['seconds']:>8.1f} "
            f"{figures['articles'] / figures['seconds']:>7.0f} {figures['bytes'] / 1e6:>7.1f}"
        )
        if figures["skip_reasons"]:
            print("           skipped:", figures["skip_reasons"])


if __name__ == "__main__":
    main()
