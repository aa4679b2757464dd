"""Reads of the law library for pages. Laws are public texts: every logged-in user reads them; the console lists
(stale content, imports) are for console users (unit administrators, auditors, system administrators).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import get_object_or_404

from zhifa.laws import diff
from zhifa.laws.models import Citation, ImportJob, Law, LawVersion, Provision
from zhifa.people import access
from zhifa.people.models import Domain


def laws_filtered(
    *, q: str = "", category: str = "", status: str = "", domain: str = "", region: str = ""
) -> QuerySet[Law]:
    """Laws with their current version, filtered; `status` filters on the current version's status."""
    current = LawVersion.objects.filter(is_current=True).only(
        "id", "law_id", "version_date", "status", "article_count", "effective", "date_confirmed"
    )
    laws = Law.objects.prefetch_related(Prefetch("versions", queryset=current, to_attr="current_versions"))
    if q:
        laws = laws.filter(Q(title__icontains=q) | Q(short_title__icontains=q))
    if category:
        laws = laws.filter(category=category)
    if status:
        laws = laws.filter(versions__is_current=True, versions__status=status)
    if domain:
        laws = laws.filter(domains__code=domain)
    if region == "national":
        laws = laws.filter(region="")
    elif region:
        laws = laws.filter(region=region)
    return laws.order_by("category", "short_title").distinct()


def filter_choices() -> dict:
    regions = Law.objects.exclude(region="").values_list("region", flat=True).distinct().order_by("region")
    return {
        "categories": Law.Category.choices,
        "statuses": LawVersion.Status.choices,
        "domains": Domain.objects.order_by("name"),
        "regions": list(regions),
    }


def law_get(*, short_title: str) -> Law:
    return get_object_or_404(Law, short_title=short_title)


def version_in_force(*, law: Law, on: dt.date) -> LawVersion | None:
    """The version of `law` in force on `on`: the newest one whose effective (or version) date is not later."""
    versions = sorted(law.versions.all(), key=lambda v: v.version_date, reverse=True)
    return next((v for v in versions if (v.effective or v.version_date) <= on), None)


def version_choose(*, law: Law, version_id: str | None = None, on: dt.date | None = None) -> LawVersion:
    """The version a page shows: by id, else in force on a date, else the current one; Http404 when none."""
    if version_id:
        return get_object_or_404(LawVersion, law=law, pk=version_id) if version_id.isdigit() else _not_found()
    if on is not None:
        # Before the oldest version the library holds, show that oldest one; the page says so.
        version = version_in_force(law=law, on=on) or law.versions.order_by("version_date").first()
        return version or _not_found()
    version = law.versions.filter(is_current=True).first() or law.versions.order_by("-version_date").first()
    return version or _not_found()


def _not_found():
    raise Http404


def version_articles(*, version: LawVersion) -> list[diff.Article]:
    """(label, text) of every article of a version, in order, for comparing versions."""
    rows = version.provisions.filter(kind=Provision.Kind.ARTICLE).order_by("position").values_list("label", "text")
    return [diff.Article(label, text) for label, text in rows]


def version_outline(*, version: LawVersion) -> list[Provision]:
    """Headings and articles of a version, in order, for the table of contents; top-level paragraphs (a preamble,
    or the whole text of a document without numbered articles) in full as `body`."""
    kinds = [
        Provision.Kind.PART,
        Provision.Kind.SUBPART,
        Provision.Kind.CHAPTER,
        Provision.Kind.SECTION,
        Provision.Kind.ARTICLE,
    ]
    top_paragraph = Q(kind=Provision.Kind.PARAGRAPH, parent__isnull=True)
    rows = version.provisions.filter(Q(kind__in=kinds) | top_paragraph)
    rows = rows.only("id", "kind", "label", "heading", "key", "position").annotate(
        snippet=Substr("text", 1, 40),
        body=models.Case(
            models.When(top_paragraph, then="text"), default=models.Value(""), output_field=models.TextField()
        ),
    )
    return list(rows.order_by("position"))


@dataclass
class Line:
    """A paragraph, item or sub-item of an article page, with its children and its linked text segments."""

    provision: Provision
    children: list[Line] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)


@dataclass
class ArticleView:
    article: Provision
    paragraphs: list[Line]
    versions: list[tuple[LawVersion, Provision | None]]


@dataclass
class CitedBy:
    citation: Citation
    target: models.Model | None  # the citing object; None when it was deleted


