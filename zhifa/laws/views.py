"""Pages of the law library: list, table of contents, article permalink, version diff; console: stale content and
the import page."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from zhifa.common.text import article_key_display, canonical_article_label
from zhifa.laws import diff, queries, services
from zhifa.laws.forms import DateForm, ImportForm, VersionDateForm
from zhifa.laws.models import ImportJob, Law
from zhifa.laws.references import link_segments
from zhifa.laws.tasks import import_job_run
from zhifa.people import access
from zhifa.people.models import User


@login_required
def law_list(request: HttpRequest) -> HttpResponse:
    params = {key: request.GET.get(key, "").strip() for key in ("q", "category", "status", "domain", "region")}
    laws = queries.laws_filtered(**params)[:300]
    try:
        search_url = reverse("laws:laws_search:search")
    except NoReverseMatch:  # the search pages are optional
        search_url = ""
    context = {"laws": laws, "params": params, "search_url": search_url, **queries.filter_choices()}
    return render(request, "laws/law_list.html", context)


def _date_from(request: HttpRequest):
    form = DateForm(request.GET or None)
    return form, (form.cleaned_data.get("on") if form.is_valid() else None)


@login_required
def law_detail(request: HttpRequest, short_title: str) -> HttpResponse:
    law = queries.law_get(short_title=short_title)
    form, on = _date_from(request)
    version = queries.version_choose(law=law, version_id=request.GET.get("version"), on=on)
    context = {
        "law": law,
        "version": version,
        "outline": queries.version_outline(version=version),
        "versions": law.versions.order_by("-version_date"),
        "date_form": form,
        "on": on,
    }
    return render(request, "laws/law_detail.html", context)


@login_required
def law_diff(request: HttpRequest, short_title: str) -> HttpResponse:
    law = queries.law_get(short_title=short_title)
    versions = list(law.versions.order_by("version_date"))
    if len(versions) < 2:
        return render(request, "laws/law_diff.html", {"law": law, "versions": versions, "changes": None})
    by_id = {str(v.pk): v for v in versions}
    old = by_id.get(request.GET.get("from", ""), versions[-2])
    new = by_id.get(request.GET.get("to", ""), versions[-1])
    changes = diff.compare_articles(queries.version_articles(version=old), queries.version_articles(version=new))
    show_all = request.GET.get("all") == "1"
    rows = [
        {"change": c, "parts": diff.inline_diff(c.old.text, c.new.text) if c.old and c.new and c.text_changed else None}
        for c in changes
        if show_all or c.kind != diff.UNCHANGED
    ]
    context = {
        "law": law,
        "versions": versions,
        "old": old,
        "new": new,
        "rows": rows,
        "summary": diff.summary(changes),
        "show_all": show_all,
        "changes": changes,
    }
    return render(request, "laws/law_diff.html", context)


@login_required
def article_detail(request: HttpRequest, short_title: str, label: str) -> HttpResponse:
    law = Law.objects.filter(short_title=short_title).first()
    if law is None:
        return _article_missing(request, short_title, label, "法规库中还没有这部法规。")
    try:
        canonical = canonical_article_label(label)
    except ValueError as exc:
        return _article_missing(request, short_title, label, str(exc))
    if canonical != label:
        return redirect("laws:article-detail", short_title=law.short_title, label=canonical)
    form, on = _date_from(request)
    version = queries.version_choose(law=law, version_id=request.GET.get("version"), on=on)
    try:
        page = queries.article_for_page(law=law, label=label, version=version)
    except Http404 as exc:
        return _article_missing(request, law.short_title, label, str(exc), law=law)
    known = set(Law.objects.values_list("short_title", flat=True))
    for index, paragraph in enumerate(page.paragraphs, start=1):
        # Items and sub-items resolve 前款 against the paragraph they belong to.
        for line in [paragraph, *paragraph.children, *(sub for item in paragraph.children for sub in item.children)]:
            line.segments = _segments(line.provision.text, law, label, index, known)
    context = {
        "law": law,
        "version": version,
        "page": page,
        "date_form": form,
        "on": on,
        "cited_by": queries.citations_of(key=page.article.key),
    }
    return render(request, "laws/article_detail.html", context)


def _article_missing(request: HttpRequest, short_title: str, label: str, why: str, law: Law | None = None):
    """A cited article the library lacks: a Chinese page (status 404) naming it, never Django's error page."""
    return render(
        request,
        "laws/article_missing.html",
        {"citation": article_key_display(f"{short_title}#{label}"), "why": why, "law": law},
        status=404,
    )


