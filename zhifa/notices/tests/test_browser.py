"""In Chromium at phone size: the officer has a notice, the bell shows 1, he opens the list and reads it."""

import pytest
from playwright.sync_api import expect

from zhifa.common.browser import login
from zhifa.notices import services
from zhifa.notices.models import Notice
from zhifa.people.testing import PASSWORD

pytestmark = pytest.mark.browser


def test_an_officer_sees_the_bell_opens_his_notice_and_it_is_read(page, officer):
    services.notice_send(
        user=officer.user,
        key="plans:item:1:new",
        title="新的培训任务：行政处罚法精讲",
        body="请在12月31日前完成。",
        url="/notices/",
    )
    login(page, "zhangming", PASSWORD)
    bell = page.locator("a.bell")
    expect(bell.locator(".bell-count")).to_have_text("1")
    assert bell.bounding_box()["width"] >= 44  # a finger-sized target at 390 px
    bell.click()
    page.wait_for_url("**/notices/")
    item = page.locator(".notice-item.unread")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("请在12月31日前完成。")
    page.click("text=新的培训任务：行政处罚法精讲")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".notice-item.unread")).to_have_count(0)
    expect(page.locator("a.bell .bell-count")).to_have_count(0)
    assert Notice.objects.get().read_at is not None
