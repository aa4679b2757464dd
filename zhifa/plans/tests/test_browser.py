"""In Chromium: an administrator publishes a plan; the officer sees the assignment and its notice on his phone."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from zhifa.common.browser import login
from zhifa.people.testing import PASSWORD
from zhifa.plans import services
from zhifa.plans.models import PlanItem
from zhifa.plans.services import ItemIn

pytestmark = pytest.mark.browser


def test_an_administrator_publishes_and_the_officer_sees_the_assignment_and_its_notice(page, officer, unit_admin):
    today = timezone.localdate()
    deadline = min(today + timedelta(days=20), date(today.year, 12, 31))
    plan = services.plan_create(
        by=unit_admin, unit=unit_admin.officer.unit, year=today.year, title="市场监管年度培训计划"
    )
    services.item_add(
        by=unit_admin,
        plan=plan,
        data=ItemIn(
            kind=PlanItem.Kind.HOURS_TARGET,
            title="法律知识学时",
            category="legal",
            window_start=date(today.year, 1, 1),
            deadline=deadline,
            target=10,
            reason="每年法律知识不少于10学时",
        ),
    )
    login(page, "wangfang", PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{page.base_url}/plans/{plan.pk}/")
    page.click("text=发布计划")
    page.wait_for_selector("text=计划已发布")
    page.context.clear_cookies()

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "zhangming", PASSWORD)
    page.goto(page.base_url + "/")
    block = page.locator("#my-plan")
    block.wait_for()
    text = block.inner_text()
    assert "法律知识学时" in text and "每年法律知识不少于10学时" in text
    assert "新的培训任务：法律知识学时" in text
    box = block.bounding_box()
    assert box is not None and box["width"] <= 390
