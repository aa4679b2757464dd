"""Console pages: compliance report with drill-down and Excel export, manual entry review, requirements."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.common import excel
from zhifa.people import access
from zhifa.people.models import Unit
from zhifa.records import exports, queries, services
from zhifa.records.forms import RequirementForm, ReviewForm
from zhifa.records.ledger import CATEGORY_LABELS, STATUS_LABELS
from zhifa.records.views import acting_user, with_grants, year_param


def _unit_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("unit", "")
    return int(raw) if raw.isdigit() else None


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    with_grants(request.user)
    year = year_param(request)
    report = queries.compliance_report(
        user=request.user, unit_id=_unit_id(request), year=year, today=timezone.localdate()
    )
    chart = {
        "units": [("本级 " if r.own_only else "") + r.unit.name for r in report.rows],
        "done": [r.figures.share("done") for r in report.rows],
        "on_track": [r.figures.share("on_track") for r in report.rows],
        "behind": [r.figures.share("behind") for r in report.rows],
    }
    ancestors = []
    if report.unit is not None:
        ids = [int(x) for x in report.unit.path.strip("/").split("/")[:-1]]
        ancestors = [
            u for u in Unit.objects.filter(pk__in=ids).order_by("path") if access.can_view_unit(request.user, u)
        ]
    return render(
        request,
        "records/compliance.html",
        {
            "report": report,
            "year": year,
            "chart": chart,
            "ancestors": ancestors,
            "share_percent": round(float(report.share) * 100, 1),
        },
    )


@login_required
def compliance_officers(request: HttpRequest) -> HttpResponse:
    with_grants(request.user)
    unit_id = _unit_id(request)
    year, status = year_param(request), request.GET.get("status") or None
    page = int(request.GET["page"]) if request.GET.get("page", "").isdigit() else 1
    unit, count, officers = queries.compliance_officers(
        user=request.user, unit_id=unit_id, year=year, today=timezone.localdate(), status=status, page=max(page, 1)
    )
    if unit is None:  # several top units: choose one on the report first
        return redirect(f"{reverse('records:compliance')}?year={year}")
    pages = max(1, -(-count // queries.OFFICERS_PAGE_SIZE))
    return render(
        request,
        "records/compliance_officers.html",
        {
            "unit": unit,
            "year": year,
            "status": status if status in STATUS_LABELS else "",
            "count": count,
            "officers": officers,
            "page": page,
            "pages": pages,
            "status_labels": STATUS_LABELS,
            "category_labels": CATEGORY_LABELS,
        },
    )


@login_required
def compliance_export(request: HttpRequest) -> HttpResponse:
    with_grants(request.user)
    year, today = year_param(request), timezone.localdate()
    report = queries.compliance_report(user=request.user, unit_id=_unit_id(request), year=year, today=today)
    officers: list = []
    truncated = False
    if report.unit is not None:
        limit = settings.SPREADSHEET_MAX_ROWS
        _, count, officers = queries.compliance_officers(
            user=request.user, unit_id=report.unit.pk, year=year, today=today, status=None, page_size=limit
        )
        truncated = count > limit
    content = exports.compliance_workbook(report=report, officers=officers, officers_truncated=truncated)
    return excel.xlsx_response(content, f"hours-compliance-{year}.xlsx")


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    with_grants(request.user)
    entries = list(queries.pending_entries_for(request.user)[:200])
    return render(request, "records/review_list.html", {"entries": entries, "form": ReviewForm()})


@login_required
@require_POST
def entry_review(request: HttpRequest, entry_id: int) -> HttpResponse:
    with_grants(request.user)
    entry = queries.entry_for_review(user=request.user, entry_id=entry_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择“认定”或“退回”。")
        return redirect("records:review-list")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.hours_entry_review(
            entry=entry, by=acting_user(request), approve=approve, reason=form.cleaned_data["reason"]
        )
    except services.RecordsError as error:
        messages.error(request, f"{entry.officer.name}：{error}")
    else:
        verb = "已认定" if approve else "已退回"
        messages.success(request, f"{verb} {entry.officer.name} 的 {entry.hours} 学时（{entry.source}）。")
    return redirect("records:review-list")


@login_required
def requirements(request: HttpRequest) -> HttpResponse:
    with_grants(request.user)
    rows = list(queries.requirements_visible_to(request.user))
    form = RequirementForm(request.POST or None, initial={"year": timezone.localdate().year, "scope": "unit"})
    if request.method == "POST" and form.is_valid():
        try:
            _requirement_save(request, form.cleaned_data)
        except (services.RecordsError, services.InvalidHours) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "学时要求已保存。")
            return redirect(reverse("records:requirements"))
    units = list(access.units_managed_by(request.user).order_by("path")[:500])
    return render(
        request,
        "records/requirements.html",
        {
            "rows": rows,
            "form": form,
            "units": units,
            "can_set_wide": access.is_system_admin(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


def _requirement_save(request: HttpRequest, data: dict) -> None:
    unit, province = None, ""
    if data["scope"] == "unit":
        unit = access.units_managed_by(request.user).filter(pk=data["unit"] or 0).first()
        if unit is None:
            raise services.RecordsError("请选择您管理的单位（本单位或下级单位）。")
    elif data["scope"] == "province":
        province = (data["province"] or "").strip()
        if not province:
            raise services.RecordsError("请填写省份名称，例如“江北省”。")
    services.hours_requirement_set(
        by=acting_user(request),
        year=data["year"],
        category=data["category"],
        hours=data["hours"],
        province=province,
        unit=unit,
    )
