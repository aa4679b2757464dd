"""Exam start burst: N examinees POST /api/v1/exams/exams/<id>/start at once, through the app server
(deploy/serve.py), PostgreSQL.

What is measured: the whole admission of each examinee — session and CSRF middleware, the audience check, the
prebuilt paper lookup (papers are built before the exam opens), the one INSERT of the attempt, the device token —
with 64 examinees in flight at any moment (two client processes × 32 threads on loopback keep-alive connections)
until all N are admitted. Admitted = 200 with an attempt id; the database must then hold exactly N attempts.

Target (DESIGN.md §7): 5,000 examinees admitted within 60 s, p95 ≤ 1 s.

Run it without an outer flock: it prepares under the shared /tmp/bench.lock and measures under the exclusive one.

    .venv/bin/python benchmarks/bench_exams_start.py          # quick: 1,000 examinees
    .venv/bin/python benchmarks/bench_exams_start.py --full   # 5,000 examinees
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import signal
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("ZHIFA_BENCH_PORT", "8133")

from bench_exams_autosave import (  # noqa: E402 - the shared helpers live in the autosave benchmark
    Examinee,
    bench_lock,
    deployed_shape,
    make_exam,
    make_examinees,
    server_cpu,
    server_kill,
    server_start,
    setup_django,
)

CONCURRENCY = 32  # threads per client process


def bulk_sessions(officers) -> list[str]:
    """One logged-in session per officer, inserted in bulk (the login itself is not what is measured)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    rows, keys = [], []
    for officer in officers:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(officer.user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[-1],
            HASH_SESSION_KEY: officer.user.get_session_auth_hash(),
            "last_seen": time.time() + 6 * 3600,
        }
        rows.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=timezone.now() + timedelta(hours=12))
        )
        keys.append(key)
    Session.objects.bulk_create(rows, batch_size=1000)
    return keys


def client_process(exam_id: int, cookies: list[str], t0: float, out) -> None:
    results, lock, index = [], threading.Lock(), iter(range(len(cookies)))

    def run() -> None:
        while True:
            with lock:
                n = next(index, None)
            if n is None:
                return
            examinee = Examinee({"token": "", "cookie": cookies[n], "attempt": 0, "questions": []}, n)
            began = time.perf_counter()
            for _ in range(3):  # like a browser: a timed-out start is sent again (it resumes the same attempt)
                try:
                    status, body = examinee.request("POST", f"/api/v1/exams/exams/{exam_id}/start", b"")
                    attempt = json.loads(body).get("attempt_id") if status == 200 else None
                except (OSError, http.client.HTTPException):
                    status, attempt = 0, None
                if status == 200:
                    break
            done = time.perf_counter()
            with lock:
                results.append((status, done - began, done - t0, attempt))

    threads = [threading.Thread(target=run) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(results)


def main() -> bool:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="5,000 examinees")
    args = parser.parse_args()
    count = 5000 if args.full else 1000
    with bench_lock(exclusive=False):  # preparation: scratch database, exam, officers, sessions, the server
        label = setup_django("exams_start")
        exam, org = make_exam(questions=50)
        officers = make_examinees(org, count)
        cookies = bulk_sessions(officers)
        from django.db import connections

        connections.close_all()
        server = server_start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a killed run still stops its app server (finally)
    lock = bench_lock(exclusive=True)
    try:
        warm = Examinee({"token": "", "cookie": cookies[0], "attempt": 0, "questions": []}, 0)
        for _ in range(6):
            warm.healthz()
        lock.__enter__()  # the timed part only
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        database = connections["default"].settings_dict["NAME"]
        cpu_before = server_cpu(server, database)
        t0 = time.perf_counter()
        procs = [ctx.Process(target=client_process, args=(exam.pk, cookies[i::2], t0, queue)) for i in range(2)]
        for p in procs:
            p.start()
        results = [r for _ in procs for r in queue.get()]
        for p in procs:
            p.join()
        wall = time.perf_counter() - t0
        cpu = [(b - a) / count * 1000 for a, b in zip(cpu_before, server_cpu(server, database), strict=True)]
    finally:
        lock.__exit__()
        server_kill(server)
    from zhifa.exams.models import Attempt

    admitted = [r for r in results if r[0] == 200 and r[3]]
    latencies = sorted(r[1] for r in results)
    q = statistics.quantiles(latencies, n=100)
    last = max(r[2] for r in admitted) if admitted else float("nan")
    stored = Attempt.objects.filter(exam=exam).count()
    statuses: dict[int, int] = {}
    for r in results:
        statuses[r[0]] = statuses.get(r[0], 0) + 1
    print(
        f"exam start burst · {label} · {deployed_shape()} · "
        f"{count} examinees, 64 in flight · "
        f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"{'admitted':>9}{'all in s':>10}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        "  statuses / attempts stored"
    )
    print(
        f"{len(admitted):>9}{last:>10.1f}{len(admitted) / wall:>8.0f}{q[49] * 1000:>9.0f}{q[94] * 1000:>9.0f}"
        f"{q[98] * 1000:>9.0f}  {statuses} / {stored}"
    )
    print(
        f"CPU per start: app {cpu[0]:.2f} ms + PostgreSQL {cpu[1]:.2f} ms → 2 idle cores ≈ "
        f"{2000 / max(sum(cpu), 1e-9):.0f} starts/s before the load generator"
    )
    met = len(admitted) == count == stored and last <= 60 and q[94] <= 1.0
    print(f"target {count} admitted within 60 s, p95 ≤ 1 s → {'met' if met else 'NOT met'}")
    return met


if __name__ == "__main__":
    sys.exit(0 if main() else 1)  # a missed target fails `make reliability`
