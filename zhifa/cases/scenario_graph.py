"""The state graph of a scenario: which scenes can be reached, dead ends, loops, the best scores and the best path.

A state is (scene, variable values). Exploring every state reachable from the start, honouring choice conditions,
makes the checks exact rather than structural: a scene reached only through a condition that never holds is
reported as unreachable. The state graph must be acyclic (a loop could repeat points forever); the longest paths
over it give the highest score reachable per dimension and the best path (highest total without a veto).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from zhifa.cases.drill_engine import choices_enabled, variables_after
from zhifa.cases.scenario_types import DIMENSIONS, Choice, Issue, Scenario

STATE_CAP = 20_000
StateKey = tuple[str, tuple]


@dataclass(frozen=True)
class Edge:
    label: str  # the choice text, or "裁量决定"
    choice: Choice | None  # None for a decision
    target: StateKey
    effects: tuple[tuple[str, int], ...]
    veto: str


@dataclass
class Exploration:
    start: StateKey
    edges: dict[StateKey, list[Edge]]
    order: list[StateKey]  # topological; shorter than edges when there is a loop
    truncated: bool

    @property
    def acyclic(self) -> bool:
        return len(self.order) == len(self.edges)

    def scenes_reached(self) -> set[str]:
        return {key[0] for key in self.edges}


def _freeze(variables: dict) -> tuple:
    return tuple(sorted(variables.items()))


def _successors(scenario: Scenario, key: StateKey) -> list[Edge]:
    scene = scenario.scenes[key[0]]
    variables = dict(key[1])
    if scene.ending is not None:
        return []
    if scene.decision is not None:
        decision = scene.decision
        return [Edge("裁量决定", None, (decision.goto, key[1]), tuple(decision.effects.items()), "")]
    return [
        Edge(
            choice.text,
            choice,
            (choice.goto, _freeze(variables_after(choice, variables))),
            tuple(choice.effects.items()),
            choice.veto,
        )
        for choice in choices_enabled(scene, variables)
    ]


def explore(scenario: Scenario, *, start: str | None = None, variables: dict | None = None) -> Exploration:
    """Every state reachable from the start (breadth first, capped at STATE_CAP), with a topological order."""
    first: StateKey = (start or scenario.start, _freeze({**scenario.variables, **(variables or {})}))
    edges: dict[StateKey, list[Edge]] = {}
    queue, truncated = deque([first]), False
    while queue:
        key = queue.popleft()
        if key in edges:
            continue
        if len(edges) >= STATE_CAP:
            truncated = True
            break
        edges[key] = _successors(scenario, key)
        queue.extend(edge.target for edge in edges[key] if edge.target not in edges)
    if truncated:
        return Exploration(first, edges, [], True)
    indegree = dict.fromkeys(edges, 0)
    for outgoing in edges.values():
        for edge in outgoing:
            indegree[edge.target] += 1
    ready = deque(k for k, n in indegree.items() if n == 0)
    order = []
    while ready:
        key = ready.popleft()
        order.append(key)
        for edge in edges[key]:
            indegree[edge.target] -= 1
            if indegree[edge.target] == 0:
                ready.append(edge.target)
    return Exploration(first, edges, order, False)


def max_scores(scenario: Scenario, exploration: Exploration) -> dict[str, int]:
    """The highest score reachable in each dimension on some path from the start (acyclic graphs only)."""
    best: dict[StateKey, dict[str, int]] = {}
    for key in reversed(exploration.order):
        outgoing = exploration.edges[key]
        best[key] = {
            dim: max((dict(e.effects).get(dim, 0) + best[e.target][dim] for e in outgoing), default=0)
            for dim in DIMENSIONS
        }
    return best.get(exploration.start, dict.fromkeys(DIMENSIONS, 0))


@dataclass(frozen=True)
class PathStep:
    scene: str
    label: str
    choice_index: int | None


def best_path(scenario: Scenario, exploration: Exploration) -> tuple[list[PathStep], int] | None:
    """The path without vetoes to a success ending with the highest total score (then the fewest steps)."""
    best: dict[StateKey, tuple[int, int, Edge | None] | None] = {}
    for key in reversed(exploration.order):
        scene = scenario.scenes[key[0]]
        if scene.ending is not None:
            best[key] = (0, 0, None) if scene.ending.outcome == "success" else None
            continue
        options = []
        for edge in exploration.edges[key]:
            tail = best.get(edge.target)
            if edge.veto or tail is None:
                continue
            options.append((sum(v for _, v in edge.effects) + tail[0], tail[1] + 1, edge))
        best[key] = max(options, key=lambda o: (o[0], -o[1])) if options else None
    if best.get(exploration.start) is None:
        return None
    steps, key = [], exploration.start
    total = best[key][0]  # type: ignore[index]
    while (entry := best[key]) is not None and entry[2] is not None:
        edge = entry[2]
        steps.append(PathStep(key[0], edge.label, edge.choice.index if edge.choice else None))
        key = edge.target
    steps.append(PathStep(key[0], scenario.scenes[key[0]].ending.title, None))  # type: ignore[union-attr]
    return steps, total


def graph_issues(scenario: Scenario) -> list[Issue]:
    """Unreachable scenes, dead ends, never-offered choices, loops and pass marks no path reaches."""
    exploration = explore(scenario)
    if exploration.truncated:
        return [Issue(1, f"变量组合超过 {STATE_CAP} 种，无法完整检查：请减少整数变量的取值或累加次数")]
    issues = []
    reached = exploration.scenes_reached()
    for scene in scenario.scenes.values():
        if scene.id not in reached:
            issues.append(
                Issue(scene.line, f"场景“{scene.id}”无法到达：从开始场景出发，没有任何（条件成立的）选项通向它")
            )
    stuck: dict[str, tuple] = {}
    offered: set[tuple[str, int]] = set()
    for key, outgoing in exploration.edges.items():
        scene = scenario.scenes[key[0]]
        if not outgoing and scene.ending is None:
            stuck.setdefault(scene.id, key[1])
        offered |= {(key[0], e.choice.index) for e in outgoing if e.choice is not None}
    for scene_id, frozen in stuck.items():
        state = "，".join(f"{k}={v}" for k, v in frozen) or "初始状态"
        issues.append(
            Issue(
                scenario.scenes[scene_id].line,
                f"场景“{scene_id}”是死胡同：当 {state} 时所有选项的条件都不成立，演练无法继续",
            )
        )
    for scene_id in reached:
        for choice in scenario.scenes[scene_id].choices:
            if (scene_id, choice.index) not in offered:
                issues.append(
                    Issue(
                        choice.line,
                        f"场景“{scene_id}”的选项“{choice.text}”永远不会出现：条件“{choice.condition}”"
                        "在任何可达状态下都不成立",
                    )
                )
    if not exploration.acyclic:
        looped = sorted({k[0] for k in _on_loops(exploration)})
        line = min(scenario.scenes[s].line for s in looped)
        return [
            *issues,
            Issue(
                line,
                f"场景 {'、'.join(looped)} 构成循环：同一状态可以无限重复。请用变量记录进度，"
                "让重复访问时条件不同，或改为单向推进",
            ),
        ]
    issues += _score_issues(scenario, exploration)
    return issues


def _on_loops(exploration: Exploration) -> set[StateKey]:
    """States left after peeling off those without successors too: the loops and what lies between them."""
    remaining = set(exploration.edges) - set(exploration.order)
    changed = True
    while changed:
        changed = False
        for key in list(remaining):
            if not any(e.target in remaining for e in exploration.edges[key]):
                remaining.discard(key)
                changed = True
    return remaining


def _score_issues(scenario: Scenario, exploration: Exploration) -> list[Issue]:
    issues = []
    highest = max_scores(scenario, exploration)
    for dim, mark in scenario.passing.items():
        if mark > highest[dim]:
            issues.append(
                Issue(
                    scenario.lines.get(f"passing.{dim}", 1),
                    f"合格线 {dim}（{DIMENSIONS[dim]}）为 {mark} 分，但任何路径最多只能得到 {highest[dim]} 分："
                    "请降低合格线或增加得分选项",
                )
            )
    if not any(s.ending and s.ending.outcome == "success" for s in scenario.scenes.values()):
        issues.append(Issue(scenario.scenes[scenario.start].line, "没有 outcome: success 的结局：至少需要一个成功结局"))
    elif best_path(scenario, exploration) is None:
        issues.append(
            Issue(
                scenario.scenes[scenario.start].line,
                "没有一条不触犯否决项的路径能到达成功结局：请检查否决项和结局的去向",
            )
        )
    return issues
