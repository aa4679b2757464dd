"""Assembly: exact blueprints, precise Chinese refusals, parallel forms, seeded shuffles (tables + hypothesis)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhifa.exams.assembly import (
    AssemblyError,
    Blueprint,
    BlueprintInvalid,
    Item,
    Section,
    assemble,
    assemble_forms,
    order_paper,
    parse_blueprint,
)


def pool(n=200, seed=1):
    rng = random.Random(seed)
    return [
        Item(i, rng.choice(["single", "multiple", "judge"]), rng.randint(1, 5), (f"/{rng.randint(1, 4)}/",))
        for i in range(1, n + 1)
    ]


def meets(bp: Blueprint, items: dict[int, Item], sections: list[list[int]]) -> bool:
    all_ids = [i for ids in sections for i in ids]
    return (
        len(all_ids) == len(set(all_ids))
        and all(
            len(ids) == s.count and all(s.accepts(items[i]) for i in ids)
            for s, ids in zip(bp.sections, sections, strict=True)
        )
        and all(len(g & set(all_ids)) <= 1 for g in bp.enemy_groups)
    )


def test_a_paper_meets_every_section_exactly():
    items = pool()
    bp = Blueprint((Section("single", 5, Decimal(2), "/1/", "行政处罚程序", (2, 3)), Section("judge", 4, Decimal(1))))
    paper = assemble(bp, items, seed=3)
    assert meets(bp, {i.id: i for i in items}, paper.sections)
    assert paper == assemble(bp, items, seed=3)  # the seed decides


@pytest.mark.parametrize(
    "sections, bank, fragment",
    [
        (
            [Section("single", 3, Decimal(1), difficulties=(5,))],
            [Item(1, "single", 5), Item(2, "single", 5)],
            "第1部分（单选题 · 难度 5）需要 3 题，题库中符合条件的已发布试题只有 2 题",
        ),
        (
            [Section("judge", 1, Decimal(1), "/9/", "证据规则")],
            [Item(1, "judge", 3, ("/1/",))],
            "第1部分（判断题 · 证据规则）需要 1 题，题库中符合条件的已发布试题只有 0 题",
        ),
        (
            [Section("single", 2, Decimal(1), difficulties=(1,)), Section("single", 2, Decimal(1))],
            [Item(i, "single", 1) for i in range(1, 4)],
            "第2部分（单选题）需要 2 题，符合条件的试题有 3 题，"
            "但在满足其他部分和互斥组的前提下最多只能选出 1 题（其中的试题也要用于第1部分",
        ),
    ],
)
def test_the_refusal_names_the_section_the_bank_cannot_meet(sections, bank, fragment):
    with pytest.raises(AssemblyError) as info:
        assemble(Blueprint(tuple(sections)), bank, seed=1)
    assert fragment in info.value.message


def test_enemy_groups_are_never_on_the_same_paper_and_are_named_when_they_block():
    bank = [Item(i, "single", 3) for i in range(1, 5)]
    bp = Blueprint((Section("single", 2, Decimal(1)),), enemy_groups=(frozenset({1, 2}), frozenset({3, 4})))
    paper = assemble(bp, bank, seed=2)
    assert len({1, 2} & set(paper.question_ids)) == 1 and len({3, 4} & set(paper.question_ids)) == 1
    tight = Blueprint((Section("single", 3, Decimal(1)),), enemy_groups=(frozenset({1, 2, 3}),))
    with pytest.raises(AssemblyError, match="互斥组") as info:
        assemble(tight, bank, seed=2)
    assert info.value.sections == [0]


def test_parallel_forms_share_no_question_when_the_bank_allows():
    items = pool(300)
    bp = Blueprint((Section("single", 10, Decimal(1)), Section("judge", 10, Decimal(1))))
    forms = assemble_forms(bp, items, count=3, seed=5)
    ids = [set(f.question_ids) for f in forms]
    assert not (ids[0] & ids[1]) and not (ids[1] & ids[2]) and not (ids[0] & ids[2])
    assert all(meets(bp, {i.id: i for i in items}, f.sections) for f in forms)


@pytest.mark.parametrize(
    "raw, message",
    [
        ([], "至少需要一个部分"),
        ([{"kind": "essay", "count": 1, "points": 1}], "第1部分：题型 'essay' 无效"),
        ([{"kind": "single", "count": 0, "points": 1}], "第1部分：题数 0 无效"),
        ([{"kind": "single", "count": 2, "points": "abc"}], "每题分值 'abc' 无效"),
        ([{"kind": "single", "count": 2, "points": 1, "difficulties": [7]}], "难度应为 1–5"),
        ([{"kind": "single", "count": 2, "points": 1, "knowledge_point": "nope"}], "知识点 'nope' 不存在"),
    ],
)
def test_a_bad_blueprint_is_refused_with_the_place_and_the_fix(raw, message):
    with pytest.raises(BlueprintInvalid, match=message):
        parse_blueprint(raw)


def test_order_is_reproducible_from_the_seed_and_keeps_sections_together():
    bp = Blueprint((Section("single", 3, Decimal(2)), Section("judge", 2, Decimal(1))))
    paper = assemble(
        bp, [Item(i, "single", 3) for i in range(1, 6)] + [Item(i, "judge", 3) for i in range(6, 9)], seed=1
    )
    options = {i: ["A", "B", "C", "D"] for i in range(1, 6)}
    kinds = {i: "single" if i < 6 else "judge" for i in range(1, 9)}
    first = order_paper(bp, paper, seed=42, kinds=kinds, options=options)
    assert [r.as_json() for r in first] == [
        r.as_json() for r in order_paper(bp, paper, seed=42, kinds=kinds, options=options)
    ]
    assert [r.section for r in first] == [0, 0, 0, 1, 1]
    assert all(sorted(r.options) == ["A", "B", "C", "D"] for r in first[:3])
    unshuffled = order_paper(
        bp, paper, seed=42, kinds=kinds, options=options, shuffle_options=False, shuffle_questions=False
    )
    assert [r.options for r in unshuffled[:3]] == [["A", "B", "C", "D"]] * 3


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(0, 6), min_size=1, max_size=3), bank_size=st.integers(0, 25), seed=st.integers(0, 10**6)
)
def test_either_an_exact_paper_or_an_explanation(counts, bank_size, seed):
    rng = random.Random(seed)
    bank = [Item(i, rng.choice(["single", "judge"]), rng.randint(1, 3)) for i in range(1, bank_size + 1)]
    sections = tuple(
        Section(
            rng.choice(["single", "judge"]),
            max(c, 1),
            Decimal(1),
            difficulties=tuple(sorted(rng.sample([1, 2, 3], rng.randint(1, 3)))),
        )
        for c in counts
    )
    bp = Blueprint(sections)
    feasible = _max_matching(bp, bank) == bp.question_count
    try:
        paper = assemble(bp, bank, seed=seed)
    except AssemblyError as exc:
        assert not feasible, "the bank could meet the blueprint, yet assembly refused"
        assert exc.sections and "第" in exc.message
        return
    assert feasible and meets(bp, {i.id: i for i in bank}, paper.sections)


def _max_matching(bp: Blueprint, bank: list[Item]) -> int:
    """Independent check (no enemy groups): Kuhn's bipartite matching of section slots to items."""
    slots = [s for s in bp.sections for _ in range(s.count)]
    owner: dict[int, int] = {}

    def augment(slot: int, seen: set[int]) -> bool:
        for item in bank:
            if item.id in seen or not slots[slot].accepts(item):
                continue
            seen.add(item.id)
            if item.id not in owner or augment(owner[item.id], seen):
                owner[item.id] = slot
                return True
        return False

    return sum(augment(slot, set()) for slot in range(len(slots)))
