"""In a real browser: the demo officer's home, and the unit administrator's import preview of a bad sheet."""

import io

import pytest
from django.core.management import call_command

from zhifa.common.browser import login
from zhifa.people.demo import DEMO_PASSWORD
from zhifa.people.tests.sheets import officer_row, xlsx


@pytest.fixture
def demo(transactional_db, tmp_path):
    call_command("seed_demo", "--sample", str(tmp_path / "sample.xlsx"), stdout=io.StringIO())


@pytest.mark.browser
def test_the_demo_officer_logs_in_and_sees_my_learning(page, demo):
    login(page, "zhangming", DEMO_PASSWORD)
    assert page.locator("h1").first.inner_text() == "我的学习"
    assert "东城区市场监督管理局" in page.content()


@pytest.mark.browser
def test_the_demo_unit_admin_sees_row_errors_in_the_import_preview(page, demo, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([officer_row(1, "JB-DC-SCJG"), officer_row(2, "JB-XC-JT", 身份证号="110105194912310021")]))
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, "wangfang", DEMO_PASSWORD)
    page.goto(page.base_url + "/people/import/")
    page.set_input_files("#id_file", str(bad))
    page.click("button[type=submit].primary")
    page.wait_for_selector("#import-errors")
    table = page.locator("#import-errors").inner_text()
    assert "第 3 行" in table and "校验码" in table and "不在您可导入的范围内" in table
    assert page.locator("#import-status").inner_text() == "有错误"
