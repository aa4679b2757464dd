"""List pages keep their query count whatever the number of rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhifa.evaluation import assessment, services
from zhifa.evaluation.tests.conftest import pdf_upload
from zhifa.people.testing import make_officer


def _queries(client, url) -> int:
    client.get(url)  # the first request of a session may save it: not the page's cost
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_assessment_list_and_the_case_files_cost_the_same_for_more_rows(client, period, org, officer, unit_admin):
    def grow(n):
        for i in range(n):
            other = make_officer(org.east_market)
            services.case_file_upload(
                period=period, unit=org.east_market, number=f"Q{n}-{i}", title="案", officers=[other],
                file=pdf_upload(), by=unit_admin,
            )  # fmt: skip
        return assessment.assessment_compute(period=period, unit=org.market, by=unit_admin)

    client.force_login(unit_admin)
    first = grow(2)
    small = (_queries(client, reverse("evaluation:assessment-detail", args=[first.pk])),
             _queries(client, reverse("evaluation:casefile-list")))  # fmt: skip
    second = grow(8)
    large = (_queries(client, reverse("evaluation:assessment-detail", args=[second.pk])),
             _queries(client, reverse("evaluation:casefile-list")))  # fmt: skip
    assert large == small
