"""Province-wide statements under PostgreSQL's server-side binding (on by default): at most 65,535 parameters a
statement, so a Python list of officer ids travels as one array parameter (`__in_array`) or as a subquery."""

import re

import pytest
from django.db import connection
from django.utils import timezone

from zhifa.people.models import Officer
from zhifa.people.testing import make_officer
from zhifa.reports import services
from zhifa.surveys import queries as survey_queries

pytestmark = pytest.mark.django_db

PROTOCOL_LIMIT = 65_535
# An IN list of one placeholder per row: what a materialised id list compiles to.
IN_LIST = re.compile(r"IN \((%s, ){5,}%s\)")


def _server_side_binding() -> bool:
    return connection.vendor == "postgresql" and bool(getattr(connection.features, "uses_server_side_binding", False))


def test_in_array_is_the_in_lookup_for_lists_of_any_size(org):
    officers = [make_officer(org.east_market) for _ in range(3)]
    wanted = [officers[0].pk, officers[2].pk, None]
    assert set(Officer.objects.filter(pk__in_array=wanted).values_list("pk", flat=True)) == {
        officers[0].pk,
        officers[2].pk,
    }
    assert not Officer.objects.filter(pk__in_array=[]).exists()
    names = {officers[1].name}
    assert list(Officer.objects.filter(name__in_array=names).values_list("pk", flat=True)) == [officers[1].pk]


def test_more_ids_than_the_protocol_allows_in_one_statement(org):
    if not _server_side_binding():
        pytest.skip("the 65,535-parameter limit is PostgreSQL's with server-side binding")
    officer = make_officer(org.east_market)
    ids = list(range(officer.pk, officer.pk + PROTOCOL_LIMIT + 5_000))
    assert Officer.objects.filter(pk__in_array=ids).count() == Officer.objects.filter(pk__gte=officer.pk).count()
    # The survey figure the nightly rollups ask for every officer of the province.
    found = survey_queries.satisfaction_by_officer(officer_ids=ids, since=None, until=None)
    assert len(found) == len(ids) and found[officer.pk].count == 0


def test_the_nightly_rollups_send_no_list_of_officer_ids(org):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no array parameter: the lists stay IN lists there")
    for i in range(8):
        make_officer(org.east_market, name=f"同事{i}")
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert services.rollups_compute(year=timezone.localdate().year) >= 8
    assert statements and not [s for s in statements if IN_LIST.search(s)]
