"""Reads of the classes app; other apps call class_completion()."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from zhifa.classes.models import Attendance, ClassSession, Enrolment, OfflineClass


def class_completion(*, class_ids: Iterable[int], officer_ids: Iterable[int]) -> dict[tuple[int, int], bool]:
    """For every (class, officer) pair: True when the officer attended every required session of his group.

    Attended means checked in, and also checked out when the session requires it. A cancelled class, a class with
    no required session, or an officer not enrolled is never complete. Three queries, whatever the sizes.
    """
    class_ids, officer_ids = list(dict.fromkeys(class_ids)), list(dict.fromkeys(officer_ids))
    result = {(c, o): False for c in class_ids for o in officer_ids}
    if not class_ids or not officer_ids:
        return result
    sessions: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for session_id, class_id, group in (
        ClassSession.objects.filter(offline_class_id__in=class_ids, required=True)
        .exclude(offline_class__status=OfflineClass.Status.CANCELLED)
        .values_list("pk", "offline_class_id", "group")
    ):
        sessions[class_id].append((session_id, group))
    attended = set(
        Attendance.objects.filter(session__offline_class_id__in=class_ids, officer_id__in=officer_ids)
        .filter(Q(session__checkout_required=False) | Q(checked_out_at__isnull=False))
        .values_list("session_id", "officer_id")
    )
    for class_id, officer_id, group in Enrolment.objects.filter(
        offline_class_id__in=class_ids, officer_id__in=officer_ids, status=Enrolment.Status.ENROLLED
    ).values_list("offline_class_id", "officer_id", "group"):
        required = [s for s, g in sessions.get(class_id, []) if not g or g == group]
        result[(class_id, officer_id)] = bool(required) and all((s, officer_id) in attended for s in required)
    return result