def _segments(text: str, law: Law, label: str, paragraph: int, known: set[str]) -> list[dict]:
    out = []
    for segment in link_segments(text, law=law.short_title, label=label, paragraph=paragraph, known_laws=known):
        href = ""
        if segment.is_link:
            href = reverse("laws:article-detail", kwargs={"short_title": segment.law, "label": segment.label})
            if segment.paragraph:
                href += f"#p{segment.paragraph}"
        out.append({"text": segment.text, "href": href})
    return out


@login_required
def manage_home(request: HttpRequest) -> HttpResponse:
    if not access.can_use_console(request.user):
        raise Http404
    context = {"counts": queries.library_counts(), "can_import": queries.can_import(request.user)}
    return render(request, "laws/manage_home.html", context)


@login_required
def stale_list(request: HttpRequest) -> HttpResponse:
    citations = queries.with_targets(list(queries.stale_citations(user=request.user)[:500]))
    return render(request, "laws/stale_list.html", {"citations": citations})


@require_POST
@login_required
def citation_review(request: HttpRequest, citation_id: int) -> HttpResponse:
    citation = get_object_or_404(queries.stale_citations(user=request.user), pk=citation_id)
    services.citation_review_done(citation=citation, by=request.user)
    return redirect("laws:stale-list")


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    if not queries.can_import(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        job = ImportJob.objects.create(created_by=cast(User, request.user), name=upload.name, upload=upload)
        import_job_run.enqueue(job.pk, form.cleaned_data["replace"])
        return redirect("laws:import-job-detail", job_id=job.pk)
    jobs = ImportJob.objects.order_by("-created_at")[:20]
    return render(request, "laws/import_page.html", {"form": form, "jobs": jobs})


@login_required
def date_pending_list(request: HttpRequest) -> HttpResponse:
    versions = queries.versions_date_pending(user=request.user)[:500]
    rows = [{"version": v, "form": VersionDateForm(prefix=str(v.pk))} for v in versions]
    return render(request, "laws/date_pending_list.html", {"rows": rows})


@require_POST
@login_required
def version_date_confirm(request: HttpRequest, version_id: int) -> HttpResponse:
    version = queries.version_date_pending_get(version_id=version_id, user=request.user)
    form = VersionDateForm(request.POST, prefix=str(version.pk))
    if form.is_valid():
        try:
            services.version_date_confirm(
                version=version, version_date=form.cleaned_data["version_date"], by=request.user
            )
        except services.ImportConflict as exc:
            form.add_error("version_date", str(exc))
        else:
            messages.success(request, f"已确认《{version.law.title}》的版本日期：{version.version_date:%Y-%m-%d}")
            return redirect("laws:date-pending-list")
    rows = [
        {"version": v, "form": form if v.pk == version.pk else VersionDateForm(prefix=str(v.pk))}
        for v in queries.versions_date_pending(user=request.user)[:500]
    ]
    return render(request, "laws/date_pending_list.html", {"rows": rows}, status=400)


@login_required
def import_job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = queries.import_job_get(job_id=job_id, user=request.user)
    template = "laws/_import_job.html" if request.headers.get("HX-Request") else "laws/import_job.html"
    skipped = [row for row in job.report if row.get("status") == "skipped"]
    imported = [row for row in job.report if row.get("status") != "skipped"]
    return render(
        request,
        template,
        {"job": job, "skipped": skipped, "imported": imported, "can_console": access.can_use_console(request.user)},
    )
