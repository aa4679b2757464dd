"""Paper assembly: a blueprint solved exactly as an integer program (PuLP + HiGHS). No ORM here.

A blueprint is a list of sections (question kind × knowledge-point subtree × difficulties, with a count and the
points of each question) plus enemy groups (questions that must not appear on the same paper). `assemble` picks, for
every section, exactly `count` distinct questions, at most one per enemy group, or raises `AssemblyError` naming in
Chinese the section the bank cannot fill and why.

The model: binary x[i,s] (item i fills section s), integer short[s] ≥ 0 (elastic slack),
    Σ_i x[i,s] + short[s] = count_s,   Σ_s x[i,s] ≤ 1,   Σ_{i∈group} Σ_s x[i,s] ≤ 1,
    minimise BIG·Σ short + Σ w_i·x[i,s]   (w: seeded random weights, plus penalties for items other forms used).
A paper meets the blueprint exactly when every short is 0; otherwise the sections with short > 0 are the ones the
bank cannot meet together with the others, and the message says so. Solving first on a seeded sample of candidates
keeps a 20,000-question bank fast; the full model is solved whenever the sample cannot meet the blueprint, so the
answer (a paper or an explanation) is always the exact one.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pulp

from zhifa.questions.content import KIND_LABELS  # the bank's own names of the kinds (a pure module)

CHOICE_KINDS = {"single", "multiple"}
MAX_SECTION_COUNT = 500
SAMPLE_FACTOR = 4  # candidates kept per section in the fast first solve: count × factor + SAMPLE_EXTRA
SAMPLE_EXTRA = 20
_BIG = 1000.0


class BlueprintInvalid(ValueError):
    """A blueprint that cannot be read (wrong kind, count, points …); the message names the section and the fix."""


class AssemblyError(Exception):
    """The bank cannot meet the blueprint; `sections` holds the indexes (0-based) of the failing sections."""

    def __init__(self, message: str, sections: Sequence[int] = ()):
        super().__init__(message)
        self.message = message
        self.sections = list(sections)


@dataclass(frozen=True)
class Item:
    """One published question as assembly sees it."""

    id: int
    kind: str
    difficulty: int
    knowledge_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    kind: str
    count: int
    points: Decimal
    knowledge_path: str = ""  # "" = any knowledge point; else a materialised subtree path such as "/1/5/"
    knowledge_name: str = ""
    difficulties: tuple[int, ...] = ()  # empty = any difficulty

    def accepts(self, item: Item) -> bool:
        if item.kind != self.kind:
            return False
        if self.difficulties and item.difficulty not in self.difficulties:
            return False
        return not self.knowledge_path or any(p.startswith(self.knowledge_path) for p in item.knowledge_paths)

    def describe(self, index: int) -> str:
        parts = [KIND_LABELS.get(self.kind, self.kind)]
        if self.knowledge_name:
            parts.append(self.knowledge_name)
        if self.difficulties:
            parts.append("难度 " + "、".join(str(d) for d in sorted(self.difficulties)))
        return f"第{index + 1}部分（{' · '.join(parts)}）"


@dataclass(frozen=True)
class Blueprint:
    sections: tuple[Section, ...]
    enemy_groups: tuple[frozenset[int], ...] = ()

    @property
    def question_count(self) -> int:
        return sum(s.count for s in self.sections)

    @property
    def total_points(self) -> Decimal:
        return sum((s.points * s.count for s in self.sections), Decimal(0))


@dataclass
class Paper:
    """The chosen question ids per section, in section order (not yet shuffled)."""

    sections: list[list[int]]
    used_full_model: bool = False
    overlap: int = 0  # items shared with the forms passed as `avoid`

    @property
    def question_ids(self) -> list[int]:
        return [qid for ids in self.sections for qid in ids]


def parse_blueprint(
    sections: Sequence[Mapping], enemy_groups: Sequence[Sequence] = (), knowledge_points: Mapping | None = None
) -> Blueprint:
    """Read sections from JSON-like dicts; raises BlueprintInvalid naming the section and the fix.

    `knowledge_points` maps a knowledge-point code to (path, name); a section's "knowledge_point" is such a code.
    """
    if not sections:
        raise BlueprintInvalid("组卷规则至少需要一个部分：请添加题型、题数和分值。")
    parsed = tuple(_parse_section(i, raw, knowledge_points or {}) for i, raw in enumerate(sections))
    groups = []
    for g, raw in enumerate(enemy_groups):
        try:
            ids = frozenset(int(x) for x in raw)
        except (TypeError, ValueError):
            raise BlueprintInvalid(f"第{g + 1}个互斥组：应为试题编号列表（整数），请修改。") from None
        if len(ids) < 2:
            raise BlueprintInvalid(f"第{g + 1}个互斥组：至少需要两道不同的试题，请补充或删除该组。")
        groups.append(ids)
    return Blueprint(sections=parsed, enemy_groups=tuple(groups))


def _parse_section(index: int, raw: Mapping, knowledge_points: Mapping) -> Section:
    where = f"第{index + 1}部分"
    kind = raw.get("kind")
    if kind not in KIND_LABELS:
        raise BlueprintInvalid(f"{where}：题型 {kind!r} 无效，应为 {'、'.join(KIND_LABELS)} 之一。")
    count = raw.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_SECTION_COUNT:
        raise BlueprintInvalid(f"{where}：题数 {count!r} 无效，应为 1–{MAX_SECTION_COUNT} 的整数。")
    try:
        points = Decimal(str(raw.get("points")))
    except InvalidOperation:
        points = Decimal(-1)
    if not points.is_finite() or points <= 0 or points > 100:
        raise BlueprintInvalid(f"{where}：每题分值 {raw.get('points')!r} 无效，应为大于 0、不超过 100 的数。")
    difficulties = raw.get("difficulties") or ()
    if not all(isinstance(d, int) and 1 <= d <= 5 for d in difficulties):
        raise BlueprintInvalid(f"{where}：难度应为 1–5 的整数列表，当前为 {difficulties!r}。")
    code = raw.get("knowledge_point") or ""
    path, name = "", ""
    if code:
        if code not in knowledge_points:
            raise BlueprintInvalid(f"{where}：知识点 {code!r} 不存在，请从知识点树中选择。")
        path, name = knowledge_points[code]
    return Section(
        kind=kind,
        count=count,
        points=points,
        knowledge_path=path,
        knowledge_name=name,
        difficulties=tuple(sorted(set(difficulties))),
    )


def candidates_by_section(blueprint: Blueprint, pool: Iterable[Item]) -> list[list[Item]]:
    """The items each section accepts, in id order."""
    cands: list[list[Item]] = [[] for _ in blueprint.sections]
    by_kind: dict[str, list[int]] = {}
    for s, section in enumerate(blueprint.sections):
        by_kind.setdefault(section.kind, []).append(s)
    for item in sorted(pool, key=lambda it: it.id):
        for s in by_kind.get(item.kind, ()):
            if blueprint.sections[s].accepts(item):
                cands[s].append(item)
    return cands


def check_counts(blueprint: Blueprint, cands: Sequence[Sequence[Item]]) -> None:
    """Raises AssemblyError for every section whose cell holds fewer questions than it needs (before any solve)."""
    short = [(s, len(c)) for s, c in enumerate(cands) if len(c) < blueprint.sections[s].count]
    if short:
        lines = [
            f"{blueprint.sections[s].describe(s)}需要 {blueprint.sections[s].count} 题，"
            f"题库中符合条件的已发布试题只有 {n} 题"
            for s, n in short
        ]
        raise AssemblyError("；".join(lines) + "。请补充试题或减少该部分的题数。", [s for s, _ in short])


def assemble(
    blueprint: Blueprint,
    pool: Iterable[Item],
    *,
    seed: int,
    avoid: Mapping[int, int] | None = None,
    time_limit: float = 30.0,
) -> Paper:
    """Pick a paper meeting the blueprint exactly; raises AssemblyError naming the section the bank cannot meet.

    `avoid` maps item ids to how many earlier forms used them; such items are chosen only when nothing else fits.
    """
    cands = candidates_by_section(blueprint, pool)
    check_counts(blueprint, cands)
    rng = random.Random(seed)
    weights = {item.id: rng.random() for c in cands for item in c}
    avoid = avoid or {}
    sample = [_sample(c, blueprint.sections[s].count, weights, avoid) for s, c in enumerate(cands)]
    if sample != [list(c) for c in cands]:
        chosen, short = _solve(blueprint, sample, weights, avoid, time_limit)
        if not any(short):
            return Paper(chosen, overlap=_overlap(chosen, avoid))
    chosen, short = _solve(blueprint, cands, weights, avoid, time_limit)
    if any(short):
        raise AssemblyError(_explain(blueprint, cands, short), [s for s, k in enumerate(short) if k])
    return Paper(chosen, used_full_model=True, overlap=_overlap(chosen, avoid))


def _sample(cands: Sequence[Item], count: int, weights: Mapping[int, float], avoid: Mapping[int, int]) -> list[Item]:
    size = count * SAMPLE_FACTOR + SAMPLE_EXTRA
    if len(cands) <= size:
        return list(cands)
    ranked = sorted(cands, key=lambda it: (avoid.get(it.id, 0), weights[it.id]))
    return sorted(ranked[:size], key=lambda it: it.id)


def _overlap(chosen: Sequence[Sequence[int]], avoid: Mapping[int, int]) -> int:
    return sum(1 for ids in chosen for qid in ids if avoid.get(qid))


def _solve(blueprint, cands, weights, avoid, time_limit) -> tuple[list[list[int]], list[int]]:
    prob = pulp.LpProblem("paper", pulp.LpMinimize)
    x: dict[tuple[int, int], pulp.LpVariable] = {}
    by_item: dict[int, list[pulp.LpVariable]] = {}
    for s, c in enumerate(cands):
        for item in c:
            var = prob.add_variable(f"x_{item.id}_{s}", cat="Binary")
            x[item.id, s] = var
            by_item.setdefault(item.id, []).append(var)
    short = [prob.add_variable(f"short_{s}", lowBound=0, cat="Integer") for s in range(len(cands))]
    # Earlier sections come first: when sections compete, the shortfall is reported on the later one.
    n = len(cands)
    prob += pulp.lpSum(_BIG * (1 + 0.01 * (n - s)) * short[s] for s in range(n)) + pulp.lpSum(
        (weights[i] + 10.0 * avoid.get(i, 0)) * var for (i, _), var in x.items()
    )
    for s, c in enumerate(cands):
        prob += pulp.lpSum(x[item.id, s] for item in c) + short[s] == blueprint.sections[s].count
    for var_list in by_item.values():
        if len(var_list) > 1:
            prob += pulp.lpSum(var_list) <= 1
    for group in blueprint.enemy_groups:
        members = [v for i in group for v in by_item.get(i, [])]
        if len(members) > 1:
            prob += pulp.lpSum(members) <= 1
    stats = prob.solve(pulp.HiGHS(msg=False, timeLimit=time_limit))
    if stats.status != pulp.LpSolveStatus.Optimal:
        raise AssemblyError(f"组卷求解未完成（{stats.status.name}），请稍后重试或简化组卷规则。")
    chosen = [[item.id for item in c if (x[item.id, s].value() or 0) > 0.5] for s, c in enumerate(cands)]
    return chosen, [round(v.value() or 0) for v in short]


def _explain(blueprint: Blueprint, cands: Sequence[Sequence[Item]], short: Sequence[int]) -> str:
    enemy_ids = set().union(*blueprint.enemy_groups) if blueprint.enemy_groups else set()
    lines = []
    for s, missing in enumerate(short):
        if not missing:
            continue
        section, ids = blueprint.sections[s], {it.id for it in cands[s]}
        shared = [
            blueprint.sections[o].describe(o) for o in range(len(cands)) if o != s and ids & {it.id for it in cands[o]}
        ]
        reasons = []
        if shared:
            reasons.append(f"其中的试题也要用于{'、'.join(shared)}")
        if ids & enemy_ids:
            reasons.append(f"其中 {len(ids & enemy_ids)} 题属于互斥组，同组只能选一题")
        lines.append(
            f"{section.describe(s)}需要 {section.count} 题，符合条件的试题有 {len(ids)} 题，"
            f"但在满足其他部分和互斥组的前提下最多只能选出 {section.count - missing} 题"
            + (f"（{'；'.join(reasons)}）" if reasons else "")
        )
    return "；".join(lines) + "。请为这些部分补充试题，或减少题数、调整互斥组。"


@dataclass
class PaperRow:
    question: int
    section: int
    points: Decimal
    options: list[str] = field(default_factory=list)  # original option labels in display order

    def as_json(self) -> dict:
        return {
            "question": self.question,
            "section": self.section,
            "points": str(self.points.quantize(Decimal("0.01"))),
            "options": self.options,
        }


def order_paper(
    blueprint: Blueprint,
    paper: Paper,
    *,
    seed: int,
    kinds: Mapping[int, str],
    options: Mapping[int, Sequence[str]],
    shuffle_questions: bool = True,
    shuffle_options: bool = True,
) -> list[PaperRow]:
    """Rows in display order: sections in blueprint order, questions (and choice options) shuffled by `seed`."""
    rng = random.Random(seed)
    rows = []
    for s, ids in enumerate(paper.sections):
        ids = sorted(ids)
        if shuffle_questions:
            rng.shuffle(ids)
        for qid in ids:
            labels = sorted(options.get(qid, ()))
            if shuffle_options and kinds.get(qid) in CHOICE_KINDS:
                rng.shuffle(labels)
            rows.append(PaperRow(question=qid, section=s, points=blueprint.sections[s].points, options=labels))
    return rows


def assemble_forms(blueprint: Blueprint, pool: Sequence[Item], *, count: int, seed: int) -> list[Paper]:
    """`count` parallel forms, each meeting the blueprint exactly, sharing as few questions as the bank allows."""
    used: dict[int, int] = {}
    forms = []
    for n in range(count):
        paper = assemble(blueprint, pool, seed=seed + n, avoid=used)
        for qid in paper.question_ids:
            used[qid] = used.get(qid, 0) + 1
        forms.append(paper)
    return forms
