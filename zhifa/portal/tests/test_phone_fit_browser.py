"""In Chromium at 390×844, pages the last persona walk found wider than a phone now fit it: the officer's 我的群众评价
(its long personal link wraps) and the auditor's 审计日志 (its table scrolls inside the content column; empty values
read "—", never "None"). Screenshots go to test-results/ (not committed)."""

from pathlib import Path

import pytest

from zhifa.common.audit import audit_record
from zhifa.common.browser import login
from zhifa.people.testing import PASSWORD

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
SHOTS = Path("test-results")


def _fits_a_phone(page, path: str, shot: str) -> str:
    response = page.goto(page.base_url + path)
    assert response is not None and response.status == 200, path
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / shot), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{path} is {width} px wide on a {PHONE_WIDTH} px phone"
    return page.inner_text("main")


def test_an_officer_reads_his_survey_results_on_a_phone(page, officer):
    login(page, "zhangming", PASSWORD)
    text = _fits_a_phone(page, "/surveys/mine/", "surveys-mine-390.png")
    assert "我的评价二维码链接" in text


def test_an_auditor_reads_the_audit_log_on_a_phone(page, auditor, officer):
    audit_record(actor=None, action="officer.update", obj=officer, old={"phone": None}, new={"phone": "None"})
    audit_record(actor=auditor, action="login.failed", reason="")
    login(page, "auditor", PASSWORD)
    text = _fits_a_phone(page, "/people/audit/", "audit-log-390.png")
    assert "None" not in text and "（空）" not in text
    column = page.eval_on_selector(".console-main", "c => [c.scrollWidth, c.clientWidth]")
    assert column[1] <= PHONE_WIDTH, f"the content column is {column[1]} px wide; the table scrolls inside it"
