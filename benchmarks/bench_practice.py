"""Practice targets (DESIGN.md §7, issue 6):
- today's queue for one officer ≤ 20 ms with 1,000,000 cards in the table;
- recording a review ≤ 5 ms server side;
- the nightly mastery job for 100,000 officers ≤ 2 min on PostgreSQL.

    .venv/bin/python benchmarks/bench_practice.py            # quick: SQLite, 10k officers, 100k cards
    .venv/bin/python benchmarks/bench_practice.py --pg --full # the targets: PostgreSQL, 100k officers, 1M cards
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import timedelta

from _setup import machine, percentile, scratch_database

parser = argparse.ArgumentParser()
parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
parser.add_argument("--full", action="store_true", help="100,000 officers and 1,000,000 cards")
args = parser.parse_args()
OFFICERS = 100_000 if args.full else 10_000
CARDS_PER_OFFICER = 10
QUESTIONS = 2_000
KNOWLEDGE_POINTS = 20

label = scratch_database("practice", postgres=args.pg)

from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhifa.people.models import Officer, Unit, User  # noqa: E402
from zhifa.practice import queries, services  # noqa: E402
from zhifa.questions.models import KnowledgePoint, Option, Question  # noqa: E402


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


def run() -> None:
    build_started = time.perf_counter()
    officers = list(Officer.objects.order_by("pk").values_list("pk", flat=True)[:200])
    first_question = Question.objects.order_by("pk").values_list("pk", flat=True).first()
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute(cards_sql(officers[0], first_question, OFFICERS * CARDS_PER_OFFICER))
    cards = connection.cursor()
    cards.execute("SELECT COUNT(*) FROM practice_reviewcard")
    total_cards = cards.fetchone()[0]
    if connection.vendor == "postgresql":
        cards.execute("ANALYZE")
    print(f"cards in table: {total_cards:,} (loaded in {time.perf_counter() - build_started:.1f} s)")

    queue_ms = []
    for pk in officers[:100]:
        officer = Officer.objects.select_related("unit").get(pk=pk)
        started = time.perf_counter()
        queue = queries.daily_queue(officer)
        queue_ms.append((time.perf_counter() - started) * 1000)
        assert queue, "the queue should not be empty"
    review_ms = []
    question = Question.objects.prefetch_related("options").get(pk=first_question + 1)
    for pk in officers[100:200]:
        officer = Officer.objects.select_related("unit").get(pk=pk)
        started = time.perf_counter()
        services.review_record(
            officer=officer,
            question=question,
            response=["A"],
            response_ms=9000,
            client_id=uuid.uuid4().hex,
            reviewed_at=timezone.now() - timedelta(seconds=1),
        )
        review_ms.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    rows = services.mastery_compute()
    mastery_s = time.perf_counter() - started

    print(f"\n{label} · {OFFICERS:,} officers · {total_cards:,} cards · {machine()}")
    print(f"{'what':44} {'target':>10} {'p50':>9} {'p95':>9}")
    print(
        f"{'daily queue for one officer (ms)':44} {'≤ 20':>10} {percentile(queue_ms, 50):9.2f} "
        f"{percentile(queue_ms, 95):9.2f}"
    )
    print(
        f"{'record one review (ms)':44} {'≤ 5':>10} {percentile(review_ms, 50):9.2f} {percentile(review_ms, 95):9.2f}"
    )
    print(f"{'mastery job, all officers (s)':44} {'≤ 120':>10} {mastery_s:9.1f} {'':>9}  ({rows:,} rows)")


if __name__ == "__main__":
    build()
    run()
