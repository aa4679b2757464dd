"""Playing a scenario: the state of a run and the steps that change it. Pure; the service stores the state as JSON.

A run's state holds the current scene, the variables, the scores per dimension, the vetoes incurred and every step
taken (with its feedback and legal basis), so a run resumes exactly where it stopped and the debrief needs nothing
else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from zhifa.cases.scenario_conditions import condition_evaluate
from zhifa.cases.scenario_types import DIMENSIONS, Choice, Scenario, Scene


class StepRefused(ValueError):
    """A step that the current scene does not allow; the message is Chinese and says why."""


@dataclass
class RunState:
    scene: str
    variables: dict[str, Any]
    scores: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DIMENSIONS, 0))
    vetoes: list[str] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    decision: dict | None = None  # {"amount": "20000", "measure": "罚款", "within": true}

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> RunState:
        return cls(**data)


def choices_enabled(scene: Scene, variables: dict[str, Any]) -> list[Choice]:
    """The choices of a scene whose condition holds for these variables."""
    return [c for c in scene.choices if c.expr is None or condition_evaluate(c.expr, variables)]


def variables_after(choice: Choice, variables: dict[str, Any]) -> dict[str, Any]:
    """The variables once the choice's `set` and `add` are applied."""
    result = dict(variables)
    result.update(choice.set)
    for name, step in choice.add.items():
        result[name] = int(result.get(name, 0)) + step
    return result


def state_start(scenario: Scenario, *, scene: str | None = None, preset: dict | None = None) -> RunState:
    """A fresh state at the start (or at `scene` with preset variables, for previews); raises StepRefused."""
    scene = scene or scenario.start
    if scene not in scenario.scenes:
        raise StepRefused(f"场景“{scene}”不存在")
    variables = dict(scenario.variables)
    for name, value in (preset or {}).items():
        if name not in variables:
            raise StepRefused(f"变量“{name}”未在演练中声明")
        if type(value) is not type(variables[name]):
            raise StepRefused(f"变量“{name}”应与初始值 {variables[name]!r} 同类型")
        variables[name] = value
    return RunState(scene=scene, variables=variables)


def _apply(state: RunState, *, scene: str, label: str, effects: dict[str, int], target: str, **step) -> RunState:
    scores = {dim: state.scores.get(dim, 0) + effects.get(dim, 0) for dim in DIMENSIONS}
    record = {"scene": scene, "label": label, "effects": effects, **step}
    return RunState(target, state.variables, scores, list(state.vetoes), [*state.steps, record], state.decision)


def choice_take(scenario: Scenario, state: RunState, index: int) -> RunState:
    """Take choice `index` of the current scene; raises StepRefused when it is not offered."""
    scene = scenario.scenes[state.scene]
    offered = {c.index: c for c in choices_enabled(scene, state.variables)}
    if index not in offered:
        raise StepRefused("这个选项当前不可选：请刷新页面后重新选择")
    choice = offered[index]
    new = _apply(
        state,
        scene=scene.id,
        label=choice.text,
        effects=dict(choice.effects),
        target=choice.goto,
        choice=index,
        feedback=choice.feedback,
        basis=list(choice.basis),
        veto=choice.veto,
        mistake=choice.mistake,
        contrast=dict(choice.contrast),
    )
    new.variables = variables_after(choice, state.variables)
    if choice.veto and choice.veto not in new.vetoes:
        new.vetoes.append(choice.veto)
    return new


def decision_take(scenario: Scenario, state: RunState, *, amount: str, measure: str) -> RunState:
    """Record the penalty decision of a decision scene; within the benchmark it earns the scene's effects."""
    scene = scenario.scenes[state.scene]
    decision, benchmark = scene.decision, scenario.benchmark
    if decision is None or benchmark is None:
        raise StepRefused("当前场景不需要作出处罚决定")
    try:
        value = Decimal(str(amount).strip() or "0")
    except InvalidOperation:
        raise StepRefused("罚款金额应是数字（单位：元），没有罚款请填 0") from None
    if not value.is_finite() or not decision.amount_min <= value <= decision.amount_max:
        raise StepRefused(f"罚款金额应在 {decision.amount_min} 至 {decision.amount_max} 元之间")
    if measure not in decision.measures:
        raise StepRefused("请从列出的处罚种类中选择一项")
    if "罚款" in measure and value == 0:
        raise StepRefused(f"所选处罚种类“{measure}”包含罚款：请填写罚款金额")
    if "罚款" not in measure and value != 0:
        raise StepRefused(f"所选处罚种类“{measure}”不含罚款：罚款金额请填 0")
    within = benchmark.amount_min <= value <= benchmark.amount_max and (
        not benchmark.measures or measure in benchmark.measures
    )
    feedback = (
        decision.feedback
        if within
        else (
            f"决定（{measure}，{value} 元）超出裁量基准：基准为 {'、'.join(benchmark.measures) or '不限种类'}，"
            f"罚款 {benchmark.amount_min}—{benchmark.amount_max} 元。{benchmark.note}"
        )
    )
    new = _apply(
        state,
        scene=scene.id,
        label=f"{measure}，罚款 {value} 元",
        target=decision.goto,
        effects=dict(decision.effects) if within else {},
        choice=None,
        feedback=feedback,
        basis=list(benchmark.basis),
        veto="",
        mistake=not within,
        contrast={},
    )
    new.decision = {"amount": str(value), "measure": measure, "within": within}
    return new


def run_verdict(scenario: Scenario, state: RunState) -> tuple[bool, list[str]]:
    """Whether a finished run passes, and the reasons it does not (vetoes, a failure ending, pass marks)."""
    reasons = [f"触犯否决项：{scenario.vetoes[v].title}" for v in state.vetoes if v in scenario.vetoes]
    ending = scenario.scenes[state.scene].ending
    if ending is not None and ending.outcome == "failure":
        reasons.append(f"结局：{ending.title}")
    outside = legality_failed(state)
    for dim, mark in scenario.passing.items():
        if dim == "legality" and outside:
            continue
        if state.scores.get(dim, 0) < mark:
            reasons.append(f"{DIMENSIONS[dim]}得分 {state.scores.get(dim, 0)}，低于合格线 {mark}")
    if outside:
        decision = state.decision or {}
        reasons.append(
            f"{DIMENSIONS['legality']}不合格：处罚决定（{decision.get('measure')}，罚款 {decision.get('amount')} 元）"
            "超出裁量基准"
        )
    return not reasons, reasons


def legality_failed(state: RunState) -> bool:
    """A penalty decision outside the discretion standard fails the legality dimension, whatever its points."""
    return state.decision is not None and not state.decision.get("within", True)
