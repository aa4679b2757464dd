"""In Chromium at phone size: the search page answers as the officer types Chinese, through an input method
(nothing is searched for the pinyin of an unfinished composition), and shows what was typed last."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from zhifa.common.browser import login
from zhifa.laws.search.tests.conftest import LAWS, create_law
from zhifa.people.testing import PASSWORD


@pytest.fixture
def laws_committed(transactional_db):
    return {key[1]: create_law(*key, articles) for key, articles in LAWS.items()}


def compose(page, pinyin: str, text: str) -> None:
    """What an input method does: the pinyin shows in the box while composing, then the chosen characters."""
    page.evaluate(
        """([pinyin, text]) => {
            const box = document.querySelector('#search-q');
            box.dispatchEvent(new CompositionEvent('compositionstart', {bubbles: true}));
            box.value = box.value + pinyin;
            box.dispatchEvent(new InputEvent('input', {bubbles: true, isComposing: true}));
            box.value = box.value.slice(0, box.value.length - pinyin.length) + text;
            box.dispatchEvent(new CompositionEvent('compositionend', {bubbles: true, data: text}));
        }""",
        [pinyin, text],
    )


@pytest.mark.browser
def test_results_follow_the_typing_in_chinese(page, officer, laws_committed):
    login(page, "zhangming", PASSWORD)
    searched: list[str] = []
    page.on(
        "request",
        lambda r: (
            searched.append(parse_qs(urlparse(r.url).query).get("q", [""])[0]) if "/laws/search/?" in r.url else None
        ),
    )
    page.goto(page.base_url + "/laws/search/")
    compose(page, "tingzheng", "听证")
    expect(page.locator("#search-results")).to_contain_text("第六十三条")
    assert "tingzheng" not in " ".join(searched) and searched[-1] == "听证"

    page.locator("#search-q").fill("")
    page.locator("#search-q").press_sequentially("夫妻共同财产", delay=30)  # characters inserted one by one
    expect(page.locator("#search-results")).to_contain_text("民法典 第一千零六十二条")
    expect(page.locator("#search-results")).not_to_contain_text("第六十三条")
    assert searched[-1] == "夫妻共同财产", searched
