"""Every persona's menus offer only pages that open for it (200), and a refusal is a Chinese page."""

import pytest

PERSONAS = ["officer", "unit_admin", "instructor", "evaluator", "auditor", "sysadmin", "security_admin", "audit_admin"]


def _user(request, persona):
    value = request.getfixturevalue(persona)
    return getattr(value, "user", value)  # officer fixtures are Officers; the others Users


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_link_in_a_personas_menus_opens(client, request, org, persona):
    user = _user(request, persona)
    client.force_login(user)
    home = client.get("/")
    links = {item["url"] for item in home.context["nav_items"]}
    console = {item["url"] for item in home.context["console_nav_items"]}
    assert links, persona
    refused = {}
    for url in sorted(links | console):
        status = client.get(url).status_code
        if status != 200:
            refused[url] = status
    assert refused == {}, f"{persona}: {refused}"


def test_what_each_persona_sees(client, officer, instructor, auditor, evaluator):
    client.force_login(officer.user)
    mine = {i["label"] for i in client.get("/").context["nav_items"]}
    assert {"每日一练", "考试", "学习档案", "案例演练", "培训计划"} <= mine and "管理后台" not in mine
    client.force_login(instructor)
    response = client.get("/")
    context = response.context
    labels = {i["label"] for i in context["nav_items"]}
    assert "每日一练" not in labels and "教学管理" in labels
    assert 'href="/practice/"' not in response.content.decode()  # nor as a tile on 我的学习 (an officer's page)
    assert {i["label"] for i in context["console_nav_items"]} == {"题库", "课程管理"}
    client.force_login(auditor)
    console = {i["label"] for i in client.get("/people/").context["console_nav_items"]}
    assert "批量导入" not in console and "审计日志" in console
    client.force_login(evaluator)
    labels = {i["label"] for i in client.get("/").context["nav_items"]}
    assert "评估任务" in labels and "每日一练" not in labels and "学习档案" not in labels


def test_a_read_only_refusal_is_a_chinese_page(client, auditor):
    client.force_login(auditor)
    response = client.get("/people/import/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权进行此操作" in page and "Forbidden" not in page


def test_a_console_page_lights_its_console_entry_not_the_learners(client, unit_admin):
    """On 考试管理 (/exams/manage/) the top bar lights 管理后台, not the learner's 考试 (/exams/); on /records/ it
    lights 学习档案, and 学时统计 (/records/compliance/) is the console's."""
    client.force_login(unit_admin)

    def lit(url: str) -> tuple[set, set]:
        context = client.get(url).context
        return (
            {i["label"] for i in context["nav_items"] if i["active"]},
            {i["label"] for i in context["console_nav_items"] if i["active"]},
        )

    assert lit("/exams/manage/") == ({"管理后台"}, {"考试管理"})
    assert lit("/records/compliance/") == ({"管理后台"}, {"学时统计"})
    assert lit("/records/") == ({"学习档案"}, set())
    assert lit("/exams/") == ({"考试"}, set())


def test_the_security_and_audit_administrators_see_their_duties(client, security_admin, audit_admin):
    client.force_login(security_admin)
    labels = {i["url"]: i["label"] for i in client.get("/").context["nav_items"]}
    assert labels.get("/security/manage/") == "安全管理" and "/people/audit/" not in labels
    client.force_login(audit_admin)
    labels = {i["url"]: i["label"] for i in client.get("/").context["nav_items"]}
    assert labels.get("/people/audit/") == "审计日志" and "/security/manage/" not in labels
