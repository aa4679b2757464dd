"""The API documentation page (issue 20 item 8): Swagger UI from our npm-built static files, never a CDN, and only
for logged-in staff."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

DOCS = "/api/v1/docs"


def test_staff_get_the_docs_page_with_every_asset_from_our_own_static_files(sysadmin):
    client = Client()
    client.force_login(sysadmin)
    response = client.get(DOCS)
    body = response.content.decode()
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert sources and not [s for s in sources if s.startswith(("http:", "https:", "//"))], sources
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in sources
    assert "/static/vendor/swagger-ui/swagger-ui.css" in sources
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert body.count(f'nonce="{nonce}"') == 2  # both scripts allowed by the site's CSP, no inline script
    for path in ("vendor/swagger-ui/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui.css", "common/api_docs.js"):
        assert finders.find(path), f"{path} 未构建：运行 make assets（scripts/build_assets.sh）"
    assert client.get("/api/v1/openapi.json").json()["info"]["title"] == "智慧执法学院 API"


def test_the_docs_and_schema_are_hidden_from_everyone_else(officer, unit_admin):
    anonymous = Client().get(DOCS)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for person in (officer.user, unit_admin):
        client = Client()
        client.force_login(person)
        assert client.get(DOCS).status_code == 404
        assert client.get("/api/v1/openapi.json").status_code == 404


@pytest.mark.browser
def test_swagger_ui_renders_in_chromium_under_the_sites_csp_without_leaving_the_site(page, sysadmin):
    from zhifa.common.browser import login
    from zhifa.people.testing import PASSWORD

    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(page.base_url) else outside.append(r.url))
    login(page, "sysadmin", PASSWORD)
    page.goto(page.base_url + DOCS)
    page.wait_for_selector(".swagger-ui .info .title")
    assert "智慧执法学院 API" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 10  # the endpoints are listed
    assert not outside, outside
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
