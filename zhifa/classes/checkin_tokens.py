"""Rotating check-in tokens (pure: no ORM): a signed "session.step.action" where step = unix time // step seconds.

The classroom screen shows the token of the current step; a phone's scan is accepted for the current step and the
one before it (scanning delay), nothing older — the model of Moodle's attendance module. A photo of the code sent
to a colleague at home stops working after at most two steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core import signing

SALT = "zhifa.classes.checkin"
ACTIONS = ("in", "out")


class TokenError(ValueError):
    """A token that is not accepted; the message is Chinese and says what to do."""


class ForgedToken(TokenError):
    pass


class StaleToken(TokenError):
    pass


class OtherSessionToken(TokenError):
    pass


@dataclass(frozen=True)
class Token:
    session_id: int
    step: int
    action: str


def step_at(moment: datetime, step_seconds: int) -> int:
    return int(moment.timestamp()) // step_seconds


def seconds_left(moment: datetime, step_seconds: int) -> float:
    """Seconds until the code shown at `moment` changes."""
    return step_seconds - (moment.timestamp() % step_seconds)


def token_make(*, session_id: int, step: int, action: str = "in") -> str:
    if action not in ACTIONS:
        raise ValueError(action)
    return signing.Signer(salt=SALT).sign(f"{session_id}.{step}.{action}")


def token_read(token: str) -> Token:
    """The token's fields; raises ForgedToken when the signature does not hold or the text is malformed."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
        session_id, step, action = value.split(".")
        parsed = Token(int(session_id), int(step), action)
    except (signing.BadSignature, ValueError):
        raise ForgedToken("签到码无效（不是本系统生成的二维码），请扫描教室屏幕上的二维码。")
    if parsed.action not in ACTIONS:
        raise ForgedToken("签到码无效（不是本系统生成的二维码），请扫描教室屏幕上的二维码。")
    return parsed


def token_check(token: str, *, session_id: int, now: datetime, step_seconds: int) -> Token:
    """The token if it names this session and the current or previous step; raises a TokenError otherwise."""
    parsed = token_read(token)
    if parsed.session_id != session_id:
        raise OtherSessionToken("这是另一课次的签到码，请扫描本课次教室屏幕上的二维码。")
    current = step_at(now, step_seconds)
    if parsed.step not in (current, current - 1):
        raise StaleToken("签到码已过期（二维码每隔几秒更换），请重新扫描教室屏幕上当前的二维码。")
    return parsed
