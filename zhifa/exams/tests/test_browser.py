"""In Chromium: take an exam, lose the network, keep answering ("未保存"), get it back, and find every answer saved."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from zhifa.common.browser import login
from zhifa.exams.models import Answer, Attempt
from zhifa.people.testing import PASSWORD


def answer_current(page, index: int) -> None:
    page.locator("#question label.choice input").first.check()
    expect(page.locator("#navigator button").nth(index)).to_have_class(re.compile("answered"))


@pytest.mark.browser
def test_answers_given_offline_are_saved_when_the_network_returns(transactional_db, page, officer, exam):
    login(page, "zhangming", PASSWORD)
    page.goto(f"{page.base_url}/exams/{exam.pk}/")
    page.click("text=开始考试")
    page.wait_for_selector("#question label.choice")
    assert page.locator("#navigator button").count() == 8
    assert ":" in page.locator("#countdown").inner_text()

    answer_current(page, 0)
    expect(page.locator("#save-state")).to_have_text("已保存")
    attempt = Attempt.objects.get(exam=exam, officer=officer)
    assert Answer.objects.filter(attempt=attempt).count() == 1

    page.context.set_offline(True)
    for index in (1, 2):
        page.click("#next")
        answer_current(page, index)
    page.click("#flag")
    expect(page.locator("#save-state")).to_have_text(re.compile("^未保存"), timeout=15_000)
    assert Answer.objects.filter(attempt=attempt).count() == 1
    stored = page.evaluate(f"JSON.parse(localStorage.getItem('zhifa-exam-{attempt.pk}')).pending")
    assert len(stored) == 2  # kept in the browser until the server acknowledges them

    page.context.set_offline(False)
    expect(page.locator("#save-state")).to_have_text("已保存", timeout=40_000)
    saved = {a.question_id: a for a in Answer.objects.filter(attempt=attempt)}
    rows = attempt.paper.rows
    assert set(saved) == {rows[0]["question"], rows[1]["question"], rows[2]["question"]}
    assert saved[rows[2]["question"]].flagged is True
    assert all(saved[r["question"]].response == [r["options"][0]] for r in rows[:3])

    page.reload()  # resume: the answers come back from the server
    page.wait_for_selector("#question label.choice")
    assert page.locator("#navigator button.answered").count() == 3
    assert page.locator("#navigator button.flagged").count() == 1
