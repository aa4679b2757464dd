"""Issue 22 item 4: in the hearing drill, a decision outside the discretion standard fails its legality dimension
(警告 with a 0 元 fine against 50,000–75,000 元 no longer ends 合格); debriefs list no dimension with maximum 0."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse

from zhifa.cases.drill_engine import choice_take, decision_take, run_verdict, state_start
from zhifa.cases.models import DrillRun
from zhifa.cases.scenario_format import scenario_parse
from zhifa.cases.scenario_graph import best_path, explore, max_scores
from zhifa.cases.scenario_types import DIMENSIONS
from zhifa.cases.tests.conftest import publish

HEARING = Path(__file__).resolve().parents[1] / "scenarios" / "hearing-notice.yaml"


def _play(measure: str, amount: str):
    scenario = scenario_parse(HEARING.read_text(encoding="utf-8")).scenario
    assert scenario is not None
    best = best_path(scenario, explore(scenario))
    assert best is not None
    path, _total = best
    state = state_start(scenario)
    for step in path[:-1]:  # the last step is the ending
        assert state.scene == step.scene
        if step.choice_index is None:
            state = decision_take(scenario, state, amount=amount, measure=measure)
        else:
            state = choice_take(scenario, state, step.choice_index)
    return scenario, state


def test_the_best_path_with_the_standard_decision_passes():
    scenario, state = _play("责令停止销售，没收违法产品和违法所得，并处罚款", "60000")
    assert run_verdict(scenario, state) == (True, [])


def test_a_warning_with_no_fine_fails_legality_whatever_the_points():
    scenario, state = _play("警告", "0")
    passed, reasons = run_verdict(scenario, state)
    assert not passed
    assert any(r.startswith("合法性不合格") and "超出裁量基准" in r for r in reasons)


def test_the_hearing_debrief_fails_legality_and_lists_no_dimension_with_maximum_0(client, officer):
    version = publish(HEARING.read_text(encoding="utf-8"))
    scenario, _ = _play("警告", "0")
    highest = max_scores(scenario, explore(scenario))
    best = best_path(scenario, explore(scenario))
    assert best is not None
    path, _total = best
    client.force_login(officer.user)
    client.post(reverse("cases:run-start", args=[version.scenario.key]))
    run = DrillRun.objects.latest("pk")
    for step in path[:-1]:
        data = (
            {"amount": "0", "measure": "警告", "scene": step.scene}
            if step.choice_index is None
            else {"choice": str(step.choice_index)}
        )
        client.post(reverse("cases:run-play", args=[run.pk]), data)
    run.refresh_from_db()
    assert run.decision_within is False
    debrief = client.get(reverse("cases:run-debrief", args=[run.pk])).content.decode()
    assert "合法性不合格" in debrief and "不合格（处罚决定超出裁量基准）" in debrief
    for dim, name in DIMENSIONS.items():
        assert (f"<td>{name}</td>" in debrief) == (highest[dim] > 0)
