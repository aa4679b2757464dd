"""Third-party review: the evaluator fills and submits his form; the unit sees it only once submitted; it feeds
the 第三方评估 indicator."""

from datetime import date

import pytest
from django.urls import reverse

from zhifa.common.models import AuditEvent
from zhifa.evaluation import assessment, services
from zhifa.evaluation.tests.conftest import leaf


@pytest.fixture
def assignment(period, org, evaluator, unit_admin):
    return services.assignment_create(
        period=period, evaluator=evaluator, units=[org.east_market], ends_on=date(2026, 9, 30), by=unit_admin
    )


def test_the_unit_sees_the_result_only_after_submission_and_it_feeds_the_indicator(
    client, assignment, org, officer, evaluator, unit_admin, period
):
    url = reverse("evaluation:evaluator-review", args=[assignment.pk, org.east_market.pk])
    scores = {"score_attitude": "20", "score_procedure": "25", "score_disclosure": "15", "score_records": "20"}
    client.force_login(evaluator)
    client.post(url, {**scores, "comment": "执法记录仪使用不规范", "action": "save"})
    client.force_login(unit_admin)
    assert "执法记录仪使用不规范" not in client.get(reverse("evaluation:assignment-list")).content.decode()
    client.force_login(evaluator)
    client.post(url, {**scores, "comment": "执法记录仪使用不规范", "action": "submit"})
    client.force_login(unit_admin)
    page = client.get(reverse("evaluation:assignment-list")).content.decode()
    assert "执法记录仪使用不规范" in page and "80.0%" in page
    computed = assessment.assessment_compute(period=period, unit=org.market, by=unit_admin)
    row = computed.results.get(officer=officer).detail["leaves"][str(leaf(period, "third_party").pk)]
    assert row[0] == 80.0 and "所在单位 1 份评估表" in row[3]
    assert AuditEvent.objects.filter(actor=evaluator, action="evaluation.third_party_submit").exists()


def test_a_score_above_the_item_maximum_is_refused(client, assignment, org, evaluator):
    client.force_login(evaluator)
    url = reverse("evaluation:evaluator-review", args=[assignment.pk, org.east_market.pk])
    html = client.post(url, {"score_attitude": "30", "action": "submit"}).content.decode()
    assert "“执法态度与文明用语”的得分须在 0 到 25 之间" in html
    assert not assignment.reviews.exists()


def test_only_an_evaluator_account_can_be_assigned(period, org, officer, unit_admin):
    with pytest.raises(services.EvaluationError, match="不是第三方评估人员"):
        services.assignment_create(
            period=period, evaluator=officer.user, units=[org.east_market], ends_on=date(2026, 9, 30), by=unit_admin
        )


def test_the_dashboard_and_suggestions_draw_from_the_results(client, period, org, officer, unit_admin):
    computed = assessment.assessment_compute(period=period, unit=org.market, by=unit_admin)
    client.force_login(unit_admin)
    html = client.get(reverse("evaluation:dashboard") + f"?assessment={computed.pk}").content.decode()
    assert "各项指标平均得分" in html and "学时完成情况" in html
    html = client.get(reverse("evaluation:suggestions", args=[computed.pk])).content.decode()
    assert "“考试成绩”平均得分 0.0" in html  # nobody took an exam: the weak area, with its evidence


def test_an_officer_named_in_the_assignment_gets_his_own_form(client, period, org, officer, evaluator, unit_admin):
    wangfang = unit_admin.officer  # of 江北市市场监督管理局, a unit the assignment does not cover
    assignment = services.assignment_create(
        period=period, evaluator=evaluator, units=[], officers=[wangfang], ends_on=date(2026, 9, 30), by=unit_admin
    )
    client.force_login(evaluator)
    assert "王芳" in client.get(reverse("evaluation:evaluator-assignment", args=[assignment.pk])).content.decode()
    url = reverse("evaluation:evaluator-officer-review", args=[assignment.pk, wangfang.pk])
    scores = {"score_attitude": "25", "score_procedure": "25", "score_disclosure": "20", "score_records": "20"}
    client.post(url, {**scores, "action": "submit"})
    # 张明 is not named and his unit is not covered.
    assert (
        client.get(reverse("evaluation:evaluator-officer-review", args=[assignment.pk, officer.pk])).status_code == 404
    )
    computed = assessment.assessment_compute(period=period, unit=org.market, by=unit_admin)
    row = computed.results.get(officer=wangfang).detail["leaves"][str(leaf(period, "third_party").pk)]
    assert row[0] == 90.0 and row[3] == "本人 1 份评估表"
