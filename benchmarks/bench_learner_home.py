"""Learner home (我的学习) server time: p95 ≤ 50 ms (DESIGN.md §7), on the demo's own data.

What is measured: GET / for the demo officer 张明 (zhangming) through Django's full WSGI handler in-process
(middleware, session, the hours summary, courses due, where to continue, today's micro-lessons, the server-drawn
hours ring, template rendering), after the demo's seeds (organisation, sample regulations, question bank, exams,
the ethics course, scenarios) have been loaded into a scratch database and the officer has progress to show.
The first load's weight (≤ 150 KB compressed) is checked by common/tests/test_page_weight.py, not here.

    .venv/bin/python benchmarks/bench_learner_home.py           # SQLite, 300 requests
    .venv/bin/python benchmarks/bench_learner_home.py --pg      # PostgreSQL scratch database
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from _setup import machine, scratch_database, wsgi_environ

SEEDS = ("seed_demo", "seed_laws", "seed_questions", "seed_exams", "seed_courses", "seed_cases")


def environ(cookie: str) -> dict:
    return wsgi_environ("/", HTTP_COOKIE=f"sessionid={cookie}", HTTP_ACCEPT_ENCODING="gzip")


def prepare() -> str:
    """Seed the demo, give zhangming some progress, and return a session cookie of his."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command

    from zhifa.courses import tracking
    from zhifa.courses.models import Lesson
    from zhifa.people.models import User

    out = io.StringIO()
    for seed in SEEDS:
        call_command(seed, stdout=out, stderr=out)
    user = User.objects.get(username="zhangming")
    for lesson in Lesson.objects.filter(kind=Lesson.Kind.VIDEO)[:2]:  # "where to continue" has something to show
        tracking.session_start(officer=user.officer, lesson=lesson)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["last_seen"] = time.time() + 3600  # no idle-timeout write during the run
    session.create()
    return session.session_key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", action="store_true", help="PostgreSQL scratch database instead of SQLite")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    label = scratch_database("learner_home", postgres=args.pg)
    from django.conf import settings

    settings.DATABASES["default"]["CONN_MAX_AGE"] = None  # persistent, as in production
    cookie = prepare()
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    statuses: list[str] = []
    sizes: list[int] = []

    def one() -> float:
        began = time.perf_counter()
        body = b"".join(app(environ(cookie), lambda status, headers, exc=None: statuses.append(status)))
        elapsed = time.perf_counter() - began
        sizes.append(len(body))
        return elapsed

    for _ in range(20):  # templates, URLconf and connections warm
        one()
    statuses.clear()
    cpu = time.process_time()
    samples = sorted(one() for _ in range(args.requests))
    cpu_ms = (time.process_time() - cpu) / args.requests * 1000
    q = statistics.quantiles(samples, n=100)
    ok = all(s.startswith("200") for s in statuses)
    print(f"learner home · {label} · {machine()}")
    print(
        f"GET / as zhangming, {args.requests} requests in-process: p50 {q[49] * 1000:.1f} ms · "
        f"p95 {q[94] * 1000:.1f} ms · p99 {q[98] * 1000:.1f} ms · CPU {cpu_ms:.1f} ms/request (app process) · "
        f"{sizes[-1] / 1024:.1f} KB gzip · all 200: {ok}"
    )
    print(f"target p95 ≤ 50 ms: {'met' if ok and q[94] <= 0.050 else 'NOT met'}")


if __name__ == "__main__":
    main()
