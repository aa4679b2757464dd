"""Outside channels for notices: e-mail through Django's mail, and SMS / 政务钉钉 / 企业微信 behind one interface.

A sender answers where a user is reached on its channel (`address`, "" when he cannot be) and sends one notice
(`send`, raising SendError on failure). Which class serves a channel is a setting (NOTICES_SENDERS, from the
ZHIFA_NOTICES_*_SENDER variables, docs/configuration.md): the e-mail sender by default for e-mail, and the logging
sender for the others until a real adapter (an SMS gateway, the 政务钉钉 or 企业微信 work-message API) is configured.
An adapter subclasses Sender and is named there by its dotted path.
"""

from __future__ import annotations

import logging
from functools import cache

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from zhifa.notices.models import ChannelPreference, Notice
from zhifa.people.models import Officer, User

logger = logging.getLogger("zhifa.notices")


class SendError(Exception):
    """The channel refused or failed; the message (Chinese) is stored on the delivery."""


class Sender:
    """One outside channel. Subclasses override address() and send()."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def address(self, user: User) -> str:
        """Where the user is reached on this channel ("" when he cannot be); stored masked, never plain."""
        return user.username

    def send(self, *, user: User, address: str, notice: Notice) -> None:
        raise NotImplementedError

    def send_text(self, *, address: str, text: str) -> None:
        """Send a short text to an address that belongs to no user (a citizen's phone, given for this one message
        and kept nowhere). SendError when the channel cannot reach outside addresses."""
        raise SendError(f"“{self.channel}”渠道不能发送到平台用户以外的地址。")


def masked_address(address: str) -> str:
    """A phone number as logs may show it (138****8000); other addresses as they are."""
    digits = address.replace(" ", "").replace("-", "")
    if digits.isdigit() and len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return address


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{url}" if url.startswith("/") else url


class EmailSender(Sender):
    """E-mail through Django's EMAIL_BACKEND (SMTP in production, the console in development)."""

    def address(self, user: User) -> str:
        return user.email or ""

    def send(self, *, user: User, address: str, notice: Notice) -> None:
        lines = [notice.body] if notice.body else []
        if notice.url:
            lines.append(f"查看：{_absolute(notice.url)}")
        lines.append("——智慧执法学院（在“通知设置”中可关闭邮件通知）")
        try:
            send_mail(f"【智慧执法学院】{notice.title}", "\n\n".join(lines), None, [address], fail_silently=False)
        except Exception as exc:
            raise SendError(f"邮件发送失败：{exc}"[:300]) from exc


class LoggingSender(Sender):
    """Writes the message to the log instead of sending it: the stand-in for SMS, 政务钉钉 and 企业微信 until an
    adapter is configured. SMS goes to the officer's phone (masked here); the others to the login name."""

    def address(self, user: User) -> str:
        if self.channel == ChannelPreference.Channel.SMS:
            officer = Officer.objects.filter(user=user).only("phone_masked").first()
            return officer.phone_masked if officer else ""
        return user.username

    def send(self, *, user: User, address: str, notice: Notice) -> None:
        logger.info("notice %s via %s to %s: %s", notice.key, self.channel, address, notice.title)

    def send_text(self, *, address: str, text: str) -> None:
        # The text may carry a one-time link: only its length is logged, and the number masked.
        logger.info("text via %s to %s: %d characters", self.channel, masked_address(address), len(text))


@cache
def sender_for(channel: str) -> Sender:
    """The configured sender of a channel (settings.NOTICES_SENDERS: channel → dotted path)."""
    path = getattr(settings, "NOTICES_SENDERS", {}).get(channel) or (
        "zhifa.notices.senders.EmailSender"
        if channel == ChannelPreference.Channel.EMAIL
        else "zhifa.notices.senders.LoggingSender"
    )
    return import_string(path)(channel)
