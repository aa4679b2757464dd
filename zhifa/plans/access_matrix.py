"""Who may open each plans URL (walked by zhifa/common/tests/test_access_matrix.py)."""

from zhifa.common.access_matrix import Case, console, logged_in, only


def _plan(w):
    """A published plan of 江北市市场监督管理局 (王芳's unit) with one hours target (made once per matrix run)."""
    if "plans_plan" not in w.extra:
        from datetime import date
        from decimal import Decimal

        from zhifa.plans.models import Assignment, PlanItem, TrainingPlan

        plan = TrainingPlan.objects.create(unit=w.org.market, year=2026, title="矩阵计划", status="published")
        item = PlanItem.objects.create(
            plan=plan,
            kind="hours_target",
            title="法律知识学时",
            target=Decimal("10"),
            window_start=date(2026, 1, 1),
            deadline=date(2026, 12, 31),
        )
        w.extra["plans_plan"] = plan
        w.extra["plans_item"] = item
        w.extra["plans_assignment"] = Assignment.objects.create(
            item=item, officer=w.officer, unit_path=w.officer.unit.path
        )
    return {"plan_id": w.extra["plans_plan"].pk}


def _item(w):
    return {**_plan(w), "item_id": w.extra["plans_item"].pk}


def _assignment(w):
    _plan(w)
    return {"assignment_id": w.extra["plans_assignment"].pk}


def _rule(w):
    if "plans_rule" not in w.extra:
        from zhifa.plans.models import RotationRule

        w.extra["plans_rule"] = RotationRule.objects.create(unit=w.org.market, name="矩阵轮训")
    return {"rule_id": w.extra["plans_rule"].pk}


def _batch(w):
    if "plans_batch" not in w.extra:
        from datetime import date

        from zhifa.plans.models import RotationBatch

        _rule(w)
        w.extra["plans_batch"] = RotationBatch.objects.create(
            rule=w.extra["plans_rule"],
            name="矩阵批次",
            year=2026,
            capacity=5,
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 3, 5),
        )
    return {"batch_id": w.extra["plans_batch"].pk}


# The market bureau's administrator manages the plan; the auditor reads it; the sysadmin manages everything.
_POST_MANAGERS = {"unit_admin": 302, "auditor": 302, "sysadmin": 302}

CASES = {
    "plans:my-plan": logged_in(),
    "plans:plan-list": console(),
    "plans:plan-create": console(405),
    "plans:plan-detail": console(kwargs=_plan),
    "plans:item-add": console(405, kwargs=_plan),
    "plans:item-remove": console(405, kwargs=_item),
    "plans:plan-publish": console(405, kwargs=_plan),
    "plans:plan-withdraw": console(405, kwargs=_plan),
    "plans:plan-delete": console(405, kwargs=_plan),
    "plans:plan-copy": console(405, kwargs=_plan),
    "plans:plan-progress": console(kwargs=_plan),
    "plans:progress-export": console(kwargs=_plan),
    # POST: managers are sent back to the progress page (302); the auditor too, with a refusal message.
    "plans:progress-remind": only(_POST_MANAGERS, kwargs=_plan, method="post", data={}),
    # POST without a reason: managers are sent back (302) and nothing changes; the auditor manages nobody (404).
    "plans:assignment-exempt": only(
        {"unit_admin": 302, "sysadmin": 302}, kwargs=_assignment, method="post", data={"reason": ""}
    ),
    "plans:summary-pdf": console(),
    "plans:rotation": console(),
    "plans:rotation-rule": console(kwargs=_rule),
    "plans:batch-create": console(405, kwargs=_rule),
    "plans:rotation-items": console(405, kwargs=_rule),
    "plans:batch-enrol": console(405, kwargs=_batch),
    "plans:batch-finish": console(405, kwargs=_batch),
    "plans:content": console(),
    "plans:content-review": console(405),
}

__all__ = ["CASES", "Case"]
