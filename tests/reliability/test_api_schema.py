"""The JSON API fuzzed from its own OpenAPI schema (schemathesis), as every role: no answer is a server error.

Every operation of /api/v1/openapi.json gets generated requests (valid and invalid parameters and bodies), sent
in-process by Django's test client with the session of each persona (and a CSRF token, so that writes reach the
view); any 5xx is a finding. Examples per operation and role: 20 (`make reliability`), 3 in the fast run.
"""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import urlencode

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core import NOT_SET

from tests.reliability.conftest import FAST, FIGURES

pytestmark = pytest.mark.django_db
EXAMPLES = 3 if FAST else 20
ROLES = ["citizen", "officer", "unit_admin", "instructor", "evaluator", "auditor", "sysadmin", "security_admin",
         "audit_admin"]  # fmt: skip
CSRF = "a" * 32


def _client(user) -> Client:
    """Django's test client as the persona (it sends the case: no server process, the test's database)."""
    client = Client(raise_request_exception=False)  # a crash is a 500 response to count, not an exception
    if user is not None:
        client.force_login(getattr(user, "user", user))
    client.cookies["csrftoken"] = CSRF
    return client


def _send(client: Client, case) -> int:
    query = urlencode(case.query or {}, doseq=True)
    body = b"" if case.body is NOT_SET else json.dumps(case.body, default=str).encode()
    headers = {k: str(v) for k, v in (case.headers or {}).items() if k.lower() not in {"cookie", "host"}}
    response = client.generic(
        case.method, case.formatted_path + (f"?{query}" if query else ""), body,
        content_type=case.media_type or "application/json", headers={**headers, "X-CSRFToken": CSRF},
    )  # fmt: skip
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_no_api_operation_answers_a_server_error(request, role, org, officer, sysadmin):
    user = None if role == "citizen" else request.getfixturevalue(role)
    client = _client(user)
    reader = Client()
    reader.force_login(sysadmin)  # the schema itself is for system administrators
    schema = schemathesis.openapi.from_dict(reader.get("/api/v1/openapi.json").json())
    errors: list[str] = []
    calls = {"n": 0}
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:

        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )  # fmt: skip
        @given(case=operation.as_strategy())
        def one(case) -> None:
            calls["n"] += 1
            status = _send(client, case)
            statuses[status] += 1
            if status >= 500 and len(errors) < 20:
                errors.append(f"{case.method} {case.formatted_path} → {status}")

        one()
    by_status = ", ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
    FIGURES[f"API schema fuzzing as {role}"] = f"{len(operations)} operations, {calls['n']} requests ({by_status})"
    assert not errors, f"{role}: 服务器错误（5xx）：{errors}"
