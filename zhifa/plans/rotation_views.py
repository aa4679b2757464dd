"""Console pages of rotation (rules, who is due, batches) and content currency (stale content, review)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.common.decorators import page_for
from zhifa.people import access
from zhifa.people.models import Officer, Unit, User
from zhifa.plans import content, rotation
from zhifa.plans.forms import BatchForm, ReviewForm, RuleForm
from zhifa.plans.models import ContentReview, PlanItem, RotationBatch, RotationRule
from zhifa.plans.services import PlanError

console_page = page_for(access.can_use_console)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _rules_visible(user: User):
    paths = access.viewable_unit_paths(user)
    rules = RotationRule.objects.select_related("unit").order_by("unit__path")
    if paths is None:
        return rules
    return [r for r in rules if any(r.unit.path.startswith(p) for p in paths)]


def _rule_for(user: User, rule_id: int) -> RotationRule:
    rule = get_object_or_404(RotationRule.objects.select_related("unit"), pk=rule_id)
    if not access.can_view_unit(user, rule.unit):
        raise Http404
    return rule


def _manageable_units(user: User) -> list[Unit]:
    if access.is_system_admin(user):
        return list(Unit.objects.order_by("path")[:200])
    return list(access.units_managed_by(user).order_by("path")) if access.is_unit_admin(user) else []


@console_page
def rotation_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = Unit.objects.filter(pk=form.cleaned_data["unit"]).first()
        try:
            if unit is None:
                raise PlanError("请选择单位。", "unit")
            rule = rotation.rule_save(
                by=user,
                unit=unit,
                name=form.cleaned_data["name"],
                every_years=form.cleaned_data["every_years"],
                certificate_months=form.cleaned_data["certificate_months"],
            )
            return redirect("plans:rotation-rule", rule_id=rule.pk)
        except PlanError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "plans/rotation_list.html",
        {"rules": _rules_visible(user), "form": form, "units": _manageable_units(user)},
        status=status,
    )


@console_page
def rotation_rule(request: HttpRequest, rule_id: int) -> HttpResponse:
    user = _user(request)
    rule = _rule_for(user, rule_id)
    today = timezone.localdate()
    due = rotation.rotation_due(rule=rule, today=today)
    batches = list(rule.batches.filter(year=today.year).prefetch_related("enrolments"))
    for batch in batches:
        batch.free = batch.capacity - len(batch.enrolments.all())  # type: ignore[attr-defined]
    candidates = [
        i
        for i in PlanItem.objects.filter(plan__year=today.year, plan__status="published").select_related("plan__unit")
        if rule.unit.path.startswith(i.plan.unit.path) or i.plan.unit.path.startswith(rule.unit.path)
    ]
    return render(
        request,
        "plans/rotation_rule.html",
        {
            "rule": rule,
            "due": due,
            "programme": list(rule.items.select_related("plan__unit")),
            "candidates": candidates,
            "quota": rotation.yearly_quota(rule=rule),
            "batches": batches,
            "batch_form": BatchForm(initial={"name": f"{today.year}年第{len(batches) + 1}期", "capacity": 40}),
            "can_manage": access.can_manage_unit(user, rule.unit),
            "year": today.year,
        },
    )


@console_page
@require_POST
def rule_items(request: HttpRequest, rule_id: int) -> HttpResponse:
    user = _user(request)
    rule = _rule_for(user, rule_id)
    ids = [int(x) for x in request.POST.getlist("item") if x.isdigit()]
    items = list(PlanItem.objects.filter(pk__in=ids).select_related("plan__unit"))
    try:
        rotation.rule_items_set(by=user, rule=rule, items=items)
        messages.success(request, "已保存轮训内容。")
    except PlanError as exc:
        messages.error(request, exc.message)
    return redirect("plans:rotation-rule", rule_id=rule.pk)


@console_page
@require_POST
def batch_create(request: HttpRequest, rule_id: int) -> HttpResponse:
    user = _user(request)
    rule = _rule_for(user, rule_id)
    form = BatchForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            messages.error(
                request, f"{form.fields[name].label}：{errors[0]}" if name in form.fields else str(errors[0])
            )
        return redirect("plans:rotation-rule", rule_id=rule.pk)
    try:
        rotation.batch_create(
            by=user,
            rule=rule,
            year=form.cleaned_data["starts_on"].year,
            **{k: form.cleaned_data[k] for k in ("name", "capacity", "starts_on", "ends_on")},
        )
        messages.success(request, "已新建轮训批次。")
    except PlanError as exc:
        messages.error(request, exc.message)
    return redirect("plans:rotation-rule", rule_id=rule.pk)


@console_page
@require_POST
def batch_enrol(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = _user(request)
    batch = get_object_or_404(RotationBatch.objects.select_related("rule__unit"), pk=batch_id)
    _rule_for(user, batch.rule_id)
    ids = [int(x) for x in request.POST.getlist("officer") if x.isdigit()]
    officers = list(Officer.objects.filter(pk__in=ids).select_related("unit"))
    if not officers:
        messages.error(request, "请在名单中勾选要加入批次的人员。")
        return redirect("plans:rotation-rule", rule_id=batch.rule_id)
    reasons = {d.officer.pk: d.reason for d in rotation.rotation_due(rule=batch.rule) if d.officer.pk in set(ids)}
    try:
        n = rotation.batch_enrol(by=user, batch=batch, officers=officers, reasons=reasons)
        messages.success(request, f"已将{n}人加入“{batch.name}”。")
    except PlanError as exc:
        messages.error(request, exc.message)
    return redirect("plans:rotation-rule", rule_id=batch.rule_id)


@console_page
@require_POST
def batch_finish(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = _user(request)
    batch = get_object_or_404(RotationBatch.objects.select_related("rule__unit"), pk=batch_id)
    _rule_for(user, batch.rule_id)
    absent = [int(x) for x in request.POST.getlist("absent") if x.isdigit()]
    try:
        n = rotation.batch_finish(
            by=user, batch=batch, completed_on=min(batch.ends_on, timezone.localdate()), absent=absent
        )
        messages.success(request, f"批次已结业，{n}人的轮训已记入档案。")
    except PlanError as exc:
        messages.error(request, exc.message)
    return redirect("plans:rotation-rule", rule_id=batch.rule_id)


# --- content currency --------------------------------------------------------------------------------------------


@console_page
def content_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    owner_id = int(request.GET["owner"]) if request.GET.get("owner", "").isdigit() else None
    unit_id = int(request.GET["unit"]) if request.GET.get("unit", "").isdigit() else None
    stale = content.stale_content(user=user, owner_id=owner_id, unit_id=unit_id)
    owners = sorted({(s.owner.pk, str(s.owner)) for s in stale if s.owner is not None}, key=lambda o: o[1])
    recent = ContentReview.objects.select_related("decided_by", "content_type")[:20]
    return render(
        request,
        "plans/content_list.html",
        {
            "stale": stale,
            "owners": owners,
            "owner_id": owner_id,
            "unit_id": unit_id,
            "recent": recent,
            "units": list(access.units_viewable_by(user).order_by("path")[:200]),
            "form": ReviewForm(),
            "can_review": access.is_unit_admin(user) or access.is_system_admin(user),
        },
    )


@console_page
@require_POST
def content_review(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            messages.error(request, f"{form.fields[name].label}：{errors[0]}")
        return redirect("plans:content")
    if not (access.is_unit_admin(user) or access.is_system_admin(user)):
        raise Http404
    ct = get_object_or_404(ContentType, pk=form.cleaned_data["content_type"])
    object_id = form.cleaned_data["object_id"]
    visible = {(s.content_type.pk, s.object_id) for s in content.stale_content(user=user)}
    if (ct.pk, object_id) not in visible:
        raise Http404
    try:
        review = content.content_review(
            by=user,
            content_type=ct,
            object_id=object_id,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, f"已记录复核结论：{review.get_outcome_display()}。")
    except PlanError as exc:
        messages.error(request, exc.message)
    return redirect("plans:content")
