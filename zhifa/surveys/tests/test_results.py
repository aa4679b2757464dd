"""Fair results: hidden below 5 counted responses, smoothed towards the unit mean above it (worked numbers)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from zhifa.people.testing import make_officer
from zhifa.surveys.models import Response
from zhifa.surveys.queries import satisfaction_by_officer
from zhifa.surveys.scoring import Satisfaction, satisfaction, smoothed_score
from zhifa.surveys.tests import factories


@pytest.mark.parametrize(
    "total, count, prior, expected",
    [
        (10.0, 5, 4.0, (40 + 10) / 15),  # five ratings of 2 in a unit rated 4: 3.33, not 2
        (25.0, 5, 3.5, 4.0),  # five of 5 in a unit at 3.5: (35 + 25) / 15
        (0.0, 0, 4.2, 4.2),  # no responses: the unit mean
        (500.0, 100, 3.0, (30 + 500) / 110),  # many responses: close to the officer's own mean 5
    ],
)
def test_the_bayesian_average_uses_a_prior_weight_of_ten(total, count, prior, expected):
    assert smoothed_score(total=total, count=count, prior_mean=prior) == pytest.approx(expected)


def test_below_five_responses_the_result_is_not_shown():
    assert satisfaction(count=4, total=20.0, prior_mean=4.0).shown is False
    assert satisfaction(count=5, total=25.0, prior_mean=4.0).shown is True
    assert satisfaction(count=0, total=0.0, prior_mean=None) == Satisfaction(0, None, None, False)


def test_satisfaction_by_officer_smooths_towards_the_unit_mean(org, officer):
    colleague = make_officer(org.east_market, name="刘洋")
    factories.many(officer, 5, ratings=(2, 2, 2, 2))  # total 10
    factories.many(colleague, 5, ratings=(5, 5, 5, 5))  # total 25; unit mean (10 + 25) / 10 = 3.5
    result = satisfaction_by_officer(officer_ids=[officer.pk, colleague.pk], since=None, until=None)
    assert result[officer.pk] == Satisfaction(count=5, mean=2.0, smoothed=3.0, shown=True)  # (35 + 10) / 15
    assert result[colleague.pk] == Satisfaction(count=5, mean=5.0, smoothed=4.0, shown=True)  # (35 + 25) / 15


def test_held_discarded_and_out_of_period_responses_do_not_count(org, officer):
    now = timezone.now()
    factories.many(officer, 4, ratings=(4, 4, 4, 4), at=now - timedelta(days=1))
    factories.response(officer=officer, status=Response.Status.HELD, at=now - timedelta(days=1))
    factories.response(officer=officer, status=Response.Status.DISCARDED, at=now - timedelta(days=1))
    factories.response(officer=officer, at=now - timedelta(days=40))
    result = satisfaction_by_officer(officer_ids=[officer.pk], since=now - timedelta(days=30), until=now)
    assert result[officer.pk].count == 4
    assert result[officer.pk].shown is False  # four is below the floor of five


def test_an_officer_without_responses_gets_an_empty_entry(officer, outsider):
    result = satisfaction_by_officer(officer_ids=[officer.pk, outsider.pk], since=None, until=None)
    assert result == {officer.pk: Satisfaction(0, None, None, False), outsider.pk: Satisfaction(0, None, None, False)}
