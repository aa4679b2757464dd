import pytest

from zhifa.exams.tests import factories


@pytest.fixture
def question_bank(db):
    return factories.bank()


@pytest.fixture
def exam(org, unit_admin, question_bank):
    return factories.exam(org, by=unit_admin)


@pytest.fixture
def attempt_with_token(exam, officer):
    """A running attempt of 张明 and its device token (started through the API path's services)."""
    from zhifa.exams import queries, services

    paper = queries.attempt_paper_for(exam=exam, officer=officer)
    attempt = services.attempt_start(exam=exam, officer_id=officer.pk, paper_id=paper.pk, device_token="device-1")
    return attempt, "device-1"


@pytest.fixture
def running_attempt(attempt_with_token):
    return attempt_with_token[0]
