"""The access matrix: for every named URL, what each persona gets. Walked by common/tests/test_access_matrix.py.

Each app declares its cases in `zhifa/<app>/access_matrix.py`:

    from zhifa.common.access_matrix import Case, logged_in, console

    CASES = {
        "laws:law-list": logged_in(),                                   # every logged-in persona 200, citizen → login
        "people:officer-detail": Case(
            kwargs=lambda w: {"officer_id": w.officer.pk},               # w: the World below, with personas
            expect={"officer": 200, "unit_admin": 200, "outsider": 404, "instructor": 404, "evaluator": 404,
                    "auditor": 200, "sysadmin": 200, "citizen": 302},
        ),
    }

A new URL without a case fails the test, so nobody forgets to decide who may open it. `method` is GET unless set;
for POST-only endpoints the matrix checks the refusal side (status for a GET is usually 405, or use method="post"
with `data`). Statuses: 200 (or any 2xx when `ok_any_2xx`), 302 (redirect to login), 403, 404, 405.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PERSONAS = ["citizen", "officer", "outsider", "unit_admin", "instructor", "evaluator", "auditor", "sysadmin"]


@dataclass
class World:
    """The personas and their organisation, built once per matrix test (see zhifa.people.testing)."""

    org: Any
    officer: Any
    outsider: Any
    unit_admin: Any
    instructor: Any
    evaluator: Any
    auditor: Any
    sysadmin: Any
    extra: dict = field(default_factory=dict)  # objects a kwargs callable made and other cases may reuse


@dataclass
class Case:
    expect: dict[str, int]
    kwargs: Callable[[World], dict] | dict = field(default_factory=dict)
    method: str = "get"
    data: Callable[[World], dict] | dict | None = None
    content_type: str | None = None
    query: str = ""

    def resolve_kwargs(self, world: World) -> dict:
        return self.kwargs(world) if callable(self.kwargs) else dict(self.kwargs)

    def resolve_data(self, world: World) -> dict | None:
        return self.data(world) if callable(self.data) else self.data


def logged_in(status: int = 200, *, anonymous: int = 302, **kw) -> Case:
    """Every logged-in persona gets `status`; the citizen is sent to the login page (or `anonymous`)."""
    expect = dict.fromkeys(PERSONAS, status)
    expect["citizen"] = anonymous
    return Case(expect=expect, **kw)


def public(status: int = 200, **kw) -> Case:
    return Case(expect=dict.fromkeys(PERSONAS, status), **kw)


def console(status: int = 200, *, others: int = 404, anonymous: int = 302, **kw) -> Case:
    """The admin console: unit_admin, auditor and sysadmin get `status`; other logged-in personas `others`."""
    expect = dict.fromkeys(PERSONAS, others)
    expect.update(unit_admin=status, auditor=status, sysadmin=status, citizen=anonymous)
    return Case(expect=expect, **kw)


def only(allowed: dict[str, int], *, others: int = 404, anonymous: int = 302, **kw) -> Case:
    """Named personas get their status, every other logged-in persona `others`, the citizen `anonymous`."""
    expect = dict.fromkeys(PERSONAS, others)
    expect["citizen"] = anonymous
    expect.update(allowed)
    return Case(expect=expect, **kw)


# The common app's own pages.
CASES = {
    "common:healthz": public(200),
    "common:readyz": public(200),
    "common:metrics": public(200),  # the test client is 127.0.0.1, inside METRICS_ALLOWED_IPS
    "api:api-root": public(404),
    # The API docs and schema: Django staff only (zhifa/common/apidocs.py).
    "api:openapi-json": only({"sysadmin": 200}),
    "api:openapi-view": only({"sysadmin": 200}),
    # A forged link: 404 for everyone (portal/tests/test_private_files.py walks real links).
    "common:file": public(404, kwargs={"token": "forged"}),
}
