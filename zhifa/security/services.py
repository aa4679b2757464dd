"""Writes of the security app: enrolling and confirming an administrator's TOTP device (audited)."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhifa.common.audit import audit_record
from zhifa.people.models import User


class SecondFactorError(Exception):
    """A wrong or expired code; the message is for the user."""


def second_factor_device(*, user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if he has one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def second_factor_enrol(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per user; made on first call), to show as a QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=False)
    return device


@transaction.atomic
def second_factor_confirm(*, user: User, token: str) -> TOTPDevice:
    """Confirm the enrolling device with a code from the phone; raises SecondFactorError for a wrong code."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        raise SecondFactorError("动态口令不正确或已过期，请输入手机上当前显示的 6 位数字。")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="security.second-factor-enrolled", obj=user, new={"device": device.name})
    return device


def second_factor_check(*, user: User, token: str) -> TOTPDevice:
    """The confirmed device that accepts `token`; raises SecondFactorError otherwise (each code works once)."""
    device = second_factor_device(user=user)
    if device is not None:
        allowed, _ = device.verify_is_allowed()
        if not allowed:  # django-otp's throttle: each failure doubles the wait before the next try
            raise SecondFactorError("动态口令错误次数过多，请稍候几秒再试。")
    if device is None or not device.verify_token(token.strip()):
        raise SecondFactorError("动态口令不正确或已过期，请输入手机上当前显示的 6 位数字。")
    return device
