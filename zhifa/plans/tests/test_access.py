"""The plans part of the access matrix on its own (the platform-wide walk stops at the first app that errors)."""

from django.urls import reverse

from zhifa.common.access_matrix import PERSONAS
from zhifa.common.tests.test_access_matrix import _client_for, world  # noqa: F401  (the fixture)
from zhifa.plans.access_matrix import CASES


def test_every_persona_gets_what_the_plans_matrix_says(world):  # noqa: F811
    failures = []
    for name, case in sorted(CASES.items()):
        url = reverse(name, kwargs=case.resolve_kwargs(world)) + case.query
        for persona in PERSONAS:
            client = _client_for(world, persona)
            data = case.resolve_data(world)
            response = (
                getattr(client, case.method)(url, data) if data is not None else getattr(client, case.method)(url)
            )
            expected = case.expect[persona]
            if response.status_code != expected and not (expected == 302 and response.status_code in (301, 302)):
                failures.append(f"{name} {persona}: 期望 {expected}，实际 {response.status_code}")
    assert not failures, "\n".join(failures)
