"""In Chromium at phone size: an officer asks a question and sees cited articles with the passage highlighted, and
the checked answer from a local chat-completions server, every sentence citing one of them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from zhifa.assistant.tests.stub_llm import StubLLM
from zhifa.common.browser import login
from zhifa.laws.search.tests.conftest import LAWS, create_law
from zhifa.people.testing import PASSWORD


@pytest.fixture
def laws_committed(transactional_db):
    return {key[1]: create_law(*key, articles) for key, articles in LAWS.items()}


@pytest.mark.browser
def test_an_officer_asks_on_his_phone_and_reads_cited_articles(page, officer, laws_committed, settings):
    page.set_viewport_size({"width": 390, "height": 844})
    with StubLLM("good") as stub:
        settings.LLM_URL, settings.LLM_MODEL = stub.url, "stub"
        login(page, "zhangming", PASSWORD)
        page.goto(page.base_url + "/assistant/")
        page.get_by_label("您的问题").fill("当事人要求听证，行政机关怎么办？")
        page.get_by_role("button", name="提问").click()
        expect(page.locator(".assistant-question")).to_have_text("当事人要求听证，行政机关怎么办？")
        first = page.locator(".assistant-articles li").first
        expect(first).to_contain_text("现行有效")
        expect(first.locator("mark", has_text="听证").first).to_be_visible()
        answer = page.locator("#assistant-answer")
        expect(answer).to_contain_text("简短回答")
        sentences = answer.locator(".sentence")
        expect(sentences).to_have_count(2)
        for i in range(2):
            expect(sentences.nth(i).locator("a.cite")).to_have_count(1)
        answer.locator("a.cite").first.click()
        expect(page.locator("h1")).to_contain_text("第")
        assert "/laws/" in page.url
        page.go_back()
        page.get_by_role("button", name="没有帮助").click()
        expect(page.locator("#assistant-feedback")).to_contain_text("已记录“没有帮助”")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390  # nothing wider than the phone
