"""Navigation for the learner bar and the console side menu, filtered by role."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.urls import Resolver404, resolve

from zhifa.notices.queries import unread_count
from zhifa.people import access

LEARNER_NAV = [
    ("/", "我的学习"),
    ("/laws/", "法规库"),
    ("/courses/", "课程"),
    ("/practice/", "每日一练"),
    ("/exams/", "考试"),
    ("/records/", "学习档案"),
    ("/cases/", "案例演练"),
    ("/classes/", "培训班"),
    ("/plans/my/", "培训计划"),
    ("/certificates/", "执法证"),
    ("/assistant/", "法律助手"),
    ("/surveys/mine/", "群众评价"),
]
CONSOLE_NAV = [
    ("/people/", "管理首页"),
    ("/reports/", "培训数据看板"),
    ("/people/units/", "单位"),
    ("/people/officers/", "执法人员"),
    ("/people/import/", "批量导入"),
    ("/people/audit/", "审计日志"),
    ("/laws/manage/", "法规管理"),
    ("/questions/", "题库"),
    ("/exams/manage/", "考试管理"),
    ("/courses/manage/", "课程管理"),
    ("/cases/manage/", "演练管理"),
    ("/cases/manage/cases/", "案例管理"),
    ("/records/compliance/", "学时统计"),
    ("/records/review/", "学时审核"),
    ("/records/requirements/", "学时要求"),
    ("/classes/manage/", "培训班管理"),
    ("/classes/manage/instructors/", "师资库"),
    ("/plans/", "培训计划"),
    ("/plans/rotation/", "定期轮训"),
    ("/plans/content/", "内容时效"),
    ("/certificates/review/", "执法证年审"),
    ("/practice/manage/heatmap/", "掌握度热力图"),
    ("/surveys/manage/", "群众满意度"),
    ("/evaluation/", "考核评价"),
    ("/assistant/topics/", "助手提问主题"),
]


# The learner pages that only mean something to an officer (his own practice, plan, certificate, public ratings):
# a user without an officer profile (an outside instructor or evaluator, an auditor) does not see them.
OFFICER_ONLY = {"/practice/", "/records/", "/plans/my/", "/certificates/", "/surveys/mine/"}


def _items(entries, path: str, others=()) -> list[dict]:
    # The longest matching prefix is the current item, so /people/officers/ lights 执法人员, not 管理首页 (/people/);
    # `others` are the other menu's entries: on /exams/manage/ (考试管理) the learner's 考试 (/exams/) stays dark.
    matches = [url for url, _ in [*entries, *others] if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len, default=None)
    return [{"url": url, "label": label, "active": url == current} for url, label in entries]


@cache
def _opens() -> dict[str, frozenset[str]]:
    """For each menu address, the personas that open it (200) according to the apps' access matrices — the same
    declarations common/tests/test_access_matrix.py checks against the pages, so a menu never offers a page that
    refuses its user. Read once per process."""
    from django.conf import settings

    cases: dict = {}
    for app in settings.INSTALLED_APPS:
        if app.startswith("zhifa.") and find_spec(f"{app}.access_matrix") is not None:
            cases.update(import_module(f"{app}.access_matrix").CASES)
    opens = {}
    for url, _ in LEARNER_NAV + CONSOLE_NAV + EXTRA_NAV:
        try:
            match = resolve(url)
        except Resolver404:
            continue
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        case = cases.get(name)
        if case is not None:
            opens[url] = frozenset(p for p, status in case.expect.items() if status == 200)
    return opens


def personas_of(user) -> set[str]:
    """The access-matrix personas a user acts as (a user may hold several roles)."""
    personas = set()
    if access.officer_of(user) is not None:
        personas.add("officer")
    checks = {
        "unit_admin": access.is_unit_admin,
        "instructor": access.is_instructor,
        "evaluator": access.is_evaluator,
        "auditor": access.is_auditor,
        "sysadmin": access.is_system_admin,
    }
    personas.update(name for name, holds in checks.items() if holds(user))
    return personas


def _allowed(entries, user, personas: set[str]) -> list:
    opens = _opens()
    is_officer = "officer" in personas
    kept = []
    for url, label in entries:
        if url in OFFICER_ONLY and not is_officer:
            continue
        allowed = opens.get(url)
        if allowed is None or (allowed & personas if personas else "officer" in allowed):
            kept.append((url, label))
    return kept


# Entries offered only to those who open them (none yet; e.g. a role's own pages outside LEARNER_NAV).
EXTRA_NAV: list[tuple[str, str]] = []
# 三员分立: the security and the audit administrator use neither the console nor the access matrices' personas;
# each gets the pages of his duty in the top bar (their access: security/tests/test_separation.py).
DUTY_NAV = [
    (access.is_security_admin, "/security/manage/", "安全管理"),
    (access.is_audit_admin, "/people/audit/", "审计日志"),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    personas = personas_of(user)
    console = _allowed(CONSOLE_NAV, user, personas)
    items = _items(_allowed(LEARNER_NAV + EXTRA_NAV, user, personas), request.path, others=console)
    console_items = _items(console, request.path, others=LEARNER_NAV)
    in_console = any(item["active"] for item in console_items)
    if access.can_use_console(user):
        items.append({"url": "/people/", "label": "管理后台", "active": in_console})
    elif console:  # an instructor: the console pages of his trade (题库, 课程管理), without the administrators' menu
        items.append({"url": console[0][0], "label": "教学管理", "active": in_console})
    for holds, url, label in DUTY_NAV:
        if holds(user) and all(item["url"] != url for item in items + console_items):
            items.append({"url": url, "label": label, "active": request.path.startswith(url)})
    if access.is_evaluator(user) and not access.can_use_console(user):  # outside evaluators: their assignments
        items.append(
            {"url": "/evaluation/evaluator/", "label": "评估任务", "active": request.path.startswith("/evaluation/")}
        )
    return {
        "nav_items": items,
        "console_nav_items": console_items,
        "notices_unread": unread_count(user=user),  # the bell: one COUNT on the (user, read_at) index
    }
