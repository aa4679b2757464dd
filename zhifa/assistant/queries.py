"""Reads of the assistant: a user's own inquiries, the articles shown for one, what cites them, aggregate topics."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from zhifa.assistant import grounding
from zhifa.assistant.models import Inquiry
from zhifa.laws.models import Citation, LawVersion, Provision
from zhifa.laws.search.queries import article_url
from zhifa.laws.search.query import parse_query
from zhifa.laws.search.snippets import snippet
from zhifa.people import access

TOPIC_MIN_QUESTIONS = 3  # fewer questions on a law are counted under 其他: small groups could point at a person
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class ArticleCard:
    key: str
    law: str
    law_title: str
    label: str
    text: str
    passage: str  # HTML: the densest window of the article, matches in <mark>, the rest escaped
    url: str
    status: str
    status_label: str
    version_date: dt.date


@dataclass(frozen=True)
class Related:
    kind: str
    title: str
    url: str


def inquiry_get_for_user(*, user, inquiry_id: int) -> Inquiry:
    """The user's own inquiry; Http404 for anyone else's (administrators included)."""
    inquiry = Inquiry.objects.filter(pk=inquiry_id, user_id=user.pk).first()
    if inquiry is None:
        raise Http404
    return inquiry


def inquiries_for_user(*, user, limit: int = 50) -> list[Inquiry]:
    return list(Inquiry.objects.filter(user_id=user.pk).order_by("-created_at", "-id")[:limit])


def article_cards(*, keys: list[str], question: str) -> list[ArticleCard]:
    """The current text of each article key (in the given order; keys no longer in the library are skipped)."""
    provisions = {
        p.key: p
        for p in Provision.objects.filter(key__in=keys, kind=Provision.Kind.ARTICLE, version__is_current=True)
        .select_related("version__law")
        .defer("version__source_text", "version__history")
    }
    parsed = parse_query(question)
    statuses = dict(LawVersion.Status.choices)
    cards = []
    for key in keys:
        p = provisions.get(key)
        if p is None:
            continue
        law = p.version.law
        cards.append(
            ArticleCard(
                key=key,
                law=law.short_title,
                law_title=law.title,
                label=p.label,
                text=p.text,
                passage=snippet(p.text, parsed, window=160),
                url=article_url(law.short_title, p.label),
                status=p.version.status,
                status_label=statuses.get(p.version.status, p.version.status),
                version_date=p.version.version_date,
            )
        )
    return cards


def grounding_articles(cards: list[ArticleCard]) -> list[grounding.Article]:
    return [grounding.Article(key=c.key, law=c.law, label=c.label, text=c.text) for c in cards]


def related_for(*, keys: list[str], limit: int = 8) -> list[Related]:
    """Published practice questions, cases and drills that cite these articles."""
    by_type: dict[int, set[int]] = defaultdict(set)
    for content_type_id, object_id in Citation.objects.filter(article_key__in=keys).values_list(
        "content_type_id", "object_id"
    )[:500]:
        by_type[content_type_id].add(object_id)
    related: list[Related] = []
    for content_type_id, ids in by_type.items():
        model: Any = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        label = model._meta.label
        if label == "questions.Question":
            for q in model._default_manager.filter(pk__in=ids, status="published", is_latest=True)[:limit]:
                related.append(Related("练习题", _TAGS.sub("", q.stem)[:60], reverse("practice:home")))
        elif label == "cases.Case":
            for c in model._default_manager.filter(pk__in=ids)[:limit]:
                related.append(Related("案例", c.title, reverse("cases:case-detail", args=[c.pk])))
        elif label == "cases.ScenarioVersion":
            versions = model._default_manager.filter(pk__in=ids, status="published").select_related("scenario")
            for v in versions[:limit]:
                related.append(Related("模拟演练", v.title, reverse("cases:scenario-detail", args=[v.scenario.key])))
    order = {"案例": 0, "模拟演练": 1, "练习题": 2}
    return sorted(related, key=lambda r: order[r.kind])[:limit]


def topics_for(*, user, days: int = 90) -> tuple[list[tuple[str, int]], int]:
    """(law, number of questions) of the units the user may view, last `days` days, and the total. Never who asked:
    laws asked about fewer than TOPIC_MIN_QUESTIONS times are summed under 其他."""
    since = timezone.now() - dt.timedelta(days=days)
    inquiries = Inquiry.objects.filter(created_at__gte=since)
    units = access.units_viewable_by(user)
    if access.viewable_unit_paths(user) is not None:
        inquiries = inquiries.filter(unit__in=units)
    rows = list(inquiries.values("top_law").annotate(n=Count("id")).order_by("-n", "top_law"))
    topics, other = [], 0
    for row in rows:
        if row["top_law"] and row["n"] >= TOPIC_MIN_QUESTIONS:
            topics.append((row["top_law"], row["n"]))
        else:
            other += row["n"]
    if other:
        topics.append(("其他", other))
    return topics, sum(n for _, n in topics)
