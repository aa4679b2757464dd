import pytest
from django.urls import Resolver404, resolve

from zhifa.portal.context_processors import CONSOLE_NAV, LEARNER_NAV


@pytest.mark.parametrize("url, label", LEARNER_NAV + CONSOLE_NAV)
def test_every_menu_entry_leads_to_a_page(url, label):
    try:
        resolve(url)
    except Resolver404:
        pytest.fail(f"菜单“{label}”指向不存在的地址 {url}")


def test_the_console_menu_marks_the_page_being_viewed(client, unit_admin):
    client.force_login(unit_admin)
    page = client.get("/people/officers/").content.decode()
    assert '<a href="/people/officers/" aria-current="page">执法人员</a>' in page
    assert '<a href="/people/" aria-current="page">管理首页</a>' not in page
