"""Signed, expiring survey tokens (django.core.signing) naming what they rate and nothing else.

A token's payload is [kind, id]: "o" an officer's poster, "u" a unit's poster (or service window), "w" a unit's
open link for a website, "a" a one-time link of one enforcement act (ActLink id). Posters and open links live a year,
act links 30 days. The signature is Django's HMAC under SECRET_KEY with this module's salt.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

SALT = "zhifa.surveys.token"
FORM_SALT = "zhifa.surveys.form"
LIFETIME = {
    "o": timedelta(days=365),
    "u": timedelta(days=365),
    "w": timedelta(days=365),
    "a": timedelta(days=30),
}


class TokenError(Exception):
    """The token cannot be used; `message` says why in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Target:
    kind: str  # "o", "u", "w" or "a"
    id: int


def token_make(kind: str, target_id: int) -> str:
    """A signed token for one target; ValueError for an unknown kind."""
    if kind not in LIFETIME:
        raise ValueError(kind)
    return signing.dumps([kind, int(target_id)], salt=SALT)


def token_read(token: str) -> Target:
    """The target of a token; TokenError when it was tampered with, is malformed or has expired.

    The signature is checked once; the age then comes from the token's own (signed) timestamp, since the lifetime
    depends on the kind inside it."""
    try:
        kind, target_id = signing.loads(token, salt=SALT)
        signed_at = signing.b62_decode(token.rsplit(":", 2)[1])
    except (signing.BadSignature, ValueError, TypeError, IndexError):
        raise TokenError("评价链接无效：二维码或链接不完整、已被改动。请重新扫描原二维码。")
    if kind not in LIFETIME or not isinstance(target_id, int):
        raise TokenError("评价链接无效：二维码或链接不完整、已被改动。请重新扫描原二维码。")
    if time.time() - signed_at > LIFETIME[kind].total_seconds():
        raise TokenError("评价链接已过期：请使用执法单位最新发放的二维码或链接。")
    return Target(kind=kind, id=target_id)


@dataclass(frozen=True)
class Stamp:
    """A form's signed "served at" stamp, read back: its age and what the page showed ("o.12.3": kind, id, unit)."""

    age: float
    shown: str


def form_stamp(shown: str = "") -> str:
    """A signed stamp for the form: when it was served (the minimum fill time) and what it showed, so that the POST
    need not read again what the page already read (queries.subject_for_token)."""
    return signing.TimestampSigner(salt=FORM_SALT).sign(f"f{shown}")


def form_stamp_read(stamp: str) -> Stamp | None:
    """The stamp's age and contents; None when it is missing, forged or older than a day."""
    signer = signing.TimestampSigner(salt=FORM_SALT)
    try:
        value = signer.unsign(stamp, max_age=timedelta(days=1))
        return Stamp(age=time.time() - signing.b62_decode(stamp.rsplit(":", 2)[1]), shown=value[1:])
    except (signing.BadSignature, ValueError, IndexError):
        return None
