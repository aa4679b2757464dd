"""Reads for practice: today's queue, practice by scope, the mistakes book, mastery, streaks, the unit heatmap."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from zhifa.common.text import chinese_to_int
from zhifa.exams.queries import withheld_question_ids
from zhifa.laws.models import Citation
from zhifa.people import access
from zhifa.people.models import Officer
from zhifa.practice.models import DailyActivity, Mastery, Mistake
from zhifa.practice.services import DEFAULTS, PRACTICE_KINDS, SETTINGS_FROM
from zhifa.questions.models import PRACTICE_USES, KnowledgePoint, Option, Question

SECONDS_PER_ITEM = 20  # a 5-minute session holds about 15 items


def practicable(*, any_use: bool = False) -> QuerySet[Question]:
    """Questions that may be practised: the latest published version of objective questions, not sub-questions,
    whose use allows practice (exam-only questions, 保密题, never; `any_use` for the mistakes book, which holds
    them only after an exam's answers are released)."""
    questions = Question.objects.filter(
        is_latest=True, status=Question.Status.PUBLISHED, kind__in=PRACTICE_KINDS, parent__isnull=True
    )
    return questions if any_use else questions.filter(use__in=PRACTICE_USES)


def _without_withheld(officer: Officer, questions: list[Question]) -> list[Question]:
    """Leave out the questions on a paper of an exam the officer sits that has not closed (exams.queries)."""
    withheld = withheld_question_ids(officer=officer)
    if not withheld:
        return questions
    return [q for q in questions if q.pk not in withheld and (q.lineage_id or q.pk) not in withheld]


def scope_for(officer: Officer) -> QuerySet[Question]:
    """The officer's assigned scope: questions of his domains, and questions that belong to no domain."""
    domain_ids = list(officer.domains.values_list("pk", flat=True))
    return practicable().filter(Q(domains__isnull=True) | Q(domains__in=domain_ids)).distinct()


# Raw SQL on the hot paths (docs/practice.md, "Speed"): the ORM spent more time building these statements than the
# database spent running them. Each runs as written on SQLite and PostgreSQL.
PRACTICABLE_SQL = (
    "q.status = 'published' AND q.parent_id IS NULL AND q.kind IN ("
    + ", ".join(f"'{kind}'" for kind in PRACTICE_KINDS)
    + ") AND q.use IN ("
    + ", ".join(f"'{use}'" for use in PRACTICE_USES)
    + ")"
)
IN_SCOPE_SQL = """
(NOT EXISTS (SELECT 1 FROM questions_question_domains qd WHERE qd.question_id = q.id)
 OR EXISTS (SELECT 1 FROM questions_question_domains qd
            JOIN people_officer_domains od ON od.domain_id = qd.domain_id
            WHERE qd.question_id = q.id AND od.officer_id = %s))"""


def questions_in_scope(officer: Officer, question_ids: list[int]) -> dict[int, Question]:
    """The questions among `question_ids` the officer may practise, by id (one query).

    An earlier published version counts too: an answer given offline to a question edited meanwhile still counts
    for the lineage's card.
    """
    if not question_ids:
        return {}
    marks = ", ".join(["%s"] * len(question_ids))
    sql = f"SELECT q.* FROM questions_question q WHERE q.id IN ({marks}) AND {PRACTICABLE_SQL} AND {IN_SCOPE_SQL}"
    found = list(Question.objects.raw(sql, [*question_ids, officer.pk]))
    return {q.pk: q for q in _without_withheld(officer, found)}


def _latest_of(lineage_ids: list[int]) -> dict[int, Question]:
    rows = practicable(any_use=True).filter(Q(lineage_id__in=lineage_ids) | Q(pk__in=lineage_ids, lineage__isnull=True))
    return {(q.lineage_id or q.pk): q for q in rows.prefetch_related("options", "knowledge_points")}


# Due cards, oldest due first, as the latest practicable version of their lineage.
DUE_SQL = f"""
SELECT q.id FROM practice_reviewcard c
JOIN questions_question q
  ON q.is_latest AND (q.lineage_id = c.question_id OR (q.lineage_id IS NULL AND q.id = c.question_id))
WHERE c.officer_id = %s AND c.due <= %s AND {PRACTICABLE_SQL}
ORDER BY c.due, c.id
LIMIT %s"""
# The officer's settings (or the defaults) and the new cards he already started today, in one statement.
HEADER_SQL = f"""
SELECT COALESCE((SELECT s.new_per_day {SETTINGS_FROM}), {DEFAULTS.new_per_day}),
       COALESCE((SELECT s.session_minutes {SETTINGS_FROM}), {DEFAULTS.session_minutes}),
       COALESCE((SELECT new_cards FROM practice_dailyactivity WHERE officer_id = %s AND day = %s), 0)"""
# New questions: in scope, no card yet; those of his five weakest knowledge points (recall < 0.8) first.
NEW_SQL = f"""
SELECT q.id FROM questions_question q
WHERE q.is_latest AND {PRACTICABLE_SQL} AND {IN_SCOPE_SQL}
  AND NOT EXISTS (SELECT 1 FROM practice_reviewcard c
                  WHERE c.officer_id = %s AND c.question_id = COALESCE(q.lineage_id, q.id))
ORDER BY CASE WHEN EXISTS (
             SELECT 1 FROM questions_question_knowledge_points qk
             WHERE qk.question_id = q.id AND qk.knowledgepoint_id IN (
                 SELECT m.knowledge_point_id FROM practice_mastery m
                 WHERE m.officer_id = %s AND m.recall < 0.8 ORDER BY m.recall LIMIT 5))
         THEN 0 ELSE 1 END,
         q.difficulty, q.id
LIMIT %s"""


def _new_ids(cursor, officer: Officer, count: int) -> list[int]:
    """The ids of NEW_SQL. Its cost estimate grows with the bank (≈ 40 per question); PostgreSQL connections run
    without JIT (config/settings.py), which would otherwise compile it on every call past ≈ 2,500 questions."""
    cursor.execute(NEW_SQL, [officer.pk, officer.pk, officer.pk, count])
    return [row[0] for row in cursor.fetchall()]


def daily_queue(officer: Officer, now: datetime | None = None) -> list[Question]:
    """Today's practice: due reviews first (oldest due first), then new questions, weak knowledge points first.

    Two or three short raw statements, then the questions and their options (docs/practice.md, "Speed").
    """
    now = now or timezone.now()
    today = connection.ops.adapt_datefield_value(timezone.localdate(now))
    with connection.cursor() as cursor:
        cursor.execute(HEADER_SQL, [officer.pk, officer.pk, officer.pk, today])
        new_per_day, minutes, started_today = cursor.fetchone()
        size = max(minutes * 60 // SECONDS_PER_ITEM, 1)
        cursor.execute(DUE_SQL, [officer.pk, connection.ops.adapt_datetimefield_value(now), size])
        ids = [row[0] for row in cursor.fetchall()]
        new_count = min(max(new_per_day - started_today, 0), size - len(ids))
        if new_count > 0:
            ids += _new_ids(cursor, officer, new_count)
    return _without_withheld(officer, _questions(ids))


def _questions(ids: list[int]) -> list[Question]:
    """The questions of `ids` in that order, their options attached as if prefetched (two raw queries; none for no
    ids). Raw, because building the two ORM querysets cost more than running them."""
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    by_id = {q.pk: q for q in Question.objects.raw(f"SELECT * FROM questions_question WHERE id IN ({marks})", ids)}
    options: dict[int, list[Option]] = defaultdict(list)
    option_sql = f"SELECT * FROM questions_option WHERE question_id IN ({marks}) ORDER BY question_id, position, id"
    for option in Option.objects.raw(option_sql, ids):
        options[option.question_id].append(option)
    questions = []
    for pk in ids:
        if pk in by_id:
            question = by_id[pk]
            question._prefetched_objects_cache = {"options": options[pk]}  # type: ignore[attr-defined]  # as prefetch does
            questions.append(question)
    return questions


ARTICLE_NUMBER = re.compile(r"第([零〇一二两三四五六七八九十百千]+)条")


def _article_number(key: str) -> int | None:
    match = ARTICLE_NUMBER.search(key)
    return chinese_to_int(match.group(1)) if match else None


@dataclass
class Scope:
    law: str = ""  # short title, e.g. 行政处罚法
    article_from: int | None = None
    article_to: int | None = None
    knowledge_point: int | None = None
    domain: int | None = None
    wrong_only: bool = False


def scope_queue(officer: Officer, scope: Scope, limit: int = 20) -> list[Question]:
    """Practice by scope: a law (and an article range), a knowledge point, a domain, or the open mistakes only."""
    questions = scope_for(officer)
    if scope.knowledge_point:
        point = KnowledgePoint.objects.filter(pk=scope.knowledge_point).first()
        questions = questions.filter(knowledge_points__path__startswith=point.path) if point else questions.none()
    if scope.domain:
        questions = questions.filter(domains=scope.domain)
    if scope.wrong_only:
        open_ids = Mistake.objects.filter(officer=officer, resolved_at__isnull=True).values("question_id")
        questions = questions.filter(Q(lineage_id__in=open_ids) | Q(pk__in=open_ids))
    if scope.law:
        keys = _cited_keys(questions, scope.law)
        wanted = [
            pk
            for pk, key in keys
            if scope.article_from is None
            or (
                (n := _article_number(key)) is not None
                and scope.article_from <= n <= (scope.article_to or scope.article_from)
            )
        ]
        questions = questions.filter(pk__in=wanted)
    withheld = withheld_question_ids(officer=officer)
    if withheld:
        questions = questions.exclude(pk__in=withheld).exclude(lineage_id__in=withheld)
    return list(questions.distinct().order_by("pk").prefetch_related("options")[:limit])


def _cited_keys(questions: QuerySet[Question], law: str) -> list[tuple[int, str]]:
    content_type = ContentType.objects.get_for_model(Question)
    return list(
        Citation.objects.filter(
            content_type=content_type, object_id__in=questions.values("pk"), article_key__startswith=f"{law}#"
        ).values_list("object_id", "article_key")
    )


def citations_by_question(questions: list[Question]) -> dict[int, list[str]]:
    """Article keys each question cites (Citation rows, else the keys it declared); one raw query."""
    if not questions:
        return {}
    content_type = ContentType.objects.get_for_model(Question)  # cached after the first call
    found: dict[int, list[str]] = defaultdict(list)
    marks = ", ".join(["%s"] * len(questions))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT object_id, article_key FROM {Citation._meta.db_table} "
            f"WHERE content_type_id = %s AND object_id IN ({marks}) ORDER BY id",
            [content_type.pk, *(q.pk for q in questions)],
        )
        for object_id, key in cursor.fetchall():
            found[object_id].append(key)
    return {q.pk: found.get(q.pk) or list(q.article_keys or []) for q in questions}


def mistakes_for(officer: Officer) -> dict:
    """Open mistakes grouped by knowledge point and by cited article."""
    open_mistakes = list(Mistake.objects.filter(officer=officer, resolved_at__isnull=True).order_by("-last_wrong_at"))
    latest = _latest_of([m.question_id for m in open_mistakes])
    kept = {q.pk for q in _without_withheld(officer, list(latest.values()))}
    latest = {k: q for k, q in latest.items() if q.pk in kept}
    questions = [latest[m.question_id] for m in open_mistakes if m.question_id in latest]
    keys = citations_by_question(questions)
    by_point: dict[str, list] = defaultdict(list)
    by_article: dict[str, list] = defaultdict(list)
    points = {q.pk: [kp.name for kp in q.knowledge_points.all()] for q in questions}
    for mistake in open_mistakes:
        question = latest.get(mistake.question_id)
        if question is None:
            continue
        entry = {"mistake": mistake, "question": question}
        for name in points[question.pk] or ["未分类"]:
            by_point[name].append(entry)
        for key in keys[question.pk] or ["未引用法条"]:
            by_article[key].append(entry)
    return {"count": len(questions), "by_point": dict(by_point), "by_article": dict(by_article)}


def mastery_for(officer: Officer) -> list[Mastery]:
    return list(Mastery.objects.filter(officer=officer).select_related("knowledge_point").order_by("recall"))


def streak(officer: Officer, today: date | None = None) -> int:
    """Consecutive days with at least one review, ending today (or yesterday, if today is not done yet)."""
    today = today or timezone.localdate()
    days = set(
        DailyActivity.objects.filter(officer=officer, day__gte=today - timedelta(days=366), reviews__gt=0).values_list(
            "day", flat=True
        )
    )
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def points_total(officer: Officer, year: int) -> int:
    return DailyActivity.objects.filter(officer=officer, day__year=year).aggregate(s=Sum("points"))["s"] or 0


def heatmap_for(user, unit_ids: list[int] | None = None) -> dict:
    """Mean expected recall per unit × knowledge point over the units the user may view."""
    units = access.units_viewable_by(user)
    if unit_ids:
        units = units.filter(pk__in=unit_ids)
    rows = (
        Mastery.objects.filter(officer__unit__in=units)
        .values("officer__unit_id", "officer__unit__name", "knowledge_point_id", "knowledge_point__name")
        .annotate(recall=Avg("recall"), officers=Count("officer", distinct=True))
        .order_by("officer__unit__name", "knowledge_point__name")
    )
    return {"cells": list(rows)}


def generated_for_review(limit: int = 200) -> list[Question]:
    return list(
        Question.objects.filter(source="generated", status=Question.Status.REVIEW, is_latest=True).order_by("pk")[
            :limit
        ]
    )


def generated_get(question_id: int) -> Question:
    from django.http import Http404

    question = Question.objects.filter(pk=question_id, source="generated", is_latest=True).first()
    if question is None:
        raise Http404
    return question
