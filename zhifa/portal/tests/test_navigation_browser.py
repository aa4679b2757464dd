"""In Chromium, each persona (the security and the audit administrator too) clicks through every link of its menus at
phone width (390 px): no 4xx/5xx, no English error page, no page wider than the phone, no failed resource (the favicon
included) and no console error. Then, for issue 22's remaining items, at phone (390×844) and
desktop (1280×800) size: the phone menu shows every section without sideways scrolling, the user menu leads to 修改密码,
the favicon loads; the officer's ledger tells nothing before an exam's results are out; the unit administrator finds the
city's exam that reaches her bureau, item analysis names questions by their stem, and generating papers says what it
generated. Screenshots go to test-results/ (not committed)."""

import re
from decimal import Decimal
from pathlib import Path

import pytest

from zhifa.common.browser import login
from zhifa.people.testing import PASSWORD

pytestmark = pytest.mark.browser

LOGINS = {
    "officer": "zhangming",
    "unit_admin": "wangfang",
    "instructor": "expert",
    "evaluator": "evaluator",
    "auditor": "auditor",
    "sysadmin": "sysadmin",
    "security_admin": "security",
    "audit_admin": "auditadmin",
}
ENGLISH = ("Forbidden", "Not Found", "Page not found", "Server Error", "Bad Request")
SHOTS = Path("test-results")
# Form controls reaching past the content column's right edge, where it cuts them off (a control in a table or a
# drawing scrolls with it instead).
CUT_OFF = """() => [...document.querySelectorAll('main :is(input:not([type=hidden]), select, textarea, button)')]
  .filter(e => !e.closest('table, svg, .graph-box'))
  .filter(e => e.getBoundingClientRect().right > e.closest('.console-main, main').getBoundingClientRect().right + 1)
  .map(e => e.name || e.id || e.tagName)"""
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def issue22_world(org, officer, unit_admin):
    """The city's exam for the whole city (2 hours; 张明 has passed it, results out tomorrow), the bureau's own exam
    with a submitted attempt (for item analysis) and the bureau's draft without papers."""
    from zhifa.exams import queries, services
    from zhifa.exams.models import Exam
    from zhifa.exams.tests import factories

    factories.bank()
    city = factories.exam(
        org,
        by=unit_admin,
        unit=org.city,
        title="全市执法资格考试",
        pass_mark=Decimal("0"),
        credit_hours=Decimal("2"),
    )
    city.audience = factories.audience_for(units=[org.city])
    city.save(update_fields=["audience"])
    own = factories.exam(org, by=unit_admin, title="市局业务考试")
    for exam in (city, own):
        attempt = services.attempt_start(
            exam=exam, officer_id=officer.pk, paper_id=queries.attempt_paper_for(exam=exam, officer=officer).pk
        )
        services.attempt_submit(attempt=attempt, by=officer.user)
    draft = factories.exam(org, by=unit_admin, title="市局草稿考试", build=False, status=Exam.Status.DRAFT)
    return {"city": city, "own": own, "draft": draft}


def _walk(page, persona: str) -> None:
    """Every link of the top bar and of the console's side menu, at phone width: no error status, no English error
    page, nothing wider than the phone (a wide table scrolls inside its own box, not the page)."""
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/")
    links = page.eval_on_selector_all(".mainnav a", "els => els.map(e => e.getAttribute('href'))")
    console_entry = [href for href in links if href.startswith(("/people/", "/questions/", "/courses/manage"))]
    if console_entry:
        page.goto(page.base_url + console_entry[0])
        links += page.eval_on_selector_all(".sidenav a", "els => els.map(e => e.getAttribute('href'))")
    bad, wide = {}, {}
    for href in dict.fromkeys(links):
        response = page.goto(page.base_url + href)
        text = page.inner_text("body")
        if response is None or response.status >= 400 or any(word in text for word in ENGLISH):
            bad[href] = response.status if response else None
        width = page.evaluate(
            "document.documentElement.scrollWidth > window.innerWidth && document.documentElement.scrollWidth"
        )
        cut = page.evaluate(CUT_OFF)
        if width or cut:
            wide[href] = width or cut
            page.screenshot(path=str(SHOTS / f"wide-{persona}-{href.strip('/').replace('/', '-') or 'home'}-390.png"))
    assert bad == {}, f"{persona}: {bad}"
    assert wide == {}, f"{persona}: wider than a {PHONE['width']} px phone: {wide}"


