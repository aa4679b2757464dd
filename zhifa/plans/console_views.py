"""Console pages of plans: list, editor, publish / withdraw / delete / copy, progress, who is behind, exports."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.common import excel
from zhifa.common.decorators import page_for
from zhifa.people import access
from zhifa.people.forms import AudienceForm
from zhifa.people.models import Unit, User
from zhifa.plans import exports, queries, reminders, services
from zhifa.plans.forms import ExemptForm, ItemForm, PlanForm, WithdrawForm
from zhifa.plans.models import Assignment, TrainingPlan
from zhifa.plans.services import ItemIn, PlanError
from zhifa.plans.status import LABELS

console_page = page_for(access.can_use_console)
# A subtree with more assignments than this shows the statuses of the last refresh (the periodic job keeps them
# current) instead of recomputing them while the page loads.
LIVE_REFRESH_LIMIT = 20_000


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@console_page
def plan_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    plans = list(queries.plans_visible_to(user))
    units = list(access.units_managed_by(user).order_by("path")) if access.is_unit_admin(user) else []
    if access.is_system_admin(user):
        units = list(Unit.objects.order_by("path")[:200])
    form = PlanForm(initial={"year": timezone.localdate().year})
    return render(request, "plans/plan_list.html", {"plans": plans, "form": form, "units": units})


@console_page
@require_POST
def plan_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PlanForm(request.POST)
    unit = Unit.objects.filter(pk=_int(request.POST.get("unit")) or 0).first()
    if form.is_valid() and unit is not None:
        try:
            plan = services.plan_create(
                by=user,
                unit=unit,
                year=form.cleaned_data["year"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
            messages.success(request, "已创建培训计划草稿，请添加事项。")
            return redirect("plans:plan-detail", plan_id=plan.pk)
        except PlanError as exc:
            messages.error(request, exc.message)
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''}：{errors[0]}")
        if unit is None:
            messages.error(request, "请选择制定计划的单位。")
    return redirect("plans:plan-list")


def _choices() -> dict[str, list[tuple[int, str]]]:
    from zhifa.cases.models import Scenario
    from zhifa.classes.models import OfflineClass
    from zhifa.courses.models import Course
    from zhifa.exams.models import Exam

    return {
        "course": list(Course.objects.order_by("-id").values_list("pk", "title")[:300]),
        "exam": list(Exam.objects.order_by("-id").values_list("pk", "title")[:300]),
        "scenario": list(Scenario.objects.order_by("-id").values_list("pk", "title")[:300]),
        "offline_class": list(OfflineClass.objects.order_by("-id").values_list("pk", "title")[:300]),
    }


def _detail(
    request: HttpRequest,
    plan: TrainingPlan,
    item_form: ItemForm | None = None,
    audience_form: AudienceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    items = queries.plan_items(plan)
    editable = plan.is_editable and queries.can_edit(user, plan)
    progress = queries.progress_by_item(items=items, unit_path=plan.unit.path) if plan.status != "draft" else []
    context = {
        "plan": plan,
        "items": items,
        "inherited": list(services.inherited_items(plan)),
        "editable": editable,
        "manager": queries.can_edit(user, plan),
        "progress": progress,
        "item_form": item_form
        or ItemForm(
            choices=_choices(),
            initial={"window_start": f"{plan.year}-01-01", "deadline": f"{plan.year}-12-31", "required": True},
        ),
        "audience_form": audience_form or AudienceForm(user=user),
        "withdraw_form": WithdrawForm(),
        "labels": LABELS,
        "next_year": plan.year + 1,
    }
    return render(request, "plans/plan_detail.html", context, status=status)


@console_page
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = queries.plan_get_for_user(plan_id=plan_id, user=_user(request))
    return _detail(request, plan)


def _item_in(data: dict) -> ItemIn:
    return ItemIn(
        kind=data["kind"],
        title=data["title"],
        window_start=data["window_start"],
        deadline=data["deadline"],
        category=data["category"],
        required=data["required"],
        course_id=data.get("course"),
        exam_id=data.get("exam"),
        scenario_id=data.get("scenario"),
        offline_class_id=data.get("offline_class"),
        target=data.get("target"),
        reason=data.get("reason") or "",
    )


@console_page
@require_POST
def item_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    plan = queries.plan_get_for_user(plan_id=plan_id, user=user)
    form = ItemForm(request.POST, choices=_choices())
    limit = request.POST.get("limit_audience") == "on"
    # Without "只面向部分人员" the audience fields are ignored (and shown empty again).
    audience_form = AudienceForm(request.POST, user=user) if limit else AudienceForm(user=user)
    if not form.is_valid() or (limit and not audience_form.is_valid()):
        return _detail(request, plan, form, audience_form, status=400)
    try:
        from django.db import transaction

        with transaction.atomic():
            audience = audience_form.save(name=form.cleaned_data["title"]) if limit else None
            services.item_add(by=user, plan=plan, data=_item_in(form.cleaned_data), audience=audience)
    except PlanError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _detail(request, plan, form, audience_form, status=400)
    messages.success(request, "已添加事项。")
    return redirect("plans:plan-detail", plan_id=plan.pk)


@console_page
@require_POST
def item_remove(request: HttpRequest, plan_id: int, item_id: int) -> HttpResponse:
    user = _user(request)
    plan = queries.plan_get_for_user(plan_id=plan_id, user=user)
    item = queries.item_get_for_user(item_id=item_id, user=user)
    try:
        services.item_remove(by=user, plan=plan, item=item)
        messages.success(request, f"已删除事项“{item.title}”。")
    except PlanError as exc:
        messages.error(request, exc.message)
    return redirect("plans:plan-detail", plan_id=plan.pk)


def _plan_action(request: HttpRequest, plan_id: int, action) -> HttpResponse:
    user = _user(request)
    plan = queries.plan_get_for_user(plan_id=plan_id, user=user)
    try:
        result = action(user, plan)
    except PlanError as exc:
        messages.error(request, exc.message)
        return redirect("plans:plan-detail", plan_id=plan.pk)
    return result


@console_page
@require_POST
def plan_publish(request: HttpRequest, plan_id: int) -> HttpResponse:
    def publish(user, plan):
        created = services.plan_publish(by=user, plan=plan)
        if created is None:
            messages.success(request, "计划已发布。人数较多，培训任务正在后台生成，几分钟后可在“完成情况”中查看。")
        else:
            messages.success(request, f"计划已发布，生成培训任务{created}项。")
        return redirect("plans:plan-detail", plan_id=plan.pk)

    return _plan_action(request, plan_id, publish)


@console_page
@require_POST
def plan_withdraw(request: HttpRequest, plan_id: int) -> HttpResponse:
    def withdraw(user, plan):
        services.plan_withdraw(by=user, plan=plan, reason=request.POST.get("reason", ""))
        messages.success(request, "计划已撤回。")
        return redirect("plans:plan-detail", plan_id=plan.pk)

    return _plan_action(request, plan_id, withdraw)


@console_page
@require_POST
def plan_delete(request: HttpRequest, plan_id: int) -> HttpResponse:
    def delete(user, plan):
        services.plan_delete(by=user, plan=plan)
        messages.success(request, "草稿已删除。")
        return redirect("plans:plan-list")

    return _plan_action(request, plan_id, delete)


@console_page
@require_POST
def plan_copy(request: HttpRequest, plan_id: int) -> HttpResponse:
    def copy(user, plan):
        year = _int(request.POST.get("year")) or plan.year + 1
        new = services.plan_copy(by=user, source=plan, year=year)
        messages.success(request, f"已复制为{year}年度草稿，请核对日期与对象后发布。")
        return redirect("plans:plan-detail", plan_id=new.pk)

    return _plan_action(request, plan_id, copy)


# --- progress ----------------------------------------------------------------------------------------------------


def _scope(request: HttpRequest, plan: TrainingPlan) -> Unit:
    user = _user(request)
    default = plan.unit
    if not access.can_view_unit(user, plan.unit):  # a lower unit's administrator looks at a higher unit's plan
        default = access.units_viewable_by(user).order_by("path").first() or plan.unit
    unit = access.console_unit(user, _int(request.GET.get("unit")), default=default)
    if not unit.path.startswith(plan.unit.path):
        unit = default
    return unit


def _refresh_if_small(plan: TrainingPlan, unit: Unit) -> bool:
    items = list(plan.items.values_list("pk", flat=True))
    count = Assignment.objects.filter(item_id__in=items, unit_path__startswith=unit.path).count()
    if plan.status == TrainingPlan.Status.PUBLISHED and count <= LIVE_REFRESH_LIMIT:
        services.assignments_refresh(plan=plan, unit_path=unit.path)
        return True
    return False


@console_page
def plan_progress(request: HttpRequest, plan_id: int) -> HttpResponse:
    """One plan in one unit subtree: completion per item, per child unit, and who is behind."""
    user = _user(request)
    plan = queries.plan_get_for_user(plan_id=plan_id, user=user)
    unit = _scope(request, plan)
    live = _refresh_if_small(plan, unit)
    items = queries.plan_items(plan)
    status, item_id, name = (
        request.GET.get("status", "behind"),
        _int(request.GET.get("item")),
        request.GET.get("name", ""),
    )
    rows = queries.assignments_in(items=items, unit_path=unit.path, status=status, item_id=item_id, name=name.strip())
    page = max(1, _int(request.GET.get("page")) or 1)
    count = rows.count()
    size = queries.BEHIND_PAGE_SIZE
    children = queries.child_progress(items=items, unit=unit)
    ancestors = [
        u for u in queries.unit_ancestors(unit) if access.can_view_unit(user, u) and u.path.startswith(plan.unit.path)
    ]
    return render(
        request,
        "plans/progress.html",
        {
            "plan": plan,
            "unit": unit,
            "ancestors": ancestors,
            "live": live,
            "progress": queries.progress_by_item(items=items, unit_path=unit.path),
            "items": items,
            "children": children,
            "rows": rows[(page - 1) * size : page * size],
            "count": count,
            "page": page,
            "pages": max(1, -(-count // size)),
            "status": status,
            "item_id": item_id or "",
            "name": name,
            "labels": LABELS,
            "exempt_form": ExemptForm(),
            "can_manage": access.can_manage_unit(user, unit),
        },
    )


@console_page
def progress_export(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    plan = queries.plan_get_for_user(plan_id=plan_id, user=user)
    unit = _scope(request, plan)
    items = queries.plan_items(plan)
    rows = queries.assignments_in(
        items=items,
        unit_path=unit.path,
        status=request.GET.get("status", "behind"),
        item_id=_int(request.GET.get("item")),
        name=request.GET.get("name", "").strip(),
    )
    data = exports.behind_workbook(title=f"{plan.title} · {unit.name}", rows=rows[:100_000], today=timezone.localdate())
    return excel.xlsx_response(data, f"plan-{plan.pk}-unit-{unit.pk}.xlsx")


@console_page
@require_POST
def progress_remind(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Remind everyone behind (the current filter) in one click; once a day per officer and item."""
    user = _user(request)
    plan = queries.plan_get_for_user(plan_id=plan_id, user=user)
    unit = _scope(request, plan)
    url = f"{reverse('plans:plan-progress', args=[plan.pk])}?unit={unit.pk}"
    if not access.can_manage_unit(user, unit) or plan.status != TrainingPlan.Status.PUBLISHED:
        messages.error(request, "只有本单位管理员可以对已发布计划一键催办。")
        return redirect(url)
    items = queries.plan_items(plan)
    rows = queries.assignments_in(
        items=items, unit_path=unit.path, status="behind", item_id=_int(request.POST.get("item"))
    ).select_related("officer")
    sent = reminders.remind_behind(by=user, assignments=rows)
    messages.success(request, f"已向{sent}人次发送催办提醒（同一事项每人每天最多一次）。")
    return redirect(url)


