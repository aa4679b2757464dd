"""In Chromium: an officer scores a training case file and sees the comparison with the expert, item by item; the
assessment's tier chart draws (CSP, nonces, static files)."""

import pytest

from zhifa.cases.models import Case
from zhifa.common.browser import login
from zhifa.evaluation import assessment, services
from zhifa.evaluation.models import CaseFileReview
from zhifa.people.testing import PASSWORD

pytestmark = pytest.mark.browser


def test_an_officer_scores_a_training_file_and_compares_with_the_expert(page, officer, org, sysadmin):
    period = services.period_create(unit=org.province, year=2026, by=sysadmin)
    case = Case.objects.create(title="某超市销售过期食品案", facts="执法人员检查时发现货架上有过期酸奶 12 盒。")
    training = services.training_file_create(
        period=period, case=case, by=sysadmin, expert_marks={"form_wrong": 1, "no_notice": 1}, expert_vetoes=[]
    )
    login(page, "zhangming", PASSWORD)
    page.goto(page.base_url + "/evaluation/training/")
    page.click("text=某超市销售过期食品案")
    page.wait_for_selector("#item_form_wrong")
    assert "过期酸奶" in page.inner_text("main")
    page.fill("#item_form_wrong", "1")
    page.fill("#item_overdue", "1")
    page.click("text=提交并对照专家评分")
    page.wait_for_selector("#comparison")
    assert page.inner_text("#my-score") == "93.0"
    assert page.inner_text("#expert-score") == "88.0"
    table = page.inner_text("#comparison table")
    assert "未履行告知义务" in table and "有差异" in table and "一致" in table
    review = CaseFileReview.objects.get(case_file=training, role=CaseFileReview.Role.TRAINING)
    assert review.reviewer == officer.user and float(review.score) == 93


def test_the_assessment_page_draws_the_tier_chart(page, officer, org, unit_admin, sysadmin):
    period = services.period_create(unit=org.province, year=2026, by=sysadmin)
    computed = assessment.assessment_compute(period=period, unit=org.market, by=unit_admin)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, "wangfang", PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base_url + f"/evaluation/assessments/{computed.pk}/")
    page.wait_for_selector("[data-chart] svg")
    assert "张明" in page.inner_text("table.data")
    assert not [e for e in errors if "Content Security Policy" in e]
