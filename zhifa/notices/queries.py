"""Reads of a user's own notices."""

from __future__ import annotations

from django.db.models import QuerySet

from zhifa.notices.models import Notice
from zhifa.people.models import User


def notices_for_user(*, user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user)


def unread_count(*, user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()
