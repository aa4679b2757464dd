"""Sending notices: notice_send() is the platform's one way to tell a user something."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from zhifa.notices.models import ChannelPreference, Notice, NoticeDelivery
from zhifa.notices.queries import channels_enabled
from zhifa.notices.senders import SendError, sender_for
from zhifa.people.models import User


@dataclass(frozen=True)
class NoticeIn:
    user_id: int
    key: str
    title: str
    body: str = ""
    url: str = ""
    kind: str = Notice.Kind.SYSTEM


def text_send(*, channel: str, address: str, text: str) -> None:
    """Send one short text to an address outside the platform's users (e.g. a citizen's phone for a survey link)
    through the channel's configured sender; nothing is stored. Raises SendError (Chinese message) on failure."""
    sender_for(channel).send_text(address=address, text=text)


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
        Notice.objects.filter(user_id__in_array={u for u, _ in keys}, key__in_array={k for _, k in keys}).values_list(
            "user_id", "key"
        )
    )
    with transaction.atomic():
        Notice.objects.bulk_create(batch, ignore_conflicts=True, batch_size=500)
    # Only a rough count for the caller's report; delivery to outside channels reads the rows themselves.
    new = sorted(keys - before)
    if new:
        transaction.on_commit(lambda: _deliver_later(new))
    return len(new)


DELIVERY_CHUNK = 500  # (user, key) pairs per delivery task


def _deliver_later(pairs: list[tuple[int, str]]) -> None:
    """Queue the delivery of new notices to their users' outside channels (after the notices are committed)."""
    from zhifa.notices.tasks import notices_deliver_task

    for start in range(0, len(pairs), DELIVERY_CHUNK):
        notices_deliver_task.enqueue([[u, k] for u, k in pairs[start : start + DELIVERY_CHUNK]])


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


# ---- outside channels -------------------------------------------------------------------------------------------

Channel = ChannelPreference.Channel


@transaction.atomic
def channel_preferences_set(*, user: User, enabled: Iterable[str]) -> set[str]:
    """Record which outside channels the user receives (every channel not named is off); returns them."""
    wanted = set(enabled)
    unknown = wanted - set(Channel.values)
    if unknown:
        raise ValidationError({"channels": f"没有这种通知渠道：{'、'.join(sorted(unknown))}，请从列表中选择。"})
    for channel in Channel.values:
        ChannelPreference.objects.update_or_create(user=user, channel=channel, defaults={"enabled": channel in wanted})
    return wanted


def _mask(channel: str, address: str) -> str:
    if channel == Channel.EMAIL and "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"[:200]
    return address[:200]


def notices_deliver(pairs: Iterable[tuple[int, str]]) -> dict[str, int]:
    """Deliver these notices (by user and key) to their users' enabled outside channels, each at most once.

    A NoticeDelivery row per (notice, channel) is inserted once (unique constraint; a second run or worker inserts
    nothing), and a row is sent only by the worker whose UPDATE moves it from pending to sending. Returns counts by
    outcome."""
    wanted = {(int(u), str(k)) for u, k in pairs}
    if not wanted:
        return {}
    candidates = Notice.objects.filter(user_id__in_array={u for u, _ in wanted}, key__in_array={k for _, k in wanted})
    notices = [n for n in candidates.only("id", "user_id", "key") if (n.user_id, n.key) in wanted]
    channels = channels_enabled({n.user_id for n in notices})
    rows = [NoticeDelivery(notice_id=n.pk, channel=c) for n in notices for c in sorted(channels[n.user_id])]
    NoticeDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return deliveries_send(NoticeDelivery.objects.filter(notice_id__in_array=[n.pk for n in notices]))


def deliveries_send(deliveries: QuerySet[NoticeDelivery]) -> dict[str, int]:
    """Send the pending ones among `deliveries`; each is claimed first, so two workers never send the same one."""
    counts: dict[str, int] = {}
    pending = deliveries.filter(status=NoticeDelivery.Status.PENDING).select_related("notice__user")
    for delivery in pending:
        claimed = NoticeDelivery.objects.filter(pk=delivery.pk, status=NoticeDelivery.Status.PENDING).update(
            status=NoticeDelivery.Status.SENDING
        )
        if not claimed:
            continue  # another worker has it
        status, error, address = _send_one(delivery)
        NoticeDelivery.objects.filter(pk=delivery.pk).update(
            status=status,
            error=error[:300],
            address=_mask(delivery.channel, address),
            sent_at=timezone.now() if status == NoticeDelivery.Status.SENT else None,
        )
        counts[status] = counts.get(status, 0) + 1
    return counts


def _send_one(delivery: NoticeDelivery) -> tuple[str, str, str]:
    notice, user = delivery.notice, delivery.notice.user
    sender = sender_for(delivery.channel)
    address = sender.address(user)
    if not address:
        label = Channel(delivery.channel).label
        return NoticeDelivery.Status.SKIPPED, f"账号未登记{label}的接收地址", ""
    try:
        sender.send(user=user, address=address, notice=notice)
    except SendError as exc:
        return NoticeDelivery.Status.FAILED, str(exc), address
    return NoticeDelivery.Status.SENT, "", address