@console_page
@require_POST
def assignment_exempt(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = _user(request)
    assignment = queries.assignment_get_for_manager(assignment_id=assignment_id, user=user)
    try:
        if request.POST.get("undo"):
            services.assignment_unexempt(by=user, assignment=assignment, reason=request.POST.get("reason", ""))
            messages.success(request, f"已取消{assignment.officer.name}的免修。")
        else:
            services.assignment_exempt(by=user, assignment=assignment, reason=request.POST.get("reason", ""))
            messages.success(request, f"已为{assignment.officer.name}办理“{assignment.item.title}”免修。")
    except PlanError as exc:
        messages.error(request, f"免修理由：{exc.message}" if exc.field == "reason" else exc.message)
    plan = assignment.item.plan
    return redirect(f"{reverse('plans:plan-progress', args=[plan.pk])}?unit={assignment.officer.unit_id}&status=")


@console_page
def summary_pdf(request: HttpRequest) -> HttpResponse:
    """The year-end summary of a unit subtree: every plan item applying to it, per child unit, rotation."""
    user = _user(request)
    year = _int(request.GET.get("year")) or timezone.localdate().year
    unit = access.console_unit(user, _int(request.GET.get("unit")))
    summary = queries.year_summary(unit=unit, year=year)
    data = exports.summary_pdf(unit_name=unit.name, year=year, today=timezone.localdate(), **summary)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=plans-summary-{unit.pk}-{year}.pdf"
    return response