def article_for_page(*, law: Law, label: str, version: LawVersion) -> ArticleView:
    """An article of a version with its paragraphs and its wording in every version; Http404 when missing."""
    article = version.provisions.filter(kind=Provision.Kind.ARTICLE, label=label).first()
    if article is None:
        raise Http404(f"《{law.short_title}》{version.version_date:%Y-%m-%d}版本中没有{label}")
    rows = list(
        Provision.objects.filter(version=version, position__gt=article.position)
        .filter(Q(parent=article) | Q(parent__parent=article) | Q(parent__parent__parent=article))
        .order_by("position")
    )
    children: dict[int, list[Provision]] = {}
    for row in rows:
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row)

    def line(row: Provision) -> Line:
        return Line(row, [line(child) for child in children.get(row.pk, [])])

    paragraphs = [line(row) for row in children.get(article.pk, [])]
    same_key = {p.version_id: p for p in Provision.objects.filter(key=article.key, version__law=law)}
    versions = [(v, same_key.get(v.pk)) for v in law.versions.order_by("-version_date")]
    return ArticleView(article, paragraphs, versions)


def with_targets(citations: list[Citation]) -> list[CitedBy]:
    """Each citation with the object citing (one query per content type)."""
    by_type: dict[int, list[Citation]] = {}
    for citation in citations:
        by_type.setdefault(citation.content_type_id, []).append(citation)
    objects: dict[tuple[int, int], models.Model] = {}
    for type_id, group in by_type.items():
        model = group[0].content_type.model_class()
        if model is not None:
            for pk, obj in model._default_manager.in_bulk([c.object_id for c in group]).items():
                objects[(type_id, pk)] = obj
    return [CitedBy(c, objects.get((c.content_type_id, c.object_id))) for c in citations]


def citations_of(*, key: str) -> list[CitedBy]:
    """Citations of an article key, with the objects citing it."""
    return with_targets(list(Citation.objects.filter(article_key=key).select_related("content_type", "version")))


def revised_citations(objects: list[models.Model]) -> list[Citation]:
    """Citations of these objects flagged since their article was amended or repealed and not yet reviewed
    (内容时效: the "法条已修订" banner on the content's pages, the plans' content review); one query."""
    ids: dict[type[models.Model], list[int]] = {}
    for obj in objects:
        if obj is not None and obj.pk is not None:
            ids.setdefault(type(obj), []).append(obj.pk)
    if not ids:
        return []
    types = ContentType.objects.get_for_models(*ids)
    wanted = Q(pk__in=[])
    for model, pks in ids.items():
        wanted |= Q(content_type=types[model], object_id__in=pks)
    flagged = Citation.objects.filter(wanted, needs_review=True).select_related("version__law")
    return list(flagged.order_by("article_key", "id"))


@dataclass
class RevisedBanner:
    """The "法条已修订" banner of a course, lesson, case or drill page (template laws/_revised_banner.html)."""

    citations: list[Citation]
    staff: bool  # console users and instructors see what changed; officers a neutral note
    can_review: bool  # console users open the content review (plans' 内容时效复核)
    anchor: str  # the content review's entry for the first flagged object


def revised_banner(*, user, objects: list[models.Model]) -> RevisedBanner | None:
    """The banner for these objects (a course and its lessons, a case, a drill's version); None when none is
    flagged."""
    citations = revised_citations(objects)
    if not citations:
        return None
    console = access.can_use_console(user)
    first = citations[0]
    return RevisedBanner(
        citations,
        staff=console or access.is_instructor(user),
        can_review=console,
        anchor=f"content-{first.content_type_id}-{first.object_id}",
    )


def stale_citations(*, user) -> QuerySet[Citation]:
    """Citations flagged for review after a law changed; console users only (Http404 for others)."""
    if not access.can_use_console(user):
        raise Http404
    return (
        Citation.objects.filter(needs_review=True)
        .select_related("content_type", "version__law")
        .order_by("article_key", "id")
    )


def library_counts() -> dict:
    """Figures for the console's law-library page: laws by category, articles, stale citations."""
    by_category = dict(Law.objects.values_list("category").annotate(n=Count("id")).order_by())
    return {
        "categories": [(label, by_category.get(value, 0)) for value, label in Law.Category.choices],
        "laws": sum(by_category.values()),
        "articles": LawVersion.objects.filter(is_current=True).aggregate(n=Sum("article_count"))["n"] or 0,
        "stale": Citation.objects.filter(needs_review=True).count(),
        "date_pending": LawVersion.objects.filter(date_confirmed=False).count(),
    }


def can_import(user) -> bool:
    """Importing laws changes the library of the whole platform: system administrators only."""
    return access.is_system_admin(user)


def versions_date_pending(*, user) -> QuerySet[LawVersion]:
    """Versions imported without a date, oldest import first, for the administrators who confirm them; 404 else."""
    if not can_import(user):
        raise Http404
    return LawVersion.objects.filter(date_confirmed=False).select_related("law").order_by("created_at", "pk")


def version_date_pending_get(*, version_id: int, user) -> LawVersion:
    return get_object_or_404(versions_date_pending(user=user), pk=version_id)


def import_job_get(*, job_id: int, user) -> ImportJob:
    if not can_import(user):
        raise Http404
    return get_object_or_404(ImportJob, pk=job_id)
