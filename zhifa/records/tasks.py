"""Background work: approving 待公布 hours when their release time comes."""

from __future__ import annotations

from django.tasks import task

from zhifa.records import services


@task()
def hours_release_task() -> int:
    """Approve every 待公布 entry whose release time has come (queued for that time by hours_credit)."""
    return services.hours_release_due()
