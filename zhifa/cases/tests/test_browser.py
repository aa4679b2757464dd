"""In Chromium on a phone-sized screen: an officer plays a drill to its ending and reads the debrief."""

from __future__ import annotations

import pytest

from zhifa.cases.models import DrillRun
from zhifa.cases.tests.conftest import SCENARIOS, publish
from zhifa.common.browser import login
from zhifa.people.testing import PASSWORD


def choose(page, text: str) -> None:
    page.get_by_role("button", name=text).click()
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_officer_plays_the_traffic_drill_to_the_end_and_sees_the_debrief(page, officer):
    version = publish((SCENARIOS / "traffic-first-offence.yaml").read_text(encoding="utf-8"))
    login(page, "zhangming", PASSWORD)
    page.goto(page.base_url + f"/cases/drills/{version.scenario.key}/")
    choose(page, "开始演练")
    assert "禁止停车标志" in page.inner_text(".scene")
    choose(page, "确认执法记录仪已开启，着装规范，走向车辆")
    assert "做得好" in page.inner_text(".feedback")
    page.reload()  # the run lives on the server: a reload shows the same scene
    assert page.locator(".scene").get_attribute("data-scene") == "wait_driver"
    choose(page, "敬礼，出示证件，先关心孩子情况，再说明此处禁止停车")
    choose(page, "核实“首次违法、未影响通行”两个要件，并在记录仪中口述现场情况")
    choose(page, "告知其违法事实和依据，说明依法可以口头警告，请他立即将车驶入医院停车场，并听取他的说明")
    choose(page, "确认违法状态已纠正，在记录仪中说明“已立即驶离”")
    choose(page, "为了避免“区别对待”的议论，改为对陈先生也罚款")  # a mistake, to see it in the debrief
    page.select_option("#measure", "口头警告、不予处罚")
    page.fill("#amount", "0")
    choose(page, "提交决定")
    choose(page, "在执法系统中登记处理结果，记录仪视频按规定上传归档")
    choose(page, "叮嘱他医院停车场的入口位置，并提醒夜间行车注意安全")

    assert "/debrief/" in page.url
    assert page.inner_text("#verdict").startswith("合格")
    assert "严格规范又有温度" in page.inner_text("#verdict")
    mistakes = page.inner_text("section:has(h2:text('失误与法律依据'))")
    assert "改为对陈先生也罚款" in mistakes and "《行政处罚法》第五条" in mistakes
    assert page.locator("a[href='/laws/行政处罚法/第五条/']").count() >= 1
    assert "在基准内" in page.inner_text("body")
    best = page.inner_text("ol.best-path")
    assert "平静解释" in best and "你未选择" in best
    run = DrillRun.objects.get(officer=officer)
    assert run.status == DrillRun.Status.COMPLETED and run.decision_within is True
