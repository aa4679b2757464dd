"""The client IP of the request being served, so services can audit it without taking a request argument."""

from __future__ import annotations

from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("zhifa_client_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


def set_current_ip(ip: str | None):
    return _ip.set(ip)


def reset_current_ip(token) -> None:
    _ip.reset(token)
