"""Who may open each page of the cases app (walked by zhifa/common/tests/test_access_matrix.py).

Cases and published drills are for every logged-in user; a run belongs to its player alone (anyone else, even an
administrator, gets 404); the console is for unit administrators, auditors and system administrators, and only
editors (system administrators, or unit administrators for their units' scenarios) may change or preview.
"""

from __future__ import annotations

from pathlib import Path

from zhifa.common.access_matrix import console, logged_in, only

SMALL = Path(__file__).parent / "tests" / "scenarios" / "valid_small.yaml"


def _version(world, *, draft: bool = False):
    from zhifa.cases import services
    from zhifa.cases.models import Scenario

    scenario = Scenario.objects.filter(key="small-inspection").first()
    if scenario is None or scenario.current is None:
        version = services.scenario_save(source=SMALL.read_text(encoding="utf-8"), by=None)
        services.scenario_publish(version=version, by=None)
        scenario = Scenario.objects.get(key="small-inspection")
    if draft:
        return services.scenario_save(source=SMALL.read_text(encoding="utf-8") + "\n# 修改\n", by=None)
    return scenario.current


def _run(world, *, finished: bool = False):
    from zhifa.cases import services

    run = services.run_start(version=_version(world), user=world.officer.user)
    if finished:
        for choice in (0, 1):  # 出示执法证件, then 离开 → the failure ending
            run = services.run_step(run=run, user=world.officer.user, choice=choice)
    return run


def _case(world):
    from zhifa.cases import services

    case, _ = services.case_upsert(data={"title": "示例案例", "facts": "案情", "article_keys": []})
    return case


CASES = {
    "cases:case-list": logged_in(),
    "cases:case-detail": logged_in(kwargs=lambda w: {"case_id": _case(w).pk}),
    "cases:scenario-list": logged_in(),
    "cases:scenario-detail": logged_in(kwargs=lambda w: {"key": _version(w).scenario.key}),
    "cases:run-start": logged_in(405, kwargs=lambda w: {"key": _version(w).scenario.key}),
    "cases:run-play": only({"officer": 200}, kwargs=lambda w: {"run_id": _run(w).pk}),
    "cases:run-debrief": only({"officer": 200}, kwargs=lambda w: {"run_id": _run(w, finished=True).pk}),
    "cases:manage": console(),
    "cases:case-manage": console(),
    "cases:case-new": only({"unit_admin": 200, "sysadmin": 200}),
    "cases:case-edit": only({"unit_admin": 200, "sysadmin": 200}, kwargs=lambda w: {"case_id": _case(w).pk}),
    "cases:scenario-new": only({"unit_admin": 200, "sysadmin": 200}),
    "cases:scenario-edit": console(kwargs=lambda w: {"scenario_id": _version(w).scenario_id}),
    "cases:scenario-discretion": console(kwargs=lambda w: {"scenario_id": _version(w).scenario_id}),
    "cases:scenario-validate": only(
        {"unit_admin": 200, "auditor": 200, "sysadmin": 200}, method="post", data={"source": "id: x\n"}
    ),
    "cases:version-publish": only(
        {"sysadmin": 302}, method="post", data={}, kwargs=lambda w: {"version_id": _version(w, draft=True).pk}
    ),
    "cases:version-graph": console(kwargs=lambda w: {"version_id": _version(w).pk}),
    "cases:version-preview": only(
        {"sysadmin": 302}, method="post", data={"scene": "inspect"}, kwargs=lambda w: {"version_id": _version(w).pk}
    ),
}
