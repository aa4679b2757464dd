"""Chromium: the administrator confirms a failing officer's review; the officer then sees it on his phone."""

from datetime import date
from decimal import Decimal

import pytest

from zhifa.common.browser import login
from zhifa.people.models import Officer
from zhifa.people.testing import PASSWORD
from zhifa.records import services as records_services

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("rule_set")]


def test_an_administrator_confirms_a_failed_review_and_the_officer_sees_it_on_his_phone(page, officer, unit_admin):
    Officer.objects.filter(pk=officer.pk).update(certificate_issued=date(2025, 3, 1))
    records_services.hours_credit(
        officer=officer, category="legal", hours=Decimal("12"), source="轮训班", evidence="", dedupe_key="b1", year=2026
    )
    login(page, "wangfang", PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base_url + "/certificates/review/?q=张明")
    assert "全年学时 12，低于 40 学时" in page.inner_text("table.data")
    page.check(f"input[name=officer][value='{officer.pk}']")
    page.click("text=确认所选人员的年审结论")
    page.wait_for_selector("text=已确认 2026 年度年审")
    assert Officer.objects.get(pk=officer.pk).certificate_status == "suspended"

    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "zhangming", PASSWORD)
    page.goto(page.base_url + "/certificates/")
    main = page.inner_text("main")
    assert "暂扣" in main and "不得从事行政执法活动" in main
    assert "2026 年度年审不通过" in main
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
