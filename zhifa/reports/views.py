"""The unit dashboard, its drill-downs and exports, a weak point's training, and the recommendation link."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from zhifa.common import excel
from zhifa.evaluation.models import AssessmentResult
from zhifa.people import access
from zhifa.people.models import User
from zhifa.plans import queries as plans_queries
from zhifa.reports import queries, services

EXPORT_LIMIT = 100_000  # rows per synchronous export
EXPORT_HEADER = ["姓名", "单位", "法律知识学时", "业务技能学时", "职业道德学时", "应修学时", "学时达标", "逾期任务",
                 "参加考试", "通过考试", "完成演练", "超出裁量基准", "练习天数", "执法证状态", "考核等次"]  # fmt: skip


TIERS = dict(AssessmentResult.Tier.choices)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # every view here is behind login_required


def _int(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() else None


def _year(request: HttpRequest) -> int:
    year = _int(request, "year")
    return year if year and 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    unit = queries.dashboard_unit(user=_user(request), unit_id=_int(request, "unit"))
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
    unit = queries.dashboard_unit(user=_user(request), unit_id=_int(request, "unit"))
    year, figure = _year(request), request.GET.get("figure", "officers")
    own_only = request.GET.get("own") == "1"
    rows = queries.drilldown(unit=unit, year=year, figure=figure, own_only=own_only)
    label = queries.FIGURES_BY_KEY[figure].label
    if request.GET.get("format") == "xlsx":
        return _export(rows, title=f"{unit.name} {year}年 {label}")
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


def _export(rows, *, title: str) -> HttpResponse:
    lines = (
        [r.officer.name, r.unit.name, r.hours_legal, r.hours_skill, r.hours_ethics, r.hours_required,
         "是" if r.hours_met else "否", r.plan_overdue, r.exams_sat, r.exams_passed, r.drills_run,
         r.drills_outside_standard, r.practice_days, r.officer.get_certificate_status_display(), TIERS.get(r.tier, "")]
        for r in rows[:EXPORT_LIMIT]
    )  # fmt: skip
    return _xlsx(sheet_name="人员明细", title=title, header=EXPORT_HEADER, rows=lines, filename="report-officers.xlsx")


@login_required
def weak_cell(request: HttpRequest) -> HttpResponse:
    """A heatmap cell: the officers of the unit weak on the knowledge point, and what trains it."""
    unit = queries.dashboard_unit(user=_user(request), unit_id=_int(request, "unit"))
    kp = queries.knowledge_point_get(knowledge_point_id=_int(request, "kp") or 0)
    own_only = request.GET.get("own") == "1"
    masteries = queries.weak_officers(unit=unit, knowledge_point=kp, own_only=own_only)
    if request.GET.get("format") == "xlsx":
        return _xlsx(
            sheet_name="薄弱人员",
            title=f"{unit.name} · {kp.name} 掌握度低于60%的人员",
            header=["姓名", "单位", "掌握度%", "题数"],
            rows=(
                [m.officer.name, m.officer.unit.name, round(100 * m.recall), m.cards] for m in masteries[:EXPORT_LIMIT]
            ),
            filename="report-weak.xlsx",
        )
    context = {
        "unit": unit,
        "kp": kp,
        "own_only": own_only,
        "masteries": list(masteries[:500]),
        "coverage": queries.coverage(knowledge_point=kp),
    }
    return render(request, "reports/weak.html", context)


@login_required
def follow(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    """The link behind a recommendation on the learner home: records that it was followed, then goes there."""
    rec = queries.recommendation_get_for_user(recommendation_id=recommendation_id, user=_user(request))
    services.recommendation_follow(recommendation=rec)
    return redirect(rec.url if rec.url.startswith("/") else "/")
