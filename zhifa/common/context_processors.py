"""Navigation for the learner bar and the console side menu, filtered by role."""

from __future__ import annotations

from zhifa.notices.queries import unread_count
from zhifa.people import access

LEARNER_NAV = [
    ("/", "我的学习"),
    ("/laws/", "法规库"),
    ("/courses/", "课程"),
    ("/practice/", "每日一练"),
    ("/exams/", "考试"),
    ("/cases/", "案例演练"),
    ("/classes/", "培训班"),
    ("/plans/my/", "培训计划"),
    ("/certificates/", "执法证"),
    ("/assistant/", "法律助手"),
    ("/surveys/mine/", "群众评价"),
]
CONSOLE_NAV = [
    ("/people/", "管理首页"),
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


def _items(entries, path: str) -> list[dict]:
    # The longest matching prefix is the current item, so /people/officers/ lights 执法人员, not 管理首页 (/people/).
    matches = [url for url, _ in entries if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len, default=None)
    return [{"url": url, "label": label, "active": url == current} for url, label in entries]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = _items(LEARNER_NAV, request.path)
    if access.can_use_console(user):
        items.append({"url": "/people/", "label": "管理后台", "active": request.path.startswith("/people/")})
    elif access.is_evaluator(user):  # outside evaluators: their assignments, nothing of the console
        items.append(
            {"url": "/evaluation/evaluator/", "label": "评估任务", "active": request.path.startswith("/evaluation/")}
        )
    return {
        "nav_items": items,
        "console_nav_items": _items(CONSOLE_NAV, request.path),
        "notices_unread": unread_count(user=user),  # the bell: one COUNT on the (user, read_at) index
    }
