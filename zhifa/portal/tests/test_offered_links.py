"""A page offers a persona only links that open for it (issue 22 item 1, one click deeper than the menus): from every
page of its menus, each link in the page's content (one per kind of page) answers without 4xx/5xx — an auditor's
exam list offers no 新建考试 and opens an exam's results rather than its form, a reader of the question bank gets no
新增试题, the console home no 批量导入 or 审计日志 for those the menu hides them from."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from zhifa.common.access_matrix import World
from zhifa.common.tests.test_access_matrix import declared_cases

PERSONAS = ["officer", "unit_admin", "instructor", "evaluator", "auditor", "sysadmin"]
SKIP = ("/api/", "/django-admin/", "/accounts/logout/", "/static/", "/media/")


class _Links(HTMLParser):
    """The hrefs of <a> elements inside <main>."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        elif tag == "a" and self.depth:
            self.hrefs.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1


def _links(page: str) -> list[str]:
    parser = _Links()
    parser.feed(page)
    kept = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP):
            continue
        kept.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return kept


def _kind(url: str) -> str:
    """One link per kind of page: the URL's name, else its path with numbers blanked."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return url
    return f"{match.namespace}:{match.url_name}" if match.url_name else re.sub(r"\d+", "N", url)


@pytest.fixture
def world(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin) -> World:
    world = World(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin)
    for case in declared_cases().values():  # every app builds its objects (exams, classes, courses, …) once
        case.resolve_kwargs(world)
    return world


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_menu_page_offers_only_links_that_open(world, persona):
    user = getattr(world, persona)
    client = Client()
    client.force_login(getattr(user, "user", user))
    context = client.get("/").context
    menus = [i["url"] for i in context["nav_items"]] + [i["url"] for i in context["console_nav_items"]]
    console = next((url for url in menus if url in ("/people/", "/questions/", "/courses/manage/")), None)
    if console:  # the console's side menu, as a click on 管理后台 (教学管理) shows it
        menus += [i["url"] for i in client.get(console).context["console_nav_items"]]
    seen, refused = set(menus), {}
    for page in dict.fromkeys(menus):
        response = client.get(page)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in _links(response.content.decode()):
            kind = _kind(href)
            if href in seen or kind in seen:
                continue
            seen.update({href, kind})
            status = client.get(href).status_code
            if status >= 400:
                refused[href] = f"{status}（在 {page} 上）"
    assert refused == {}, f"{persona} 看到却打不开的链接：{refused}"
