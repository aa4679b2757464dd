"""Sending notices: notice_send() is the platform's one way to tell a user something."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from zhifa.notices.models import Notice
from zhifa.people.models import User


@dataclass(frozen=True)
class NoticeIn:
    user_id: int
    key: str
    title: str
    body: str = ""
    url: str = ""
    kind: str = Notice.Kind.SYSTEM


def notices_send(notices: Iterable[NoticeIn]) -> int:
    """Create the notices not sent before (by user and key) and return how many are new.

    Exactly once under concurrency: the unique (user, key) constraint decides, not a prior read, so two workers
    running the same reminder job insert each notice once between them.
    """
    batch = [Notice(user_id=n.user_id, key=n.key, title=n.title, body=n.body, url=n.url, kind=n.kind) for n in notices]
    if not batch:
        return 0
    keys = {(n.user_id, n.key) for n in batch}
    before = set(
        Notice.objects.filter(user_id__in={u for u, _ in keys}, key__in={k for _, k in keys}).values_list(
            "user_id", "key"
        )
    )
    with transaction.atomic():
        Notice.objects.bulk_create(batch, ignore_conflicts=True, batch_size=500)
    # Only a rough count for the caller's report; delivery to outside channels reads the rows themselves.
    return len(keys - before)


def notice_send(
    *, user: User, key: str, title: str, body: str = "", url: str = "", kind: str = Notice.Kind.SYSTEM
) -> bool:
    """Send one notice unless a notice with this key already went to this user; True when it is new."""
    return notices_send([NoticeIn(user_id=user.pk, key=key, title=title, body=body, url=url, kind=kind)]) == 1


def notices_mark_read(*, user: User, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all when no ids are given); returns how many changed."""
    unread = Notice.objects.filter(user=user, read_at__isnull=True)
    if notice_ids is not None:
        unread = unread.filter(pk__in=list(notice_ids))
    return unread.update(read_at=timezone.now())
