"""Reads of plans, assignments, rotation and content review for a user (access-checked through people.access)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Max

from zhifa.plans.models import RotationRecord


def rotation_last_completed(*, officer_ids: Iterable[int]) -> dict[int, date]:
    """The date of each officer's latest finished rotation; officers who never finished one are absent."""
    ids = list(officer_ids)
    rows = (
        RotationRecord.objects.filter(officer_id__in=ids)
        .values("officer_id")
        .annotate(last=Max("completed_on"))
        .values_list("officer_id", "last")
    )
    return dict(rows)
