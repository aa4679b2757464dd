"""Playing a drill: one scene a screen, resumable, a debrief with scores, mistakes and the best path; records."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from zhifa.cases import services
from zhifa.cases.models import DrillRun
from zhifa.cases.tests.conftest import publish
from zhifa.records.models import HoursEntry, Statement


def play(client, run, *choices):
    for choice in choices:
        client.post(reverse("cases:run-play", args=[run.pk]), {"choice": str(choice)})
    run.refresh_from_db()
    return run


def start(client, version):
    response = client.post(reverse("cases:run-start", args=[version.scenario.key]))
    assert response.status_code == 302
    return DrillRun.objects.latest("pk")


def test_an_officer_plays_to_a_good_ending_and_sees_the_debrief(client, officer, small):
    client.force_login(officer.user)
    run = start(client, small)
    page = client.get(reverse("cases:run-play", args=[run.pk]))
    assert "你和同事来到一家小超市" in page.content.decode()
    run = play(client, run, 0, 0, 0)
    response = client.post(
        reverse("cases:run-play", args=[run.pk]), {"amount": "3000", "measure": "罚款", "scene": "decide"}
    )
    assert response.status_code == 302 and response.url == reverse("cases:run-debrief", args=[run.pk])
    run.refresh_from_db()
    assert run.status == DrillRun.Status.COMPLETED
    assert run.decision_amount == Decimal("3000") and run.decision_within is True
    debrief = client.get(response.url).content.decode()
    assert "合格" in debrief and "依法办结" in debrief and "没有失误" in debrief
    assert "最佳路径可得 6" in debrief


def test_a_veto_fails_the_run_and_the_debrief_links_the_article(client, officer, small):
    client.force_login(officer.user)
    run = play(client, start(client, small), 1, 0, 1)  # without the certificate only "放弃" is offered at the end
    assert run.status == DrillRun.Status.FAILED
    debrief = client.get(reverse("cases:run-debrief", args=[run.pk])).content.decode()
    assert "不合格" in debrief and "触犯否决项：未出示执法证件" in debrief
    assert 'href="/laws/行政处罚法/第五十五条/"' in debrief
    assert "你未选择" in debrief  # the best path shows the certificate choice the officer skipped


def test_a_decision_outside_the_benchmark_is_a_mistake(client, officer, small):
    client.force_login(officer.user)
    run = play(client, start(client, small), 0, 0, 0)
    client.post(reverse("cases:run-play", args=[run.pk]), {"amount": "20000", "measure": "罚款"})
    run.refresh_from_db()
    assert run.decision_within is False
    assert "超出裁量基准" in client.get(reverse("cases:run-debrief", args=[run.pk])).content.decode()


def test_an_amount_outside_the_allowed_range_is_refused_with_a_message(client, officer, small):
    client.force_login(officer.user)
    run = play(client, start(client, small), 0, 0, 0)
    response = client.post(reverse("cases:run-play", args=[run.pk]), {"amount": "abc", "measure": "罚款"}, follow=True)
    assert "罚款金额应是数字" in response.content.decode()
    run.refresh_from_db()
    assert run.state["scene"] == "decide" and run.status == DrillRun.Status.IN_PROGRESS


@pytest.mark.parametrize(
    "amount, measure, message",
    [
        ("0", "罚款", "包含罚款：请填写罚款金额"),
        ("500", "警告", "不含罚款：罚款金额请填 0"),
        ("500", "吊销执照", "请从列出的处罚种类中选择一项"),
        ("200000", "罚款", "罚款金额应在 0 至 100000 元之间"),
    ],
)
def test_an_inconsistent_decision_is_refused_and_changes_nothing(client, officer, small, amount, measure, message):
    client.force_login(officer.user)
    run = play(client, start(client, small), 0, 0, 0)
    response = client.post(
        reverse("cases:run-play", args=[run.pk]), {"amount": amount, "measure": measure}, follow=True
    )
    assert message in response.content.decode()
    run.refresh_from_db()
    assert run.decision_amount is None and run.state["scene"] == "decide"


def test_a_run_resumes_where_it_stopped(client, officer, small):
    client.force_login(officer.user)
    run = play(client, start(client, small), 0)
    response = client.post(reverse("cases:run-start", args=[small.scenario.key]))  # "continue" from the intro
    assert response.url == reverse("cases:run-play", args=[run.pk])
    assert "货架上有可疑商品" in client.get(response.url).content.decode()


def test_a_double_submit_does_not_take_two_steps(client, officer, small):
    client.force_login(officer.user)
    run = start(client, small)
    for _ in range(2):
        client.post(reverse("cases:run-play", args=[run.pk]), {"choice": "0", "scene": "arrive"})
    run.refresh_from_db()
    assert len(run.state["steps"]) == 1 and run.state["scene"] == "inspect"


def test_a_choice_whose_condition_does_not_hold_is_refused(client, officer, small):
    client.force_login(officer.user)
    run = play(client, start(client, small), 0, 0)  # certificate shown, evidence 1: "放弃" needs not shown
    response = client.post(reverse("cases:run-play", args=[run.pk]), {"choice": "1"}, follow=True)
    assert "这个选项当前不可选" in response.content.decode()


def test_another_officers_run_is_not_found(client, officer, outsider, small):
    run = services.run_start(version=small, user=officer.user)
    client.force_login(outsider.user)
    assert client.get(reverse("cases:run-play", args=[run.pk])).status_code == 404
    assert client.post(reverse("cases:run-play", args=[run.pk]), {"choice": "0"}).status_code == 404
    assert client.get(reverse("cases:run-debrief", args=[run.pk])).status_code == 404


def test_runs_are_learning_records_and_hours_are_credited_once(client, officer, small):
    client.force_login(officer.user)
    for _ in range(2):
        run = play(client, start(client, small), 0, 0, 0)
        client.post(reverse("cases:run-play", args=[run.pk]), {"amount": "3000", "measure": "罚款"})
    verbs = sorted(
        Statement.objects.filter(officer=officer, object_type="cases.scenario").values_list("verb", flat=True)
    )
    assert verbs == ["completed", "completed", "experienced", "experienced"]
    assert HoursEntry.objects.filter(officer=officer, source="cases.scenario").count() == 0  # none configured


def test_a_scenario_with_credit_hours_credits_them_on_passing_only(client, officer, small_source):
    version = publish(small_source.replace("domain: market", "domain: market\ncredit_hours: 0.5"))
    client.force_login(officer.user)
    failed = play(client, start(client, version), 0, 1)  # 离开 → failure ending
    assert failed.status == DrillRun.Status.FAILED
    assert Statement.objects.filter(officer=officer, verb="failed").count() == 1
    assert not HoursEntry.objects.filter(officer=officer).exists()
    run = play(client, start(client, version), 0, 0, 0)
    client.post(reverse("cases:run-play", args=[run.pk]), {"amount": "3000", "measure": "罚款"})
    entry = HoursEntry.objects.get(officer=officer)
    assert entry.hours == Decimal("0.5") and entry.category == "skill"


def test_a_run_in_progress_keeps_its_version_when_a_new_one_is_published(client, officer, small, small_source):
    client.force_login(officer.user)
    run = play(client, start(client, small), 0)
    changed = small_source.replace("货架上有可疑商品。", "货架上有大量可疑商品。")
    publish(changed)
    run = play(client, run, 0)
    assert run.version_id == small.pk
    assert "证据已固定" in client.get(reverse("cases:run-play", args=[run.pk])).content.decode()
    client.post(reverse("cases:run-start", args=[small.scenario.key]), {"restart": "1"})
    assert DrillRun.objects.latest("pk").version.number == 2  # a new run starts on the new version


def test_a_finished_run_refuses_further_steps(officer, small):
    run = services.run_start(version=small, user=officer.user)
    for choice in (0, 1):
        run = services.run_step(run=run, user=officer.user, choice=choice)
    with pytest.raises(services.RunRefused, match="演练已结束"):
        services.run_step(run=run, user=officer.user, choice=0)


def test_the_role_reversal_debrief_contrasts_officer_and_party(client, officer):
    from zhifa.cases.tests.conftest import SCENARIOS

    version = publish((SCENARIOS / "role-reversal-shopkeeper.yaml").read_text(encoding="utf-8"))
    client.force_login(officer.user)
    intro = client.get(reverse("cases:scenario-detail", args=[version.scenario.key])).content.decode()
    assert "你扮演<strong>当事人</strong>" in intro
    run = start(client, version)
    run = play(client, run, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert run.status == DrillRun.Status.COMPLETED, run.state["scene"]
    debrief = client.get(reverse("cases:run-debrief", args=[run.pk])).content.decode()
    assert "换位思考" in debrief and "执法人员的做法" in debrief and "当事人的感受" in debrief
    assert "心里发慌，不知道是真是假" in debrief


def test_the_lists_are_few_queries(client, officer, small, django_assert_max_num_queries):
    # session, user, role grants (navigation) and one or two queries per list; independent of the number of rows
    client.force_login(officer.user)
    services.run_start(version=small, user=officer.user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("cases:scenario-list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("cases:case-list")).status_code == 200
