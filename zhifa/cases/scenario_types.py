"""The parsed form of a scenario (docs/scenarios.md): dataclasses shared by the parser, the graph and the player."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zhifa.cases.scenario_conditions import Expr

DIMENSIONS = {"legality": "合法性", "procedure": "程序规范", "attitude": "服务态度与同理心", "efficiency": "效率"}
ROLES = {"officer": "执法人员", "party": "当事人"}
OUTCOMES = {"success": "顺利完成", "failure": "未能完成"}


@dataclass(frozen=True, order=True)
class Issue:
    line: int
    message: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.message}"


@dataclass
class Choice:
    index: int
    text: str
    goto: str
    line: int
    condition: str = ""
    expr: Expr | None = None
    effects: dict[str, int] = field(default_factory=dict)
    set: dict[str, Any] = field(default_factory=dict)
    add: dict[str, int] = field(default_factory=dict)
    veto: str = ""
    feedback: str = ""
    basis: list[str] = field(default_factory=list)
    mistake: bool = False
    contrast: dict[str, str] = field(default_factory=dict)


@dataclass
class Decision:
    goto: str
    prompt: str
    amount_min: Decimal
    amount_max: Decimal
    measures: list[str]
    effects: dict[str, int]
    feedback: str
    line: int


@dataclass
class Ending:
    outcome: str  # success | failure
    title: str
    debrief: str


@dataclass
class Scene:
    id: str
    line: int
    speaker: str = ""
    narrative: str = ""
    media: dict[str, str] = field(default_factory=dict)
    choices: list[Choice] = field(default_factory=list)
    decision: Decision | None = None
    ending: Ending | None = None
    title: str = ""

    @property
    def label(self) -> str:
        """What the pages call the scene (the scene graph, the preview's start): its `title`, else its ending's
        title, else the first clause of its narrative — never the YAML key (`arrive`), which only the source shows."""
        if self.title:
            return self.title
        if self.ending is not None and self.ending.title:
            return self.ending.title
        clause = re.split(r"[。！？；，,.!?;\n]", self.narrative.strip(), maxsplit=1)[0].strip()
        return (clause[:12] + "…" if len(clause) > 12 else clause) or self.id


@dataclass
class Veto:
    key: str
    title: str
    basis: list[str]
    explanation: str


@dataclass
class Benchmark:
    amount_min: Decimal
    amount_max: Decimal
    measures: list[str]
    basis: list[str]
    note: str


@dataclass
class Scenario:
    key: str
    title: str
    domain: str
    role: str
    summary: str
    start: str
    variables: dict[str, Any]
    vetoes: dict[str, Veto]
    scenes: dict[str, Scene]
    benchmark: Benchmark | None
    passing: dict[str, int]
    credit_hours: Decimal | None
    hours_category: str
    lines: dict[str, int] = field(default_factory=dict)  # "passing.legality" → line, for graph messages

    def article_keys(self) -> list[str]:
        """Every article key cited anywhere, in first-seen order."""
        keys: list[str] = []
        for veto in self.vetoes.values():
            keys += veto.basis
        for scene in self.scenes.values():
            for choice in scene.choices:
                keys += choice.basis
        if self.benchmark:
            keys += self.benchmark.basis
        return list(dict.fromkeys(keys))


@dataclass
class ParseResult:
    scenario: Scenario | None
    issues: list[Issue]

    @property
    def ok(self) -> bool:
        return not self.issues
