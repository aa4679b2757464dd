"""The surveys rows of the access matrix, walked on their own (the whole matrix is in common/tests)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from zhifa.common.access_matrix import PERSONAS, World
from zhifa.surveys.access_matrix import CASES


def test_every_persona_gets_what_the_surveys_matrix_says(org, officer, outsider, unit_admin, instructor, evaluator,
                                                          auditor, sysadmin):  # fmt: skip
    world = World(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin)
    failures = []
    for name, case in sorted(CASES.items()):
        url = reverse(name, kwargs=case.resolve_kwargs(world)) + case.query
        for persona in PERSONAS:
            client = Client()
            if persona != "citizen":
                user = getattr(world, persona)
                client.force_login(getattr(user, "user", user))
            data = case.resolve_data(world)
            response = (
                getattr(client, case.method)(url, data) if data is not None else getattr(client, case.method)(url)
            )
            expected = case.expect[persona]
            if response.status_code != expected:
                failures.append(f"{name} {persona}: 期望 {expected}，实际 {response.status_code}")
    assert not failures, "\n".join(failures)
