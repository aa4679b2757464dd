"""Walk every named URL with every persona and compare with the declared matrix (zhifa/<app>/access_matrix.py)."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhifa.common.access_matrix import PERSONAS, Case, World

IGNORED_NAMESPACES = {"admin"}  # Django admin: its own test (system administrators only)


def _walk(patterns, namespace: str = "") -> list[str]:
    names = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            if ns in IGNORED_NAMESPACES:
                continue
            names += _walk(p.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern):
            names.append(f"{namespace}{p.name}" if p.name else f"{namespace}<unnamed {p.pattern}>")
    return names


def url_names() -> list[str]:
    return sorted(set(_walk(get_resolver().url_patterns)))


def declared_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for app in settings.INSTALLED_APPS:
        if app.startswith("zhifa.") and find_spec(f"{app}.access_matrix") is not None:
            cases.update(import_module(f"{app}.access_matrix").CASES)
    return cases


def test_every_url_has_a_declared_outcome_for_every_persona():
    cases = declared_cases()
    missing = [name for name in url_names() if name not in cases]
    assert not missing, f"这些 URL 没有在 access_matrix.py 中声明各角色的访问结果：{missing}"
    for name, case in cases.items():
        assert set(case.expect) == set(PERSONAS), (
            f"{name}: 需为每个角色声明结果，缺少 {set(PERSONAS) - set(case.expect)}"
        )


@pytest.fixture
def world(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin) -> World:
    return World(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin)


def _client_for(world: World, persona: str) -> Client:
    client = Client()
    if persona == "citizen":
        return client
    user = getattr(world, persona)
    client.force_login(getattr(user, "user", user))  # officers are Officer rows; the rest are Users
    return client


def test_every_persona_gets_exactly_what_the_matrix_says(world):
    failures = []
    for name, case in sorted(declared_cases().items()):
        if name.startswith("<") or "<unnamed" in name:
            continue
        url = reverse(name, kwargs=case.resolve_kwargs(world)) + case.query
        for persona in PERSONAS:
            client = _client_for(world, persona)
            kwargs = {"content_type": case.content_type} if case.content_type else {}
            data = case.resolve_data(world)
            response = (
                getattr(client, case.method)(url, data, **kwargs)
                if data is not None
                else getattr(client, case.method)(url, **kwargs)
            )
            status = response.status_code
            expected = case.expect[persona]
            if status != expected and not (expected == 302 and status in (301, 302, 401)):
                failures.append(f"{name} [{case.method.upper()} {url}] {persona}: 期望 {expected}，实际 {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", PERSONAS)
def test_django_admin_is_for_system_administrators_only(world, persona):
    response = _client_for(world, persona).get("/django-admin/")
    if persona == "sysadmin":
        assert response.status_code == 200
    else:
        assert response.status_code == 302  # to the admin login page: staff only
