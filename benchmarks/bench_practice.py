"""Practice targets (DESIGN.md §7, issue 6):
- today's queue for one officer ≤ 20 ms with 1,000,000 cards in the table;
- recording a review ≤ 5 ms server side;
- the nightly mastery job for 100,000 officers ≤ 2 min on PostgreSQL.

"Server side" is measured at two levels, both inside this process (no network, no browser):
- service: the call the API makes (`queries.daily_queue`, `services.review_record`), including its SQL round trips
  and its commit. This is what the targets are about.
- HTTP: the whole request through Django's WSGI handler (test client): middleware, session and user look-up,
  django-ninja parsing and validation, the service call and the JSON response. Shown separately: per-request
  authentication is shared by every endpoint and is not practice's cost.
For each: wall time p50 / p95, CPU time of this process per operation, CPU time of the PostgreSQL backend per
operation (read from /proc), SQL statements per operation (BEGIN and COMMIT included, whoever sends them) and the
times per operation the PostgreSQL backend went to sleep ("waits": its voluntary context switches, from /proc):
once for every round trip — it waits for the client's next message — and for any fsync or lock it waits for.

    .venv/bin/python benchmarks/bench_practice.py              # quick: SQLite, 10k officers, 100k cards
    .venv/bin/python benchmarks/bench_practice.py --pg --full  # the targets: PostgreSQL, 100k officers, 1M cards

Build once, measure many times (the build takes about a minute: run it under nice without the lock, the timing
under the exclusive lock):

    nice -n 10 .venv/bin/python benchmarks/bench_practice.py --pg --full --prepare
    flock -x /tmp/bench.lock .venv/bin/python benchmarks/bench_practice.py --pg --full --reuse

A measuring run leaves the dataset as it found it, apart from the reviewed cards' schedules (see `cleanup`).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
import uuid
from datetime import timedelta
from pathlib import Path

from _setup import machine, percentile, scratch_database

parser = argparse.ArgumentParser()
parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
parser.add_argument("--full", action="store_true", help="100,000 officers and 1,000,000 cards")
parser.add_argument("--prepare", action="store_true", help="build the dataset only (drops and rebuilds)")
parser.add_argument("--reuse", action="store_true", help="measure on the dataset a --prepare left (no rebuild)")
parser.add_argument("--no-mastery", action="store_true", help="skip the nightly mastery job")
parser.add_argument("--profile", metavar="PATH", help="write cProfile stats of the timed service calls here")
parser.add_argument("-n", type=int, default=100, help="operations per measurement (default 100; the first warms up)")
parser.add_argument(
    "--async-commit",
    action="store_true",
    help="PostgreSQL: SET synchronous_commit TO off, to show how much of a review's time is the WAL flush (not a "
    "production setting: an acknowledged review could be lost in a crash)",
)
args = parser.parse_args()
OFFICERS = 100_000 if args.full else 10_000
CARDS_PER_OFFICER = 10
QUESTIONS = 2_000
KNOWLEDGE_POINTS = 20
NAME = "practice_full" if args.full else "practice"


label = scratch_database(NAME, postgres=args.pg, reuse=args.reuse)

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhifa.people.models import Officer, Unit, User  # noqa: E402
from zhifa.practice import queries, services  # noqa: E402
from zhifa.practice.models import DailyActivity, Mistake, ReviewCard, ReviewLog  # noqa: E402
from zhifa.questions.models import KnowledgePoint, Option, Question  # noqa: E402

BENCH_PREFIX = "bench-"


def build() -> None:
    started = time.perf_counter()
    unit = Unit.objects.create(name="基准单位", code="BENCH", level="unit", path="/1/")
    Unit.objects.filter(pk=unit.pk).update(path=f"/{unit.pk}/")
    with transaction.atomic():
        users = User.objects.bulk_create(
            [User(username=f"b{i}", password="!", display_name=f"人员{i}") for i in range(OFFICERS)], batch_size=5000
        )
        Officer.objects.bulk_create(
            [Officer(user=u, name=u.display_name, unit_id=unit.pk) for u in users], batch_size=5000
        )
        points = KnowledgePoint.objects.bulk_create(
            [KnowledgePoint(code=f"kp{i}", name=f"知识点{i}", path=f"/{i}/") for i in range(KNOWLEDGE_POINTS)]
        )
        questions = Question.objects.bulk_create(
            [
                Question(kind="single", stem=f"题{i}", answer=["A"], status="published", is_latest=True)
                for i in range(QUESTIONS)
            ],
            batch_size=2000,
        )
        Question.objects.update(lineage_id=F("id"))
        Option.objects.bulk_create(
            [
                Option(question=q, label=label, text=label, position=n)
                for q in questions
                for n, label in enumerate("AB")
            ],
            batch_size=5000,
        )
        through = Question.knowledge_points.through
        through.objects.bulk_create(
            [
                through(question_id=q.pk, knowledgepoint_id=points[i % KNOWLEDGE_POINTS].pk)
                for i, q in enumerate(questions)
            ],
            batch_size=5000,
        )
    print(f"built {OFFICERS:,} officers and {QUESTIONS:,} questions in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    first_officer = Officer.objects.order_by("pk").values_list("pk", flat=True).first()
    first_question = Question.objects.order_by("pk").values_list("pk", flat=True).first()
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute(cards_sql(first_officer, first_question, OFFICERS * CARDS_PER_OFFICER))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded {OFFICERS * CARDS_PER_OFFICER:,} cards in {time.perf_counter() - started:.1f} s")


def cards_sql(first_officer: int, first_question: int, total: int) -> str:
    """Officer k holds 10 consecutive questions of the pool, due spread over ±30 days, each reviewed once.

    Only integers are formatted in, and the statement runs without parameters, so % needs no escaping.
    """
    if connection.vendor == "postgresql":
        due = "now() + ((n % 61) - 30) * interval '1 day'"
        last = "now() - ((n % 30) + 1) * interval '1 day'"
        series = f"SELECT generate_series(0, {total - 1}) AS n"
    else:
        due = "strftime('%Y-%m-%d %H:%M:%f', 'now', ((n % 61) - 30) || ' days')"
        last = "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ((n % 30) + 1) || ' days')"
        series = (
            f"WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n + 1 < {total}) SELECT n FROM s"
        )
    now_days = time.time() / 86400
    per = CARDS_PER_OFFICER
    return f"""
        INSERT INTO practice_reviewcard (officer_id, question_id, state, step, stability, difficulty, due,
                                         last_review, last_review_day, reps, lapses, created_at)
        SELECT {first_officer} + n / {per}, {first_question} + ((n / {per} + n % {per}) % {QUESTIONS}),
               2, NULL, 1.0 + (n % 50), 5.0, {due}, {last}, {now_days} - ((n % 30) + 1), 1, 0, {last}
        FROM ({series}) AS seq
    """


class Meter:
    """Wall time, this process's CPU time, the PostgreSQL backend's CPU time and SQL statements, per operation."""

    def __init__(self) -> None:
        self.calls = 0  # the first call warms up (imports, URL resolvers, caches) and is not counted
        self.wall: list[float] = []
        self.cpu = 0.0
        self.db_cpu = 0.0
        self.queries = 0
        self.waits = 0

    def __enter__(self) -> Meter:
        self._db = backend_cpu()
        self._cpu = time.process_time()
        self._n = STATEMENTS[0]
        self._waits = backend_waits()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.calls += 1
        if self.calls == 1:
            return
        self.wall.append((time.perf_counter() - self._wall) * 1000)
        self.cpu += (time.process_time() - self._cpu) * 1000
        self.queries += STATEMENTS[0] - self._n
        self.waits += backend_waits() - self._waits
        self.db_cpu += (backend_cpu() - self._db) * 1000

    def row(self, what: str, target: str) -> str:
        n = len(self.wall)
        db = f"{self.db_cpu / n:8.2f}" if connection.vendor == "postgresql" else f"{'–':>8}"
        return (
            f"{what:40} {target:>6} {percentile(self.wall, 50):8.2f} {percentile(self.wall, 95):8.2f} "
            f"{self.cpu / n:8.2f} {db} {self.queries / n:6.1f} {self.waits / n:6.1f}"
        )


STATEMENTS = [0]


def count_statements(execute, sql, params, many, context):
    # Our SQL has no semicolon inside a literal, so the parts between semicolons are the statements.
    STATEMENTS[0] += sum(1 for part in sql.split(";") if part.strip()) + implicit_begin()
    return execute(sql, params, many, context)


def implicit_begin() -> int:
    """1 when psycopg is about to send BEGIN on its own before this statement (a transaction's first)."""
    if connection.vendor != "postgresql" or connection.get_autocommit():
        return 0
    from psycopg.pq import TransactionStatus

    return int(connection.connection.info.transaction_status == TransactionStatus.IDLE)


def count_ending(method):
    """Wrap Django's commit or rollback of the connection: one statement each (COMMIT or ROLLBACK)."""

    def counted():
        STATEMENTS[0] += 1
        return method()

    return counted


def backend_waits() -> int:
    """Voluntary context switches of this connection's PostgreSQL backend so far; 0 on SQLite."""
    if connection.vendor != "postgresql":
        return 0
    connection.ensure_connection()
    status = Path(f"/proc/{connection.connection.info.backend_pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("voluntary_ctxt_switches:"))
    return int(line.split()[1])


def backend_cpu() -> float:
    """CPU seconds (user + system) of this connection's PostgreSQL backend process so far; 0 on SQLite."""
    if connection.vendor != "postgresql":
        return 0.0
    connection.ensure_connection()
    stat = Path(f"/proc/{connection.connection.info.backend_pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cleanup(officer_ids: list[int], question_id: int) -> None:
    """Remove what a measuring run added: its review logs, the cards it created, the day rows and mistakes."""
    ReviewLog.objects.filter(client_id__startswith=BENCH_PREFIX).delete()
    ReviewCard.objects.filter(officer_id__in=officer_ids, question_id=question_id).delete()
    DailyActivity.objects.filter(officer_id__in=officer_ids).delete()
    Mistake.objects.filter(officer_id__in=officer_ids).delete()


def run() -> None:
    n = args.n
    settings.DEBUG = False  # as in production: no query log (statements are counted by a cheap execute wrapper)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    connection.ensure_connection()
    connection._commit = count_ending(connection._commit)
    connection._rollback = count_ending(connection._rollback)
    total_cards = ReviewCard.objects.count()
    officers = list(Officer.objects.order_by("pk").values_list("pk", flat=True)[: 6 * n])
    first_question = Question.objects.order_by("pk").values_list("pk", flat=True).first()
    new_question = Question.objects.get(pk=first_question + QUESTIONS // 2)  # no officer below 6n holds it
    cleanup(officers, new_question.pk)
    if args.async_commit and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
    profiler = cProfile.Profile() if args.profile else None

    def timed(meter: Meter, call) -> object:
        with meter:
            if profiler:
                profiler.enable()
            result = call()
            if profiler:
                profiler.disable()
        return result

    queue = Meter()
    for pk in officers[:n]:
        officer = Officer.objects.select_related("unit").get(pk=pk)
        items = timed(queue, lambda officer=officer: queries.daily_queue(officer))
        assert items, "the queue should not be empty"

    def review_of(officer, question):
        return lambda: services.review_record(
            officer=officer,
            question=question,
            response=["A"],
            response_ms=9000,
            client_id=BENCH_PREFIX + uuid.uuid4().hex,
            reviewed_at=timezone.now() - timedelta(seconds=1),
        )

    held = Meter()  # a card the officer holds (the usual case: a due review)
    for pk in officers[n : 2 * n]:
        officer = Officer.objects.select_related("unit").get(pk=pk)
        card = ReviewCard.objects.filter(officer=officer).order_by("due").first()
        question = Question.objects.get(pk=card.question_id)
        timed(held, review_of(officer, question))
    fresh = Meter()  # a new question: the card is created
    for pk in officers[2 * n : 3 * n]:
        officer = Officer.objects.select_related("unit").get(pk=pk)
        timed(fresh, review_of(officer, new_question))
    if profiler:
        profiler.dump_stats(args.profile)

    client = Client()
    http_queue = Meter()
    for pk in officers[3 * n : 4 * n]:
        client.force_login(User.objects.get(officer__pk=pk))
        response = timed(http_queue, lambda: client.get("/api/v1/practice/session"))
        assert response.status_code == 200 and response.json()["items"], response.content[:200]
    http_review = Meter()
    for pk in officers[4 * n : 5 * n]:
        client.force_login(User.objects.get(officer__pk=pk))
        # A phone syncs after every answer: its session was seen a moment ago (otherwise each timed request is the
        # first after a log-in, which writes the session to refresh last_seen, once a minute at most).
        session = client.session
        session["last_seen"] = time.time()
        session.save()
        card = ReviewCard.objects.filter(officer_id=pk).order_by("due").first()
        body = {
            "reviews": [
                {
                    "client_id": BENCH_PREFIX + uuid.uuid4().hex,
                    "question_id": card.question_id,
                    "response": ["A"],
                    "response_ms": 9000,
                }
            ]
        }
        response = timed(
            http_review, lambda body=body: client.post("/api/v1/practice/reviews", body, "application/json")
        )
        assert response.status_code == 200 and response.json()["results"][0]["ok"], response.content[:200]
    load = os.getloadavg()
    cleanup(officers, new_question.pk)

    mastery_s, rows = None, 0
    if not args.no_mastery:
        started = time.perf_counter()
        rows = services.mastery_compute()
        mastery_s = time.perf_counter() - started

    print(f"\n{label} · {OFFICERS:,} officers · {total_cards:,} cards · {n} operations each · {machine()}")
    if args.async_commit:
        print("synchronous_commit off (commits do not wait for the WAL flush)")
    print(f"load average during the timed part: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    header = f"{'p50':>8} {'p95':>8} {'CPU':>8} {'DB CPU':>8} {'SQL':>6} {'waits':>6}"
    print(f"{'what (ms per operation)':40} {'target':>6} {header}")
    print(queue.row("service: today's queue (daily_queue)", "≤ 20"))
    print(held.row("service: record a review, card held", "≤ 5"))
    print(fresh.row("service: record a review, new card", "≤ 5"))
    print(http_queue.row("HTTP GET /api/v1/practice/session", ""))
    print(http_review.row("HTTP POST /api/v1/practice/reviews (1)", ""))
    if mastery_s is not None:
        print(f"{'mastery job, all officers (s)':40} {'≤ 120':>6} {mastery_s:8.1f}  ({rows:,} rows)")
    if args.profile:
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    if not args.reuse:
        build()
    if not args.prepare:
        with connection.execute_wrapper(count_statements):
            run()
