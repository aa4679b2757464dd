"""In Chromium at desktop size: the administrator opens the dashboard, clicks a heatmap cell, lands on the officers
behind it, and exports them."""

import pytest

from zhifa.common.browser import login
from zhifa.people.testing import PASSWORD
from zhifa.reports.tests.test_dashboard import market_staff  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def test_the_administrator_goes_from_a_heatmap_cell_to_its_officers_and_exports_them(page, org, market_staff):  # noqa: F811
    page.set_viewport_size({"width": 1366, "height": 900})
    failed = []  # the favicon is issue 22's (item 7): every other resource must load
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    login(page, "wangfang", PASSWORD)
    page.goto(f"{page.base_url}/reports/?unit={org.market.pk}")
    page.wait_for_selector("#report-chart svg")
    assert page.inner_text(".tile[data-figure=officers] .value") == "8"
    page.click("table.heatmap a >> nth=0")
    page.wait_for_selector("#weak-count")
    assert page.inner_text("#weak-count") == "4"
    assert "张明" in page.inner_text("table.data")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert not failed
