"""Class check-in burst: the officers of one class open the classroom QR link within one window, through the app server
(deploy/serve.py) on PostgreSQL (+ Redis for sessions and the rate-limit cache when it answers on its standard port).

What is measured: each officer's GET /classes/c/<session>/<token>/ — the whole page as his phone gets it: session
and user look-up, the per-user rate limit in the cache, the signed token and its time step, the enrolment check,
the attendance INSERT, the hours credit (ledger entry, monthly and yearly rollups, the xAPI statement) and the
rendered result page. Arrival times are spread at random over the window; the token each phone sends is the one the
screen shows at that moment (current step; the server also accepts the previous one). Afterwards the database must
hold exactly one attendance and one hours entry per officer.

Target (DESIGN.md §7, issue #14): 300 officers in one 30 s window, all succeed, p95 ≤ 300 ms. The verdict rests on
the window wave only; --full then sends another class of 300 all at once (no window at all) and prints it as a stress
figure beside it, outside the verdict (its exactly-once check is still printed).

    .venv/bin/python benchmarks/bench_checkin.py          # quick (make bench, make reliability): the target's wave
    .venv/bin/python benchmarks/bench_checkin.py --full   # the same, then another 300 all at once (stress)

The quick run is the target itself (300 in 30 s), not a squeezed copy: a 10 s window offered three times the target's
rate and failed `make reliability` on a busy machine while the target was met (docs/performance.md).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("ZHIFA_BENCH_PORT", "8261")  # classes: 8260–8269

from bench_exams_autosave import (  # noqa: E402 - the shared helpers live in the autosave benchmark
    PORT,
    bench_lock,
    deployed_shape,
    server_cpu,
    server_kill,
    server_start,
    setup_django,
)
from bench_exams_start import bulk_sessions  # noqa: E402

THREADS = 48  # phones in flight at most (a classroom scanning at once)


def make_class(count: int):
    """A class of 江北市市场监督管理局 with one session running now and `count` enrolled officers."""
    from django.utils import timezone

    from zhifa.classes.models import ClassSession, Enrolment, OfflineClass
    from zhifa.people.models import Officer, User
    from zhifa.people.testing import build_org

    org = build_org()
    today, now = timezone.localdate(), timezone.now()
    klass = OfflineClass.objects.create(
        title="签到压测班", organiser=org.market, starts_on=today, ends_on=today, capacity=count
    )
    session = ClassSession.objects.create(
        offline_class=klass, topic="行政处罚法", starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=3), venue="301",
    )  # fmt: skip
    stamp = time.time_ns() % 10**9
    users = User.objects.bulk_create(
        [User(username=f"c{stamp}_{n}", display_name=f"学员{n}", password="!") for n in range(count)]
    )
    officers = Officer.objects.bulk_create(
        [
            Officer(user=u, name=u.display_name, unit=org.east_market, certificate_number=f"C{stamp}{n:06d}")
            for n, u in enumerate(users)
        ]
    )
    Enrolment.objects.bulk_create([Enrolment(offline_class=klass, officer=o, status="enrolled") for o in officers])
    return session, officers


def run_wave(session, cookies: list[str], window: float) -> list[tuple[int, float, bool]]:
    """Each cookie's phone opens the link at a random moment of the window; (status, seconds, checked in)."""
    from zhifa.classes import checkin

    rng = random.Random(7)
    t0 = time.perf_counter() + 0.5
    schedule = sorted((t0 + rng.uniform(0, window), cookie) for cookie in cookies)
    results: list[tuple[int, float, bool]] = []
    lock, index = threading.Lock(), iter(range(len(schedule)))

    def phone() -> None:
        conn: http.client.HTTPConnection | None = None
        while True:
            with lock:
                n = next(index, None)
            if n is None:
                break
            at, cookie = schedule[n]
            time.sleep(max(0.0, at - time.perf_counter()))
            path = f"/classes/c/{session.pk}/{checkin.current_token(session)}/"  # what the screen shows now
            began = time.perf_counter()
            try:
                # One phone, one connection: a new TCP connection per officer, as real phones have.
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
                response = conn.getresponse()
                body = response.read().decode()
                status, ok = response.status, "签到成功" in body
            except (OSError, http.client.HTTPException):
                status, ok = 0, False
            finally:
                if conn is not None:
                    conn.close()
            with lock:
                results.append((status, time.perf_counter() - began, ok))

    threads = [threading.Thread(target=phone) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def report(label: str, count: int, window: float, results, cpu_ms: tuple[float, float]) -> bool:
    latencies = [r[1] for r in results]
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    ok = sum(1 for r in results if r[2])
    statuses: dict[int, int] = {}
    for r in results:
        statuses[r[0]] = statuses.get(r[0], 0) + 1
    print(
        f"{label:<22}{count:>8}{window:>9.0f}{ok:>10}{q[49] * 1000:>9.0f}{q[94] * 1000:>9.0f}{q[98] * 1000:>9.0f}"
        f"{max(latencies) * 1000:>9.0f}  {statuses}  CPU per check-in: app {cpu_ms[0]:.1f} ms"
        f" + PostgreSQL {cpu_ms[1]:.1f} ms"
    )
    return ok == count and q[94] <= 0.300


def main() -> bool:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="then another class of 300 all at once (stress)")
    args = parser.parse_args()
    count = 300
    # (label, window seconds, counts for the verdict): the target is the window; all at once is a stress figure.
    waves = [("window 30 s", 30.0, True)]
    if args.full:
        waves.append(("all at once (stress)", 0.0, False))
    with bench_lock(exclusive=False):
        label = setup_django("classes_checkin")
        classes = []
        for _ in waves:
            session, officers = make_class(count)
            classes.append((session, bulk_sessions(officers)))
        from django.db import connections

        connections.close_all()
        server = server_start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    lock = bench_lock(exclusive=True)
    met = True
    print(
        f"class check-in burst · {label} · {deployed_shape()} · "
        f"{THREADS} phones in flight at most · "
        f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"{'':<22}{'officers':>8}{'window s':>9}{'checked in':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    )
    try:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        for _ in range(6):  # warm the workers
            conn.request("GET", "/healthz")
            conn.getresponse().read()
        conn.close()
        lock.__enter__()
        from django.db import connections

        database = connections["default"].settings_dict["NAME"]
        for (name, window, target), (session, cookies) in zip(waves, classes, strict=True):
            before = server_cpu(server, database)
            results = run_wave(session, cookies, window)
            after = server_cpu(server, database)
            cpu = ((after[0] - before[0]) / count * 1000, (after[1] - before[1]) / count * 1000)
            wave_met = report(name, count, window, results, cpu)
            met &= wave_met or not target
    finally:
        lock.__exit__()
        server_kill(server)
    from zhifa.classes.models import Attendance
    from zhifa.records.models import HoursEntry

    for (name, _, target), (session, _) in zip(waves, classes, strict=True):
        stored = Attendance.objects.filter(session=session).count()
        hours = HoursEntry.objects.filter(dedupe_key__startswith=f"classes:session:{session.pk}:").count()
        print(
            f"{name}: session {session.pk}: {stored} attendances, {hours} hours entries stored (expected {count} each)"
        )
        if target:
            met &= stored == hours == count
    stress = "; the all-at-once wave is a stress figure, outside the verdict" if args.full else ""
    print(
        f"target {count} officers in one 30 s window all checked in, p95 ≤ 300 ms — verdict on the {waves[0][0]} wave"
        f" only: {'met' if met else 'NOT met'}{stress}"
    )
    return met


if __name__ == "__main__":
    sys.exit(0 if main() else 1)  # a missed target fails `make reliability`
