"""Helpers for plan tests: a plan with items, made through the services as an administrator would."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from zhifa.people.models import Audience, Unit, User
from zhifa.plans import services
from zhifa.plans.models import PlanItem, TrainingPlan
from zhifa.plans.services import ItemIn

YEAR = 2026


def hours_item(title: str = "法律知识学时", target: str = "10", deadline: date | None = None, **kw) -> ItemIn:
    return ItemIn(
        kind=PlanItem.Kind.HOURS_TARGET,
        title=title,
        window_start=date(YEAR, 1, 1),
        deadline=deadline or date(YEAR, 12, 31),
        category="legal",
        target=Decimal(target),
        **kw,
    )


def make_plan(
    by: User,
    unit: Unit,
    *,
    year: int = YEAR,
    items: list[ItemIn] | None = None,
    audience: Audience | None = None,
    publish: bool = False,
) -> TrainingPlan:
    plan = services.plan_create(by=by, unit=unit, year=year, title=f"{year}年度{unit.name}培训计划")
    for data in items if items is not None else [hours_item()]:
        services.item_add(by=by, plan=plan, data=data, audience=audience)
    if publish:
        services.plan_publish(by=by, plan=plan)
        plan.refresh_from_db()
    return plan
