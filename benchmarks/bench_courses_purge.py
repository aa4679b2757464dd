"""Heartbeat purge: how long `purge_heartbeats` takes on a large heartbeat table, and that progress is untouched.

What is measured: `courses.services.heartbeats_purge` (what the nightly `manage.py purge_heartbeats` runs) on a
table of N heartbeats spread evenly over the last 400 days across N/300 watch sessions (one beat in ten refused),
so 55 % are older than the 180-day retention: the counts added to their sessions and the rows deleted, in windows of
50,000 primary keys, one transaction each. Reported: wall time, rows purged per second, the per-window time
(what a concurrent heartbeat could wait behind), and a check that every session's counts add up and no progress
row changed. The table is filled with one INSERT … SELECT (not part of the figure).

    .venv/bin/python benchmarks/bench_courses_purge.py                    # quick: 1M rows, SQLite
    .venv/bin/python benchmarks/bench_courses_purge.py --pg --rows 10000000
    .venv/bin/python benchmarks/bench_courses_purge.py --pg --full        # 100M rows (hours; disk ~20 GB)
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import machine, scratch_database
from bench_exams_autosave import bench_lock

SPAN_DAYS = 400
BEATS_PER_SESSION = 300


def fill(rows: int) -> tuple[int, float]:
    """N heartbeats over the last 400 days (ids in time order) and their sessions; (sessions, seconds taken)."""
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from zhifa.courses.models import Chapter, Course, Heartbeat, Lesson, LessonProgress, VideoAsset, WatchSession
    from zhifa.people import services as people_services
    from zhifa.people.testing import make_officer

    began = time.perf_counter()
    unit = people_services.unit_create(
        name="基准测试单位", code="BENCHPURGE", level="unit", kind="market", parent=None, province=""
    )
    officer = make_officer(unit, username="benchpurge", certificate_number="BP0001")
    course = Course.objects.create(code="benchpurge", title="基准课程", status="published")
    chapter = Chapter.objects.create(course=course, title="第一章")
    asset = VideoAsset.objects.create(original_name="b.mp4", status="ready", duration=3600)
    lesson = Lesson.objects.create(
        chapter=chapter, title="长视频", kind="video", video=asset, credit_hours=Decimal("1"), hours_category="skill"
    )
    progress = LessonProgress.objects.create(
        officer=officer, lesson=lesson, watched=[[0, 3600]], unique_seconds=3600, furthest=3600
    )
    count = -(-rows // BEATS_PER_SESSION)
    start = timezone.now() - timedelta(days=SPAN_DAYS)
    WatchSession.objects.bulk_create(
        [
            WatchSession(officer=officer, lesson=lesson, progress=progress, started_at=start, media_seconds=3600)
            for _ in range(count)
        ],
        batch_size=5000,
    )
    first = WatchSession.objects.order_by("pk").values_list("pk", flat=True)[0]
    table, step = Heartbeat._meta.db_table, SPAN_DAYS * 86400 / rows
    columns = "session_id, received_at, seq, intervals, position, rate, accepted, reason"
    # Consecutive ids belong to one session (its beats arrive together), as in production.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s + g / {BEATS_PER_SESSION}, "
                f"%s + make_interval(secs => g * %s), g %% {BEATS_PER_SESSION}, '[[0, 12]]', 12, 1, g %% 10 <> 0, "
                f"CASE WHEN g %% 10 = 0 THEN 'too_fast' ELSE '' END FROM generate_series(0, %s - 1) g",
                [first, start, step, rows],
            )
        else:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) WITH RECURSIVE g(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM g "
                f"WHERE x < %s - 1) SELECT %s + x / {BEATS_PER_SESSION}, "
                f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s + x * %s, 'unixepoch'), x %% {BEATS_PER_SESSION}, "
                f"'[[0, 12]]', 12, 1, x %% 10 <> 0, CASE WHEN x %% 10 = 0 THEN 'too_fast' ELSE '' END FROM g",
                [rows, first, start.timestamp(), step],
            )
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {table}")
    return count, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL (default SQLite)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--full", action="store_true", help="100M rows")
    parser.add_argument("--batch-size", type=int, default=50_000)
    args = parser.parse_args()
    rows = 100_000_000 if args.full else args.rows
    with bench_lock(exclusive=False):
        label = scratch_database("courses_purge", postgres=args.pg)
        sessions, fill_seconds = fill(rows)
    from django.db import connection
    from django.db.models import Sum
    from django.utils import timezone

    from zhifa.courses import services
    from zhifa.courses.models import Heartbeat, LessonProgress, WatchSession

    before = timezone.now() - timedelta(days=180)
    expected = Heartbeat.objects.filter(received_at__lt=before).count()
    progress = list(LessonProgress.objects.values_list("pk", "watched", "unique_seconds", "completed_at"))
    print(f"{label} · {machine()}")
    print(f"{rows:,} heartbeats in {sessions:,} sessions filled in {fill_seconds:.0f} s; {expected:,} past 180 days")
    windows: list[float] = []
    original = services._heartbeats_window_purge

    def timed(**kwargs):
        began = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            windows.append(time.perf_counter() - began)

    services._heartbeats_window_purge = timed
    with bench_lock(exclusive=True):
        began = time.perf_counter()
        result = services.heartbeats_purge(before=before, batch_size=args.batch_size)
        seconds = time.perf_counter() - began
    left = Heartbeat.objects.count()
    counted = WatchSession.objects.aggregate(n=Sum("purged_accepted"))["n"] or 0
    refused = sum(sum(s.purged_refused.values()) for s in WatchSession.objects.exclude(purged_refused={}).iterator())
    ok = (
        result.beats == expected
        and counted + refused == expected
        and left == rows - expected
        and progress == list(LessonProgress.objects.values_list("pk", "watched", "unique_seconds", "completed_at"))
    )
    windows.sort()
    print(
        f"purged {result.beats:,} rows ({result.sessions:,} session updates) in {seconds:.1f} s = "
        f"{result.beats / seconds:,.0f} rows/s; {len(windows)} windows of {args.batch_size:,} ids, "
        f"median {windows[len(windows) // 2] * 1000:.0f} ms, max {windows[-1] * 1000:.0f} ms"
    )
    print(f"counts in sessions add up, {left:,} recent rows kept, progress unchanged: {'yes' if ok else 'NO'}")
    per_100m = seconds / max(result.beats, 1) * 55_000_000
    print(f"linear extrapolation to 100M rows (55M past retention): {per_100m / 60:.0f} min")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [Heartbeat._meta.db_table])
            print(f"heartbeat table after the purge (before VACUUM): {cursor.fetchone()[0]}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
