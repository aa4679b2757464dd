"""The explanation page reads a fixed number of queries (one per source, never one per row): its ≤ 100 ms target at
100,000 officers (benchmarks/bench_assessment.py) depends on it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhifa.evaluation import assessment as flow
from zhifa.evaluation.tests.test_assessment import colleagues, computed  # noqa: F401 (fixtures)
from zhifa.records.tests.factories import credit

BUDGET = 20  # session, user, result, officer, tree, weights, stored values, one per source, objections, layout


def page_queries(client, user, result) -> int:
    client.force_login(user)
    url = reverse("evaluation:result-detail", args=[result.pk])
    client.get(url)  # warm the per-process caches (content types, the menu's roles)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_explanation_page_costs_the_same_queries_however_many_source_rows_it_shows(
    client,
    computed,  # noqa: F811
    officer,
    unit_admin,
):
    flow.assessment_approve(assessment=computed, by=unit_admin)
    result = computed.results.get(officer=officer)
    few = page_queries(client, officer.user, result)
    credit(officer, legal=1, skill=1, ethics=1)  # three more hours entries among its source rows
    credit(officer, legal=2, skill=2, ethics=2)
    assert page_queries(client, officer.user, result) == few <= BUDGET
    assert page_queries(client, unit_admin, result) <= BUDGET + 4  # the console's menu
