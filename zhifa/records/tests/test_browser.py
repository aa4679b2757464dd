"""In Chromium: the ring and the compliance bars really draw (CSP, nonces, static files), and the manual entry
round trip works on a phone-sized screen."""

from decimal import Decimal

import pytest

from zhifa.common.browser import login
from zhifa.people.testing import PASSWORD
from zhifa.records.models import HoursEntry
from zhifa.records.tests.conftest import PDF_BYTES
from zhifa.records.tests.factories import credit

pytestmark = pytest.mark.browser


def test_an_officer_sees_his_ring_and_declares_outside_training(page, officer, tmp_path):
    credit(officer, legal=12, skill=4)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, "zhangming", PASSWORD)
    page.goto(page.base_url + "/records/")
    page.wait_for_selector(".hours-ring svg")
    assert "12" in page.inner_text(".hours-lines")
    evidence = tmp_path / "证书.pdf"
    evidence.write_bytes(PDF_BYTES)
    page.fill("#id_title", "全省执法规范化培训班")
    page.select_option("#id_category", "ethics")
    page.fill("#id_hours", "6")
    page.fill("#id_occurred_on", "2026-01-02")
    page.set_input_files("#id_evidence_file", str(evidence))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("text=已提交学时申报")
    assert "待审核" in page.inner_text("main")
    entry = HoursEntry.objects.get(is_manual=True)
    assert entry.hours == Decimal("6.00") and entry.status == "pending"
    assert not [e for e in errors if "Content Security Policy" in e]


def test_an_administrator_sees_the_bars_and_drills_down(page, officer, unit_admin):
    credit(officer, legal=30, skill=20, ethics=10)
    login(page, "wangfang", PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base_url + "/records/compliance/")
    page.wait_for_selector("#compliance-chart svg")
    assert "东城区市场监督管理局" in page.inner_text("table.data")
    page.click("text=东城区市场监督管理局")
    page.wait_for_selector("text=人员")
    page.goto(page.base_url + "/records/compliance/officers/")
    assert "张明" in page.inner_text("table.data")
