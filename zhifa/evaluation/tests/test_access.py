"""The evaluation URLs × every persona, as the access matrix declares (the full matrix walks every app; this runs
only ours), and the evaluator's reach: his assignment's units and files, nothing else, and only until it ends."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhifa.common.access_matrix import PERSONAS, World
from zhifa.common.models import AuditEvent
from zhifa.evaluation import access_matrix, services
from zhifa.evaluation.models import CaseFile, ThirdPartyAssignment


@pytest.fixture
def world(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin) -> World:
    return World(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin)


def _client(world: World, persona: str) -> Client:
    client = Client()
    if persona != "citizen":
        user = getattr(world, persona)
        client.force_login(getattr(user, "user", user))
    return client


def test_every_evaluation_url_gives_each_persona_what_the_matrix_says(world):
    failures = []
    clients = {p: _client(world, p) for p in PERSONAS}
    for name, case in sorted(access_matrix.CASES.items()):
        url = reverse(name, kwargs=case.resolve_kwargs(world)) + case.query
        for persona in PERSONAS:
            status = getattr(clients[persona], case.method)(url).status_code
            expected = case.expect[persona]
            if status != expected and not (expected == 302 and status in (301, 302)):
                failures.append(f"{name} {persona}: 期望 {expected}，实际 {status}")
    assert not failures, "\n".join(failures)


def test_an_evaluator_reaches_nothing_outside_his_assignment(world, client):
    ids = access_matrix._world(world)
    other_file = CaseFile.objects.create(
        period_id=ids["period_id"],
        rubric=services.rubric_default(),
        unit=world.org.west_transport,
        number="外-1",
        title="不在任务内的案卷",
    )
    client.force_login(world.evaluator)
    outside = [
        reverse("evaluation:evaluator-review", args=[ids["assignment_id"], world.org.west_transport.pk]),
        reverse("evaluation:casefile-detail", args=[other_file.pk]),
        reverse("evaluation:evaluator-officer-review", args=[ids["assignment_id"], world.outsider.pk]),
        reverse("evaluation:result-detail", args=[ids["result_id"]]),
        reverse("evaluation:assessment-detail", args=[ids["assessment_id"]]),
        reverse("evaluation:period-detail", args=[ids["period_id"]]),
    ]
    for url in outside:
        assert client.get(url).status_code == 404, url
    listing = client.get(reverse("evaluation:casefile-list")).content.decode()
    assert "矩阵案卷" in listing and "不在任务内的案卷" not in listing
    # A form for a unit outside the assignment is refused and nothing is saved.
    response = client.post(
        reverse("evaluation:evaluator-review", args=[ids["assignment_id"], world.org.west_transport.pk]),
        {"score_attitude": "20", "action": "submit"},
    )
    assert response.status_code == 404
    assert not ThirdPartyAssignment.objects.get(pk=ids["assignment_id"]).reviews.exists()
    # Every page he opened is in the audit log.
    assert AuditEvent.objects.filter(actor=world.evaluator, action="evaluation.evaluator_view").exists()


def test_after_the_end_date_the_evaluator_can_change_nothing(world, client):
    ids = access_matrix._world(world)
    assignment = ThirdPartyAssignment.objects.get(pk=ids["assignment_id"])
    ThirdPartyAssignment.objects.filter(pk=assignment.pk).update(ends_on=timezone.localdate() - timedelta(days=1))
    client.force_login(world.evaluator)
    url = reverse("evaluation:evaluator-review", args=[assignment.pk, world.org.east_market.pk])
    scores = {f"score_{item['key']}": "10" for item in assignment.form}
    response = client.post(url, {**scores, "action": "submit"}, follow=True)
    assert "不在期限内" in response.content.decode()
    assert not assignment.reviews.exists()
    # Nor may he review the assignment's case file any more.
    assert client.get(reverse("evaluation:casefile-detail", args=[ids["case_file_id"]])).status_code == 404
