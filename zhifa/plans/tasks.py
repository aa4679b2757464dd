"""Background work of plans: the status refresh and the reminders (also run by cron through the commands)."""

from __future__ import annotations

from django.tasks import task

from zhifa.plans import reminders, services


@task
def plans_refresh() -> dict:
    """Sync every published plan's assignments with its audiences and recompute their status from the ledgers."""
    created, changed = services.plans_refresh_all()
    return {"created": created, "changed": changed}


@task
def plan_reminders_send() -> int:
    """Refresh the statuses, then send the reminders due today (each once per officer and key)."""
    services.plans_refresh_all()
    return reminders.reminders_send()


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
