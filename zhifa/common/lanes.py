"""Lanes: the few hot JSON endpoints (video heartbeats, exam autosave) served ahead of the middleware stack.

Why. A heartbeat or an autosave is a tiny write, sent every few seconds by every watching or examining officer.
Through the whole stack (fourteen middleware, django-ninja's routing, its second CSRF check and its schema layer)
the request cost twice the write itself: measured in-process on SQLite, 0.97 ms of CPU per heartbeat through
the stack against 0.45 ms for the same session and user checks plus the write (docs/performance.md).

How. A lane is a plain function registered with `@lane(method, path pattern, url_name=…)` beside the django-ninja
endpoint it shadows (same URL, same service call, same response). `LaneMiddleware` sits right after
`SecurityMiddleware` (so HTTPS redirects and security headers still apply); for
a request that matches a lane it does exactly what the stack would do for an authenticated, well-formed request,
with Django's own functions: the session from the cookie, `django.contrib.auth.get_user` (active user, session
hash), Django's CSRF check, and the idle-timeout rule of `IdleTimeoutMiddleware`. Then it calls the lane.

A lane only ever takes the ordinary case. Whenever anything is unusual (no or expired session, a CSRF failure,
a session idle too long or due its once-a-minute `last_seen` refresh, a body the lane's schema rejects) it steps
aside and the request goes down the full stack to the django-ninja endpoint, which gives the canonical answer
(401, 403, 422, the idle logout). So a lane changes how fast a request is served, never what it answers; the
tests in `portal/tests/test_lanes.py` hold each lane to its endpoint's URL name.

What a lane does not run: django-otp's verification flag, the password-expiry redirect (API paths are exempt from
it anyway), locale selection, messages, the frame and CSP headers, axes (log-in only). So a lane is only for an
officer's own writes that need none of these; an endpoint that requires a verified second factor must not be one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from pydantic import BaseModel, ValidationError

from zhifa.common.ids import path_id_ok
from zhifa.common.middleware import client_ip, idle_state
from zhifa.common.request_context import reset_current_ip, set_current_ip

LaneHandler = Callable[..., HttpResponse | None]


@dataclass(frozen=True, slots=True)
class Lane:
    method: str
    pattern: re.Pattern[str]
    url_name: str  # the django-ninja endpoint this lane shadows (namespace "api")
    body: type[BaseModel] | None  # the endpoint's body schema: the lane parses and validates it the same way
    handler: LaneHandler


LANES: list[Lane] = []


def lane(
    method: str, pattern: str, *, url_name: str, body: type[BaseModel] | None = None
) -> Callable[[LaneHandler], LaneHandler]:
    """Register `handler(request, **groups, payload=body)`. It returns a response, or None, or raises Http404 before
    it has written anything, to send the request down the stack (whose endpoint gives the canonical answer)."""

    def register(handler: LaneHandler) -> LaneHandler:
        LANES.append(Lane(method, re.compile(pattern), url_name, body, handler))
        return handler

    return register


def _no_view(request: HttpRequest) -> HttpResponse:  # CsrfViewMiddleware wants a get_response; never called
    raise AssertionError("unreachable")


class LaneMiddleware:
    """After SecurityMiddleware: serve a matching, ordinary request by its lane; everything else passes through."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(_no_view)
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore
        # While a secret key is being rotated, get_user may move a session to a new key and a new cookie, which only
        # the full stack can send back: lanes stand aside until SECRET_KEY_FALLBACKS is empty again.
        self.enabled = not settings.SECRET_KEY_FALLBACKS
        import_module(settings.ROOT_URLCONF)  # the API modules register their lanes when they are imported

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.enabled and request.path_info.startswith("/api/"):
            for entry in LANES:
                if entry.method == request.method and (match := entry.pattern.match(request.path_info)):
                    response = self._serve(request, entry, match.groupdict())
                    if response is not None:
                        return response
                    break
        return self.get_response(request)

    def _serve(self, request: HttpRequest, entry: Lane, groups: dict[str, Any]) -> HttpResponse | None:
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not key:
            return None
        request.session = self.session_store(key)
        if idle_state(request.session) != "fresh":
            return None  # idle too long, or last_seen due: the stack's IdleTimeoutMiddleware handles it
        if request.session.get("zhifa_2fa_pending"):
            return None  # an administrator before his second factor: the stack refuses (zhifa/security/middleware.py)
        user = get_user(request)
        if not user.is_authenticated:
            return None
        request.user = user
        if self.csrf.process_view(request, None, (), {}) is not None:
            return None
        if not all(path_id_ok(value) for name, value in groups.items() if name.endswith("_id")):
            return None  # an id the database cannot hold: the endpoint answers 422 (zhifa/common/ids.py)
        if entry.body is not None:
            try:
                groups["payload"] = entry.body.model_validate_json(request.body)
            except ValidationError:
                return None  # the endpoint answers with its 422
        token = set_current_ip(client_ip(request))
        try:
            response = entry.handler(request, **groups)
        except Http404:
            return None
        finally:
            reset_current_ip(token)
        if response is not None:
            response.headers.setdefault("Vary", "Cookie")  # as SessionMiddleware marks a response that read it
        return response
