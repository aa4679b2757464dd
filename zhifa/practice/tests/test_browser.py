"""In Chromium: a daily practice done offline is recorded once, after the network comes back."""

import pytest

from zhifa.common.browser import login
from zhifa.people.testing import PASSWORD
from zhifa.practice.models import DailyActivity, ReviewLog


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_practice_done_offline_is_recorded_once_after_reconnecting(page, officer, bank):
    login(page, "zhangming", PASSWORD)
    page.goto(page.base_url + "/practice/play/")
    page.wait_for_selector("#answer-form")
    total = int(page.inner_text("#progress").split("/")[1].split()[0])
    assert total >= 4

    page.context.set_offline(True)
    for _ in range(total):
        page.locator("#answer-form label.choice").first.click() if page.locator(
            "#answer-form label.choice"
        ).count() else (page.locator("#answer-form input[name=blank]").first.fill("听证"))
        page.click("#answer-form button[type=submit]")
        page.wait_for_selector(".feedback .verdict")
        page.click("#next")
    assert page.inner_text("#summary").startswith("答对")
    assert page.is_visible("#sync-badge")
    assert ReviewLog.objects.count() == 0  # nothing reached the server while offline

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#sync-badge", state="hidden")
    assert ReviewLog.objects.filter(officer=officer).count() == total
    # Reload and resend whatever the browser still has: nothing is counted twice.
    page.reload()
    page.wait_for_load_state("networkidle")
    assert "没有需要练习" in page.inner_text("#item")  # every question of the scope is now scheduled for later
    assert ReviewLog.objects.filter(officer=officer).count() == total
    assert DailyActivity.objects.get(officer=officer).reviews == total
