"""Pages: 我的学习档案 (learner, mobile) and the console's compliance report, review queue and requirements."""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from zhifa.common.files import file_response
from zhifa.people import access
from zhifa.people.models import Officer, User
from zhifa.records import queries, services, xapi
from zhifa.records.forms import ManualEntryForm
from zhifa.records.transcript import transcript_pdf


def acting_user(request: HttpRequest) -> User:
    """The logged-in user of a @login_required view."""
    return cast(User, request.user)


def with_grants(user):
    """Load the user's role grants (and their units) once: access checks and the menus read them many times."""
    if user.is_authenticated and "role_grants" not in getattr(user, "_prefetched_objects_cache", {}):
        prefetch_related_objects([user], "role_grants__unit")
    return user


def year_param(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    current = timezone.localdate().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= current + 1 else current


def _record_context(officer: Officer, year: int) -> dict:
    services.hours_release_due(officer=officer)  # lazily, in case the periodic job has not run yet
    return {
        "officer": officer,
        "year": year,
        "years": queries.years_of(officer, timezone.localdate().year),
        "summary": queries.hours_summary_for(officer, year),
        "entries": list(queries.hours_entries_for(officer, year)),
        "statements": queries.statements_shown(officer, year=year),
    }


@login_required
def my_record(request: HttpRequest) -> HttpResponse:
    officer = access.officer_of(with_grants(request.user))
    if officer is None:  # an instructor, evaluator or administrator without an officer profile
        return render(request, "records/no_record.html", {"console": access.can_use_console(request.user)})
    context = _record_context(officer, year_param(request))
    context["form"] = ManualEntryForm(initial={"occurred_on": timezone.localdate()})
    return render(request, "records/my_record.html", context)


@login_required
@require_POST
def entry_submit(request: HttpRequest) -> HttpResponse:
    officer = queries.officer_of_user(request.user)
    form = ManualEntryForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.hours_entry_submit(
                officer=officer,
                by=acting_user(request),
                category=data["category"],
                hours=data["hours"],
                occurred_on=data["occurred_on"],
                title=data["title"],
                evidence=data["evidence"],
                evidence_file=data["evidence_file"],
            )
        except (services.RecordsError, services.InvalidHours, services.InvalidEvidence) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "已提交学时申报，等待单位管理员审核。")
            return redirect("records:my-record")
    context = _record_context(officer, timezone.localdate().year)
    context["form"] = form
    return render(request, "records/my_record.html", context, status=400)


@login_required
def entry_evidence(request: HttpRequest, entry_id: int) -> HttpResponseBase:
    entry = queries.entry_for_user(user=with_grants(request.user), entry_id=entry_id)
    if not entry.evidence_file:
        raise Http404
    return file_response(entry.evidence_file, filename=f"学时佐证材料-{entry.pk}{_suffix(entry.evidence_file.name)}")


def _suffix(name: str | None) -> str:
    return PurePosixPath(name or "").suffix.lower()


def _transcript_response(officer: Officer, year: int) -> HttpResponse:
    services.hours_release_due(officer=officer)
    summary = queries.hours_summary_for(officer, year)
    pdf = transcript_pdf(
        summary=summary, entries=queries.hours_entries_for(officer, year), generated_at=timezone.localtime()
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="transcript-{year}-{officer.pk}.pdf"'
    return response


def _xapi_response(officer: Officer) -> HttpResponse:
    document = xapi.statement_result(
        queries.statements_released(officer),
        site=settings.SITE_URL,
        account_name=officer.user.get_username(),
        actor_name=officer.name,
    )
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="xapi-{officer.pk}.json"'
    response["X-Experience-API-Version"] = xapi.XAPI_VERSION
    return response


@login_required
def transcript(request: HttpRequest) -> HttpResponse:
    return _transcript_response(queries.officer_of_user(request.user), year_param(request))


@login_required
def xapi_export(request: HttpRequest) -> HttpResponse:
    officer = queries.officer_of_user(request.user)
    officer = Officer.objects.select_related("user").get(pk=officer.pk)
    return _xapi_response(officer)


def _console_officer(request: HttpRequest, officer_id: int) -> Officer:
    if not access.can_use_console(with_grants(request.user)):
        raise Http404
    return queries.officer_for_user(user=request.user, officer_id=officer_id)


@login_required
def officer_record(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = _console_officer(request, officer_id)
    return render(request, "records/officer_record.html", _record_context(officer, year_param(request)))


@login_required
def officer_transcript(request: HttpRequest, officer_id: int) -> HttpResponse:
    return _transcript_response(_console_officer(request, officer_id), year_param(request))


@login_required
def officer_xapi(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = _console_officer(request, officer_id)
    return _xapi_response(Officer.objects.select_related("user").get(pk=officer.pk))


@login_required
@require_http_methods(["GET"])
def hours_ring(request: HttpRequest) -> HttpResponse:
    """The ring chart fragment alone (htmx or a plain include target)."""
    officer = queries.officer_of_user(request.user)
    return render(
        request,
        "records/_hours_ring.html",
        {"hours_summary": queries.hours_summary_for(officer, timezone.localdate().year)},
    )
