"""Project-wide pytest set-up: personas from zhifa.people.testing, the Chromium fixture for browser tests, the scan of
everything logged for ID-card and phone numbers (zhifa.security.logscan)."""

import shutil

import pytest

pytest_plugins = ["zhifa.people.testing", "zhifa.common.browser", "zhifa.security.logscan"]


def pytest_collection_modifyitems(config, items):
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        return
    skip = pytest.mark.skip(reason="Chromium 未安装（apt-get install chromium）：浏览器测试跳过")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _search_index_directory(settings, tmp_path):
    """Every test its own law-search index directory: the test's database is rolled back afterwards, a directory
    would keep what the test indexed (zhifa/laws/search/sync.py rebuilds a fresh one from the database)."""
    settings.ZHIFA_SEARCH_INDEX = tmp_path / "search-index"
