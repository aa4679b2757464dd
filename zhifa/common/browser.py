"""Playwright fixtures: headless Debian Chromium against pytest-django's live server (DESIGN.md §9).

Mark tests with @pytest.mark.browser; they are skipped, by name, when Chromium is not installed.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--lang=zh-CN",
]
# The browser's own words (a file input's 选择文件, a date input's 年/月/日 order, validation bubbles) come from its UI
# locale, not the page's: on Linux Chromium reads it from LANGUAGE and ignores --lang (kept for other platforms).
# Debian ships the zh-CN strings in chromium-l10n; without that package the browser falls back to English.
CHROMIUM_ENV = {"LANGUAGE": "zh_CN:zh"}


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip("Chromium 未安装：浏览器测试跳过")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by test code here are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=path, args=CHROMIUM_ARGS, env={**os.environ, **CHROMIUM_ENV}, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


def login(page, username: str, password: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