def _phone_menu_fits(page, persona: str) -> list[str]:
    """Every section of the phone menu is on screen: nothing scrolls sideways, no item beyond the right edge."""
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + "/")
    page.screenshot(path=str(SHOTS / f"nav-{persona}-390.png"))
    nav = page.eval_on_selector(".mainnav", "n => [n.scrollWidth, n.clientWidth]")
    assert nav[0] <= nav[1] + 1, f"{persona}: the phone menu scrolls sideways ({nav})"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], persona
    boxes = page.eval_on_selector_all(
        ".mainnav a",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.right] })",
    )
    off = [label for label, left, right in boxes if left < 0 or right > PHONE["width"]]
    assert off == [], f"{persona}: off screen at 390 px: {off}"
    return [label for label, _, _ in boxes]


def _password_link_from_the_user_menu(page, persona: str) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto(page.base_url + "/")
        page.click(".usermenu summary")
        page.click(".usermenu-panel >> text=修改密码")
        page.wait_for_load_state()
        assert page.inner_text("h1") == "修改密码", persona
        assert page.locator(".topbar .brand").count() == 1, f"{persona}: 修改密码 is outside the site's layout"
        page.screenshot(path=str(SHOTS / f"password-{persona}-{size['width']}.png"))


def _favicon_loads(page, persona: str) -> None:
    hrefs = page.eval_on_selector_all("link[rel=icon]", "els => els.map(e => e.getAttribute('href'))")
    assert any(h.endswith(".svg") for h in hrefs) and any(h.endswith(".ico") for h in hrefs), persona
    for href in hrefs:
        assert page.request.get(page.base_url + href).status == 200, f"{persona}: {href}"


def _officer_checks(page, world) -> None:
    """Issue 22 item 3: before the results' release nothing tells him he passed — not the hours ledger either."""
    page.goto(page.base_url + "/records/")
    text = page.inner_text("main")
    assert "已交卷 · 全市执法资格考试" in text and "考试：全市执法资格考试" not in text
    assert "通过 · 全市执法资格考试" not in text.replace("已交卷", "")


def _unit_admin_checks(page, world) -> None:
    """Issue 22 items 5 and 6 at desktop size."""
    page.set_viewport_size(DESKTOP)
    page.goto(page.base_url + "/exams/manage/")
    listing = page.inner_text("main")
    assert "全市执法资格考试" in listing and "还没有考试" not in listing, "the city's exam reaching her units"
    page.click("text=全市执法资格考试")
    assert "张明" in page.inner_text("main")
    page.goto(page.base_url + f"/exams/manage/{world['own'].pk}/analysis/")
    cells = page.eval_on_selector_all("table.data tbody tr td:first-child", "els => els.map(e => e.innerText.trim())")
    assert cells and not [c for c in cells if re.fullmatch(r"#\d+( v\d+)?", c)], f"item analysis by number: {cells}"
    page.goto(page.base_url + f"/exams/manage/{world['draft'].pk}/")
    page.click("text=按组卷规则生成试卷")
    page.wait_for_load_state()
    status = page.inner_text("#build-status")
    assert "已按组卷规则生成 1 份试卷" in status or "组卷失败" in status, f"no feedback: {status!r}"
    page.screenshot(path=str(SHOTS / "papers-unit_admin-1280.png"), full_page=True)


@pytest.mark.parametrize("persona", list(LOGINS))
def test_a_persona_clicks_every_link_of_its_menus(page, request, persona, issue22_world):
    request.getfixturevalue(persona)
    SHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    login(page, LOGINS[persona], PASSWORD)
    _favicon_loads(page, persona)
    _walk(page, persona)
    labels = _phone_menu_fits(page, persona)
    if persona == "officer":
        assert {"案例演练", "学习档案", "每日一练", "考试"} <= set(labels), labels
        _officer_checks(page, issue22_world)
    if persona == "unit_admin":
        _unit_admin_checks(page, issue22_world)
    _password_link_from_the_user_menu(page, persona)
    assert failed == [], f"{persona}: {failed}"  # the favicon included (issue 22 item 7)
    serious = [e for e in errors if "Failed to load resource" not in e]
    assert serious == [], f"{persona}: {serious}"
