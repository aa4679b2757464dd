"""In Chromium, each persona clicks through every link of its menus: no 4xx/5xx, no English error page.
Failed resources and console errors fail it too, except the favicon of issue 22 item 7."""

import pytest

from zhifa.common.browser import login
from zhifa.common.testing import PASSWORD

pytestmark = pytest.mark.browser

LOGINS = {
    "officer": "zhangming",
    "unit_admin": "wangfang",
    "instructor": "expert",
    "evaluator": "evaluator",
    "auditor": "auditor",
    "sysadmin": "sysadmin",
}
ENGLISH = ("Forbidden", "Not Found", "Page not found", "Server Error", "Bad Request")


@pytest.mark.parametrize("persona", list(LOGINS))
def test_a_persona_clicks_every_link_of_its_menus(page, request, persona):
    request.getfixturevalue(persona)
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    login(page, LOGINS[persona], PASSWORD)
    links = page.eval_on_selector_all(".mainnav a", "els => els.map(e => e.getAttribute('href'))")
    console_entry = [href for href in links if href.startswith(("/people/", "/questions/", "/courses/manage"))]
    if console_entry:
        page.goto(page.base_url + console_entry[0])
        links += page.eval_on_selector_all(".sidenav a", "els => els.map(e => e.getAttribute('href'))")
    bad = {}
    for href in dict.fromkeys(links):
        response = page.goto(page.base_url + href)
        text = page.inner_text("body")
        if response is None or response.status >= 400 or any(word in text for word in ENGLISH):
            bad[href] = response.status if response else None
    assert bad == {}, f"{persona}: {bad}"
    # A missing favicon (issue 22 item 7) is that item's; anything else fails here (unsafe-eval is fixed).
    resources = [f for f in failed if not f.endswith("/favicon.ico")]
    assert resources == [], f"{persona}: {resources}"
    serious = [e for e in errors if "Failed to load resource" not in e]
    assert serious == [], f"{persona}: {serious}"
