"""Chromium at phone size: a citizen opens a poster link, fills the survey with the keyboard only and submits;
axe-core (npm, injected by the test) finds no serious or critical accessibility violation (GB/T 37668)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from zhifa.surveys.models import Response
from zhifa.surveys.tokens import token_make

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


def _axe_serious(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_citizen_submits_the_survey_with_the_keyboard_on_a_phone(browser, live_server, officer):
    if not AXE.exists():
        pytest.skip("axe-core 未安装（npm ci）：无障碍扫描跳过")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(live_server.url + reverse("surveys:respond", kwargs={"token": token_make("o", officer.pk)}))
        assert page.locator("h1").inner_text() == "群众满意度评价"
        assert "执法人员：张明" in page.inner_text(".who")
        assert _axe_serious(page) == []
        # Keyboard only: Tab into each rating group, arrows to move within it (a radio group is one tab stop).
        page.keyboard.press("Tab")
        page.keyboard.press("Space")  # 文明规范: 5 非常满意
        for _ in range(3):  # 公正廉洁, 办事效率, 服务态度: 4 满意
            page.keyboard.press("Tab")
            page.keyboard.press("ArrowDown")
            page.keyboard.press("ArrowUp")
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        page.keyboard.type("检查很规范，讲解耐心")
        page.keyboard.press("Tab")  # the contact field, left empty
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "提交评价"
        page.keyboard.press("Enter")
        page.wait_for_url("**/surveys/thanks/")
        assert "感谢您的评价" in page.inner_text("h1")
        assert _axe_serious(page) == []
    finally:
        context.close()
    saved = Response.objects.get()
    assert (saved.civility, saved.integrity, saved.efficiency, saved.attitude) == (5, 4, 4, 4)
    assert saved.comment == "检查很规范，讲解耐心" and saved.status == Response.Status.COUNTED


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_missing_rating_is_announced_and_reachable(browser, live_server, officer):
    if not AXE.exists():
        pytest.skip("axe-core 未安装（npm ci）：无障碍扫描跳过")
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + reverse("surveys:respond", kwargs={"token": token_make("o", officer.pk)}))
        page.click("button[type=submit]")
        alert = page.locator("[role=alert]")
        assert "请为“文明规范”选择一个等级。" in alert.inner_text()
        assert _axe_serious(page) == []
    finally:
        context.close()
    assert Response.objects.count() == 0
