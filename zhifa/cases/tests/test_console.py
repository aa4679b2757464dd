"""Authoring in the console: live validation, saving drafts, immutable published versions, previews, the graph,
and the spread of penalty decisions across officers and units (同案不同罚)."""

from __future__ import annotations

import json
import random

from django.urls import reverse

from zhifa.cases import services
from zhifa.cases.models import DrillRun, Scenario, ScenarioVersion
from zhifa.common.models import AuditEvent
from zhifa.people.testing import make_officer


def test_live_validation_returns_the_problems_with_their_lines(client, unit_admin, small_source):
    client.force_login(unit_admin)
    broken = small_source.replace("goto: end_good", "goto: end_gud")
    html = client.post(reverse("cases:scenario-validate"), {"source": broken}).content.decode()
    assert 'data-line="63"' in html and "第 63 行：去向“end_gud”不是已有的场景" in html


def test_live_validation_of_a_sound_text_draws_the_scene_graph(client, unit_admin, small_source):
    client.force_login(unit_admin)
    html = client.post(reverse("cases:scenario-validate"), {"source": small_source}).content.decode()
    assert "校验通过" in html and "<svg" in html and 'data-scene="decide"' in html
    assert "条文待导入后核验" in html  # no laws in this database: the citations are pending, not errors


def test_saving_a_broken_text_saves_nothing_and_shows_the_lines(client, sysadmin):
    client.force_login(sysadmin)
    response = client.post(reverse("cases:scenario-new"), {"source": "id: x\ntitle: [未闭合\n"})
    assert response.status_code == 422
    assert "YAML 语法错误" in response.content.decode()
    assert not Scenario.objects.exists()


def test_a_unit_admin_creates_a_drill_for_his_unit_and_publishes_it(client, unit_admin, org, small_source):
    client.force_login(unit_admin)
    response = client.post(reverse("cases:scenario-new"), {"source": small_source})
    scenario = Scenario.objects.get()
    assert response.url == reverse("cases:scenario-edit", args=[scenario.pk])
    assert scenario.unit == org.market
    version = scenario.versions.get()
    client.post(reverse("cases:version-publish", args=[version.pk]))
    scenario.refresh_from_db()
    assert scenario.current == version
    assert AuditEvent.objects.filter(action="cases.scenario_publish", object_id=str(scenario.pk)).exists()


def test_editing_a_published_version_creates_a_new_draft_and_leaves_the_published_text(
    client, sysadmin, small, small_source
):
    client.force_login(sysadmin)
    edited = small_source.replace("小型检查演练", "小型检查演练（修订）")
    client.post(reverse("cases:scenario-edit", args=[small.scenario_id]), {"source": edited})
    client.post(reverse("cases:scenario-edit", args=[small.scenario_id]), {"source": edited + "\n"})
    versions = list(ScenarioVersion.objects.filter(scenario=small.scenario).order_by("number"))
    assert [(v.number, v.status) for v in versions] == [(1, "published"), (2, "draft")]  # the draft was updated
    assert versions[0].source == small_source
    refused = client.post(reverse("cases:version-publish", args=[versions[0].pk]), follow=True)
    assert "只有草稿可以发布" in refused.content.decode()


def test_a_changed_id_is_refused(client, sysadmin, small, small_source):
    client.force_login(sysadmin)
    response = client.post(
        reverse("cases:scenario-edit", args=[small.scenario_id]),
        {"source": small_source.replace("id: small-inspection", "id: other")},
    )
    assert response.status_code == 422 and "id 不能修改" in response.content.decode()


def test_a_unit_admin_cannot_edit_a_platform_drill_but_may_read_it(client, unit_admin, small, small_source):
    client.force_login(unit_admin)
    assert client.get(reverse("cases:scenario-edit", args=[small.scenario_id])).status_code == 200
    response = client.post(reverse("cases:scenario-edit", args=[small.scenario_id]), {"source": small_source})
    assert response.status_code == 404


def test_preview_starts_from_any_scene_with_preset_variables_and_is_no_learning_record(client, sysadmin, small):
    client.force_login(sysadmin)
    response = client.post(
        reverse("cases:version-preview", args=[small.pk]),
        {"scene": "inspect2", "var_certificate_shown": "true", "var_evidence": "1"},
    )
    run = DrillRun.objects.get()
    assert response.url == reverse("cases:run-play", args=[run.pk])
    assert run.is_preview and run.state["scene"] == "inspect2"
    page = client.get(response.url).content.decode()
    assert "预览" in page and "作出决定" in page  # the condition holds with the preset variables


def test_a_bad_preset_is_refused_with_a_message(client, sysadmin, small):
    client.force_login(sysadmin)
    response = client.post(
        reverse("cases:version-preview", args=[small.pk]), {"scene": "inspect", "var_evidence": "很多"}, follow=True
    )
    assert "变量“evidence”应是整数" in response.content.decode()
    assert not DrillRun.objects.exists()


def test_the_graph_is_an_svg_of_every_scene(client, auditor, small):
    client.force_login(auditor)
    response = client.get(reverse("cases:version-graph", args=[small.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert all(f'data-scene="{s}"' in svg for s in ("arrive", "inspect", "inspect2", "decide", "end_good", "end_bad"))
    assert 'stroke="#b3261e"' in svg  # the veto choice is drawn red


def _play_decision(officer, version, amount: int, measure: str) -> None:
    run = services.run_start(version=version, user=officer.user)
    for choice in (0,) * 9:  # the by-the-book path up to the decision
        run = services.run_step(run=run, user=officer.user, choice=choice)
    run = services.run_step(run=run, user=officer.user, amount=str(amount), measure=measure)
    services.run_step(run=run, user=officer.user, choice=0)


def test_many_officers_decide_the_same_case_and_the_admin_sees_the_spread(client, org, unit_admin, penalty_scenario):
    rng = random.Random(7)
    measure = "没收违法产品和违法所得，并处罚款"
    amounts = {
        org.east_market: [rng.randrange(300, 1200, 20) for _ in range(12)],
        org.market: [rng.randrange(100, 3600, 100) for _ in range(8)],
        org.west_transport: [3000, 3500],
    }  # outside the administrator's subtree
    for unit, values in amounts.items():
        for amount in values:
            _play_decision(make_officer(unit), penalty_scenario, amount, measure)
    client.force_login(unit_admin)
    response = client.get(reverse("cases:scenario-discretion", args=[penalty_scenario.scenario_id]))
    html = response.content.decode()
    assert "同一案情，20 份处罚决定" in html and "360—1080 元" in html
    data = json.loads(html.split('id="discretion-data" type="application/json">')[1].split("</script>")[0])
    assert sorted(data["units"]) == ["东城区市场监督管理局", "江北市市场监督管理局"]
    assert sorted(p[1] for p in data["points"]) == sorted(
        float(a) for a in amounts[org.east_market] + amounts[org.market]
    )
    assert (data["low"], data["high"]) == (360.0, 1080.0)
    within = sum(360 <= a <= 1080 for a in amounts[org.east_market] + amounts[org.market])
    assert f'符合基准 <strong id="within-share">{round(100 * within / 20)}%' in html
    assert "echarts.min.js" in html


def test_the_discretion_page_without_decisions_says_so(client, auditor, penalty_scenario):
    client.force_login(auditor)
    html = client.get(reverse("cases:scenario-discretion", args=[penalty_scenario.scenario_id])).content.decode()
    assert "尚无执法人员完成本演练的处罚决定" in html
