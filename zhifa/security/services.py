"""Writes of the security app: an administrator's TOTP device (audited), and the security administrator's duties
(三员分立): unlocking accounts and resetting second factors."""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhifa.common.audit import audit_record
from zhifa.people import access
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


class SecurityDutyError(Exception):
    """A security administrator's request that cannot be done as asked; the message is for him."""


def _security_admin(by: User) -> None:
    if refusal := access.separation_refusal(by, "security"):
        raise PermissionDenied(refusal)
    if not access.can_manage_security(by):
        raise PermissionDenied("只有安全管理员可以办理此项。")


def _account(username: str) -> User:
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise SecurityDutyError(f"没有用户名为“{username.strip()}”的账号，请核对后重试。")
    return user


@transaction.atomic
def lockout_reset(*, by: User, username: str) -> int:
    """Unlock an account (every IP it was locked from); returns how many lockouts were cleared. Raises
    PermissionDenied for anyone but a security administrator (三员分立), SecurityDutyError for nothing to clear."""
    _security_admin(by)
    cleared = axes_reset(username=username.strip())
    if not cleared:
        raise SecurityDutyError(f"账号“{username.strip()}”当前没有被锁定，无需解锁。")
    audit_record(actor=by, action="security.lockout-reset", new={"username": username.strip(), "count": cleared})
    return cleared


@transaction.atomic
def second_factor_reset(*, by: User, username: str, reason: str) -> User:
    """Remove an administrator's TOTP devices (a lost phone): he enrols again at his next log-in. Raises
    PermissionDenied (三员分立), SecurityDutyError for an unknown account, one's own, or a missing reason."""
    _security_admin(by)
    user = _account(username)
    if user.pk == by.pk:
        raise SecurityDutyError("不能重置自己的动态口令，请由另一名安全管理员办理。")
    if not reason.strip():
        raise SecurityDutyError("请填写重置原因（例如：手机丢失，已核实本人身份）。")
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    if not removed:
        raise SecurityDutyError(f"账号“{user.username}”尚未绑定动态口令，无需重置。")
    audit_record(actor=by, action="security.second-factor-reset", obj=user, reason=reason.strip()[:200])
    return user
