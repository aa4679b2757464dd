"""Background work of plans: a publication's notices and a big plan's assignments (the periodic refresh and
reminders are the commands refresh_plan_status and send_plan_reminders, run by the timers)."""

from __future__ import annotations

from django.tasks import task

from zhifa.plans import reminders, services


@task
def plan_notices_send(plan_id: int) -> int:
    """The notices of a plan just published (new assignments, and any deadline reminder already due)."""
    from zhifa.plans.models import TrainingPlan

    plan = TrainingPlan.objects.filter(pk=plan_id, status=TrainingPlan.Status.PUBLISHED).first()
    return reminders.reminders_send(plan=plan) if plan is not None else 0


@task
def plan_publish_finish(plan_id: int) -> int:
    """A big plan's publication in the background: assignments, their status, then the notices."""
    from django.db import transaction

    from zhifa.plans.models import TrainingPlan

    plan = TrainingPlan.objects.filter(pk=plan_id, status=TrainingPlan.Status.PUBLISHED).first()
    if plan is None:
        return 0
    with transaction.atomic():
        created = services.assignments_sync(plan=plan)
        services.assignments_refresh(plan=plan)
    reminders.reminders_send(plan=plan)
    return created
