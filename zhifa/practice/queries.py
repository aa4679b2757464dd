"""Reads for practice: today's queue, practice by scope, the mistakes book, mastery, streaks, the unit heatmap."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from zhifa.common.text import chinese_to_int
from zhifa.laws.models import Citation
from zhifa.people import access
from zhifa.people.models import Officer
from zhifa.practice.models import DailyActivity, Mastery, Mistake, ReviewCard
from zhifa.practice.services import PRACTICE_KINDS, settings_for
from zhifa.questions.models import KnowledgePoint, Question

SECONDS_PER_ITEM = 20  # a 5-minute session holds about 15 items


def practicable() -> QuerySet[Question]:
    """Questions that may be practised: the latest published version of objective questions, not sub-questions."""
    return Question.objects.filter(
        is_latest=True, status=Question.Status.PUBLISHED, kind__in=PRACTICE_KINDS, parent__isnull=True
    )


def scope_for(officer: Officer) -> QuerySet[Question]:
    """The officer's assigned scope: questions of his domains, and questions that belong to no domain."""
    domain_ids = list(officer.domains.values_list("pk", flat=True))
    return practicable().filter(Q(domains__isnull=True) | Q(domains__in=domain_ids)).distinct()


def question_in_scope(officer: Officer, question_id: int) -> Question | None:
    return scope_for(officer).filter(pk=question_id).first()


def _latest_of(lineage_ids: list[int]) -> dict[int, Question]:
    rows = practicable().filter(Q(lineage_id__in=lineage_ids) | Q(pk__in=lineage_ids, lineage__isnull=True))
    return {(q.lineage_id or q.pk): q for q in rows.prefetch_related("options", "knowledge_points")}


def daily_queue(officer: Officer, now: datetime | None = None) -> list[Question]:
    """Today's practice: due reviews first (oldest due first), then new questions, weak knowledge points first."""
    now = now or timezone.now()
    settings = settings_for(officer)
    size = max(settings.session_minutes * 60 // SECONDS_PER_ITEM, 1)
    due_ids = list(
        ReviewCard.objects.filter(officer=officer, due__lte=now)
        .order_by("due")
        .values_list("question_id", flat=True)[:size]
    )
    latest = _latest_of(due_ids)
    queue = [latest[i] for i in due_ids if i in latest]
    today = DailyActivity.objects.filter(officer=officer, day=timezone.localdate(now)).first()
    new_allowed = max(settings.new_per_day - (today.new_cards if today else 0), 0)
    new_count = min(new_allowed, size - len(queue))
    if new_count > 0:
        queue += new_questions(officer, new_count)
    return queue


def new_questions(officer: Officer, count: int) -> list[Question]:
    """Questions of the officer's scope he has no card for, from his weakest knowledge points first."""
    carded = ReviewCard.objects.filter(officer=officer).values("question_id")
    candidates = scope_for(officer).exclude(Q(lineage_id__in=carded) | Q(pk__in=carded))
    weak = list(
        Mastery.objects.filter(officer=officer, recall__lt=0.8)
        .order_by("recall")
        .values_list("knowledge_point_id", flat=True)[:5]
    )
    picked: list[Question] = []
    if weak:
        picked = list(candidates.filter(knowledge_points__in=weak).prefetch_related("options")[:count])
    if len(picked) < count:
        rest = candidates.exclude(pk__in=[q.pk for q in picked]).order_by("difficulty", "pk")
        picked += list(rest.prefetch_related("options")[: count - len(picked)])
    return picked


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
    return list(questions.distinct().order_by("pk").prefetch_related("options")[:limit])


def _cited_keys(questions: QuerySet[Question], law: str) -> list[tuple[int, str]]:
    content_type = ContentType.objects.get_for_model(Question)
    return list(
        Citation.objects.filter(
            content_type=content_type, object_id__in=questions.values("pk"), article_key__startswith=f"{law}#"
        ).values_list("object_id", "article_key")
    )


def citations_by_question(questions: list[Question]) -> dict[int, list[str]]:
    """Article keys each question cites (Citation rows, else the keys it declared)."""
    content_type = ContentType.objects.get_for_model(Question)
    found: dict[int, list[str]] = defaultdict(list)
    rows = Citation.objects.filter(content_type=content_type, object_id__in=[q.pk for q in questions])
    for object_id, key in rows.values_list("object_id", "article_key"):
        found[object_id].append(key)
    return {q.pk: found.get(q.pk) or list(q.article_keys or []) for q in questions}


def mistakes_for(officer: Officer) -> dict:
    """Open mistakes grouped by knowledge point and by cited article."""
    open_mistakes = list(Mistake.objects.filter(officer=officer, resolved_at__isnull=True).order_by("-last_wrong_at"))
    latest = _latest_of([m.question_id for m in open_mistakes])
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
