"""The test browser speaks Chinese: its own words (validation bubbles, file and date inputs) follow its UI locale."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_browser_own_words_are_chinese_as_an_officer_sees_them(page):
    page.set_content('<form><input id="f" type="file" required><input id="d" type="date" required></form>')
    for field in ("#f", "#d"):
        message = page.eval_on_selector(field, "el => el.validationMessage")
        assert CJK.search(message), f"{field} 的浏览器提示不是中文：{message!r}（是否缺少 chromium-l10n？）"
    assert page.evaluate("navigator.language") == "zh-CN"
