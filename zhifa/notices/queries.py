"""Reads of a user's own notices."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from zhifa.notices.models import ChannelPreference, Notice
from zhifa.people.models import User


def notices_for_user(*, user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user)


def unread_count(*, user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def notice_get_own(*, user: User, notice_id: int) -> Notice:
    """The user's own notice; Http404 for anyone else's."""
    notice = Notice.objects.filter(user=user, pk=notice_id).first()
    if notice is None:
        raise Http404
    return notice


def channel_choices(*, user: User) -> list[tuple[str, str, bool]]:
    """(channel, label, enabled) for the preferences page, in the order of ChannelPreference.Channel."""
    enabled = channels_enabled([user.pk])[user.pk]
    return [(value, str(label), value in enabled) for value, label in ChannelPreference.Channel.choices]


def channels_enabled(user_ids: Iterable[int]) -> dict[int, set[str]]:
    """Each user's outside channels: what he chose, else e-mail when his account has an address (the bell is
    always on and is not a channel here)."""
    ids = set(user_ids)
    chosen: dict[int, dict[str, bool]] = {}
    for user_id, channel, enabled in ChannelPreference.objects.filter(user_id__in_array=ids).values_list(
        "user_id", "channel", "enabled"
    ):
        chosen.setdefault(user_id, {})[channel] = enabled
    with_email = set(User.objects.filter(pk__in_array=ids).exclude(email="").values_list("pk", flat=True))
    result = {}
    for user_id in ids:
        mine = {ChannelPreference.Channel.EMAIL.value: user_id in with_email} | chosen.get(user_id, {})
        result[user_id] = {channel for channel, on in mine.items() if on}
    return result
