"""The unit dashboard, its drill-downs and exports, a weak point's training, and the recommendation link."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.common import excel
from zhifa.people import access
from zhifa.people.models import User
from zhifa.plans import queries as plans_queries
from zhifa.plans.services import PlanError
from zhifa.reports import queries, services


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required


def _int(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() else None


def _post_int(request: HttpRequest, name: str) -> int | None:
    raw = request.POST.get(name, "")
    return int(raw) if raw.isdigit() else None


def _year(request: HttpRequest) -> int:
    year = _int(request, "year")
    return year if year and 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    unit = access.console_unit(_user(request), _int(request, "unit"))
    year = _year(request)
    board = queries.dashboard(unit=unit, year=year)
    columns, heat_rows = queries.heatmap(unit=unit, year=year, groups=board.groups)
    ancestors = [u for u in plans_queries.unit_ancestors(unit) if access.can_view_unit(_user(request), u)]
    context = {
        "board": board,
        "year": year,
        "tiles": [(f, board.total.counts.get(f.key, 0)) for f in queries.FIGURES],
        "columns": columns,
        "heat_rows": heat_rows,
        "peers": queries.peers(user=_user(request), unit=unit, year=year),
        "follow": queries.follow_figures(unit=unit, since=timezone.localdate().replace(month=1, day=1)),
        "ancestors": ancestors,
        "chart": {
            "units": [("本级 " if g.own_only else "") + g.unit.name for g in board.groups],
            "met": [g.share("hours_met") or 0 for g in board.groups],
            "behind": [g.share("hours_behind") or 0 for g in board.groups],
        },
    }
    return render(request, "reports/dashboard.html", context)


@login_required
def officers(request: HttpRequest) -> HttpResponse:
    unit = access.console_unit(_user(request), _int(request, "unit"))
    year, figure = _year(request), request.GET.get("figure", "officers")
    own_only = request.GET.get("own") == "1"
    rows = queries.drilldown(unit=unit, year=year, figure=figure, own_only=own_only)
    label = queries.FIGURES_BY_KEY[figure].label
    if request.GET.get("format") == "xlsx":
        title = f"{unit.name} {year}年 {label}"
        if rows.count() > services.EXPORT_LIMIT:  # too big for one request: a background task with its progress page
            job = services.export_job_start(
                by=_user(request), unit=unit, year=year, figure=figure, own_only=own_only, title=title
            )
            return redirect("reports:export-job", job_id=job.pk)
        book = services.officers_workbook(rows, title=title)
        return excel.xlsx_response(book, "report-officers.xlsx")
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    context = {"unit": unit, "year": year, "figure": figure, "label": label, "page": page, "own_only": own_only}
    return render(request, "reports/officers.html", context)


def _xlsx(*, sheet_name: str, title: str, header: list[str], rows, filename: str) -> HttpResponse:
    """One sheet (a title line, a header, the rows) as a download."""
    book = excel.workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    return excel.xlsx_response(book, filename)


@login_required
def weak_cell(request: HttpRequest) -> HttpResponse:
    """A heatmap cell: the officers of the unit weak on the knowledge point, and what trains it."""
    unit = access.console_unit(_user(request), _int(request, "unit"))
    kp = queries.knowledge_point_get(knowledge_point_id=_int(request, "kp") or 0)
    own_only = request.GET.get("own") == "1"
    masteries = queries.weak_officers(unit=unit, knowledge_point=kp, own_only=own_only)
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            sheet_name="薄弱人员",
            title=f"{unit.name} · {kp.name} 掌握度低于60%的人员",
            header=["姓名", "单位", "掌握度%", "题数"],
            rows=(
                [m.officer.name, m.officer.unit.name, round(100 * m.recall), m.cards]
                for m in masteries[: services.EXPORT_LIMIT]
            ),
            filename="report-weak.xlsx",
        )
    context = {
        "unit": unit,
        "kp": kp,
        "own_only": own_only,
        "masteries": list(masteries[:500]),
        "coverage": queries.coverage(knowledge_point=kp),
        "can_plan": access.can_manage_unit(_user(request), unit),
        "next_year": timezone.localdate().year + 1,
    }
    return render(request, "reports/weak.html", context)


@login_required
@require_POST
def weak_to_plan(request: HttpRequest) -> HttpResponse:
    """ "加入下一年度培训计划": the course that trains a weak point, for the officers weak on it."""
    unit = access.console_unit(_user(request), _post_int(request, "unit"))
    kp = queries.knowledge_point_get(knowledge_point_id=_post_int(request, "kp") or 0)
    course = queries.course_training(course_id=_post_int(request, "course") or 0, knowledge_point=kp)
    own_only = request.POST.get("own") == "1"
    try:
        item = services.weak_point_plan_add(
            by=_user(request), unit=unit, knowledge_point=kp, course=course, own_only=own_only
        )
    except PlanError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('reports:weak')}?unit={unit.pk}&kp={kp.pk}{'&own=1' if own_only else ''}")
    messages.success(request, f"已加入《{item.plan.title}》（草稿）：{item.title}。{item.reason}")
    return redirect("plans:plan-detail", plan_id=item.plan_id)


@login_required
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """A background export's progress (the page polls itself) and, once done, its download link."""
    job = queries.export_job_get_for_user(job_id=job_id, user=_user(request))
    template = "reports/_export_job.html" if request.headers.get("HX-Request") else "reports/export_job.html"
    return render(request, template, {"job": job})


@login_required
def follow(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    """The link behind a recommendation on the learner home: records that it was followed, then goes there."""
    rec = queries.recommendation_get_for_user(recommendation_id=recommendation_id, user=_user(request))
    services.recommendation_follow(recommendation=rec)
    return redirect(rec.url if rec.url.startswith("/") else "/")
