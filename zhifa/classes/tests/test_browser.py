"""In Chromium at phone size: the officer opens the classroom link and is checked in, his hours appear on his record
page, a code two steps old is refused; the organiser's screen (htmx polling) shows the count rising."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from zhifa.classes import checkin, checkin_tokens
from zhifa.classes.models import Attendance
from zhifa.common.browser import login
from zhifa.people.testing import PASSWORD

pytestmark = pytest.mark.browser


def test_an_officer_checks_in_from_his_phone_and_the_screen_counts_him(browser, page, running, unit_admin, officer):
    running.step_seconds = 30  # slow CI: the code must not go stale between reading it and opening it
    running.save()
    # The organiser's classroom screen, on a desktop-sized window of its own.
    screen_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    screen = screen_context.new_page()
    screen.set_default_timeout(30_000)
    screen.base_url = page.base_url
    login(screen, "wangfang", PASSWORD)
    screen.goto(f"{page.base_url}/classes/manage/sessions/{running.pk}/screen/")
    screen.wait_for_selector(".qr svg")
    assert screen.inner_text("#present-count") == "0"
    link = screen.get_attribute(".qr", "data-token-url")
    assert link and f"/classes/c/{running.pk}/" in link

    # The officer's phone: logged in, he opens the link in the code.
    login(page, "zhangming", PASSWORD)
    page.goto(link)
    assert "签到成功" in page.inner_text("#checkin-message")
    page.click("text=查看我的学时")
    page.wait_for_selector("text=行政执法规范化培训班")
    assert "行政处罚法要点" in page.inner_text("main")

    # A photo of an older code: two steps old is refused.
    old_step = checkin_tokens.step_at(timezone.now(), checkin.step_seconds(running)) - 2
    old = checkin_tokens.token_make(session_id=running.pk, step=old_step)
    page.goto(f"{page.base_url}/classes/c/{running.pk}/{old}/")
    assert "已过期" in page.inner_text("#checkin-message")
    assert Attendance.objects.filter(session=running).count() == 1

    # The screen polls and shows him counted, without a reload.
    expect(screen.locator("#present-count")).to_have_text("1", timeout=30_000)
    screen_context.close()
