"""Paper assembly: a 100-question paper from a 20,000-question generated bank, meeting the blueprint exactly.

What is measured: `zhifa.exams.assembly.assemble` (the seeded candidate sample, the integer program built with PuLP
and solved by HiGHS, the fallback to the full model when the sample cannot meet the blueprint) for a blueprint of
20 cells (4 kinds × 5 knowledge-point subtrees, difficulties 2–4, 5 questions each) plus enemy groups; every paper
is checked to meet the blueprint exactly. Also: 3 parallel forms sharing as few questions as possible, and the
time to explain a blueprint the bank cannot meet. With --full the bank is loaded through the ORM from a scratch
SQLite database first (exams.papers.question_pool), which is what building an exam's papers costs end to end.

Target (DESIGN.md §7): ≤ 1 s per paper.

    .venv/bin/python benchmarks/bench_exams_assembly.py          # pure, 10 papers (~10 s)
    .venv/bin/python benchmarks/bench_exams_assembly.py --full   # + the ORM load of 20,000 questions
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

KINDS = ["single", "multiple", "judge", "blank"]


def generated_bank(n: int = 20_000, seed: int = 1):
    from zhifa.exams.assembly import Item

    rng = random.Random(seed)
    return [
        Item(i, rng.choice(KINDS), rng.randint(1, 5), (f"/{rng.randint(1, 10)}/{rng.randint(11, 99)}/",))
        for i in range(1, n + 1)
    ]


def blueprint():
    from zhifa.exams.assembly import Blueprint, Section

    sections = tuple(
        Section(kind, 5, Decimal(1), f"/{kp}/", f"知识点{kp}", (2, 3, 4)) for kind in KINDS for kp in range(1, 6)
    )
    enemies = tuple(frozenset(range(start, start + 40)) for start in range(1, 2000, 40))
    return Blueprint(sections, enemies)


def check(bp, bank, paper) -> None:
    items = {i.id: i for i in bank}
    ids = paper.question_ids
    assert len(ids) == len(set(ids)) == bp.question_count == 100
    for section, chosen in zip(bp.sections, paper.sections, strict=True):
        assert len(chosen) == section.count and all(section.accepts(items[i]) for i in chosen)
    assert all(len(g & set(ids)) <= 1 for g in bp.enemy_groups)


def timed(fn):
    began = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - began


def orm_pool(bank) -> tuple[int, float]:
    """Store the bank as Question rows in a scratch SQLite database and time loading it as the exams app does."""
    from _setup import scratch_database

    scratch_database("exams_assembly", postgres=False)
    from zhifa.exams import papers
    from zhifa.questions.models import KnowledgePoint, Question

    kps = {}
    for item in bank:
        path = item.knowledge_paths[0]
        if path not in kps:
            kps[path] = KnowledgePoint(code=f"kp{len(kps)}", name=path, path=path)
    KnowledgePoint.objects.bulk_create(kps.values())
    kps = {kp.path: kp for kp in KnowledgePoint.objects.all()}
    Question.objects.bulk_create(
        [
            Question(pk=i.id, kind=i.kind, stem="题干", difficulty=i.difficulty, status="published", answer=["A"])
            for i in bank
        ],
        batch_size=2000,
    )
    through = Question.knowledge_points.through
    through.objects.bulk_create(
        [through(question_id=i.id, knowledgepoint_id=kps[i.knowledge_paths[0]].pk) for i in bank], batch_size=5000
    )
    pool, seconds = timed(papers.question_pool)
    return len(pool), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from zhifa.exams.assembly import AssemblyError, Blueprint, Section, assemble, assemble_forms

    bank, bp = generated_bank(), blueprint()
    runs = 30 if args.full else 10
    times = []
    for seed in range(runs):
        paper, seconds = timed(lambda seed=seed: assemble(bp, bank, seed=seed))
        check(bp, bank, paper)
        times.append(seconds)
    forms, forms_seconds = timed(lambda: assemble_forms(bp, bank, count=3, seed=99))
    for f in forms:
        check(bp, bank, f)
    shared = len(set(forms[0].question_ids) & set(forms[1].question_ids) & set(forms[2].question_ids))
    impossible = Blueprint((*bp.sections, Section("case", 3, Decimal(10))))
    _, refusal_seconds = timed(lambda: _refusal(impossible, bank, AssemblyError))
    n1 = sum(1 for i in bank if i.kind == "single" and i.knowledge_paths[0].startswith("/1/"))
    # Each section alone fits the bank; together they need 10 more questions than it has.
    competing = Blueprint(
        (
            Section("single", n1 - 10, Decimal(1), "/1/", "知识点1"),
            Section("single", 20, Decimal(1), "/1/1", "知识点1下级"),
        )
    )
    message, compete_seconds = timed(lambda: _refusal(competing, bank, AssemblyError))
    print(
        f"paper assembly · bank 20,000 · blueprint 20 cells / 100 questions / 50 enemy groups · "
        f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"{'what':<44}{'median s':>10}{'max s':>10}")
    print(f"{'one paper (' + str(runs) + ' seeds, all exact)':<44}{statistics.median(times):>10.3f}{max(times):>10.3f}")
    print(
        f"{'3 parallel forms (shared by all 3: ' + str(shared) + ')':<44}{forms_seconds:>10.3f}{forms_seconds:>10.3f}"
    )
    print(f"{'refusal: empty cell (checked before solving)':<44}{refusal_seconds:>10.3f}{refusal_seconds:>10.3f}")
    print(f"{'refusal: competing sections (full model)':<44}{compete_seconds:>10.3f}{compete_seconds:>10.3f}")
    print(f"  → {message[:110]}…")
    if args.full:
        count, seconds = orm_pool(bank)
        print(f"{'ORM load of the pool (' + str(count) + ' questions, SQLite)':<44}{seconds:>10.3f}{seconds:>10.3f}")
    print(f"target ≤ 1 s per paper → {'met' if max(times) <= 1.0 else 'NOT met'}")


def _refusal(bp, bank, error) -> str:
    from zhifa.exams.assembly import assemble

    try:
        assemble(bp, bank, seed=1)
    except error as exc:
        return exc.message
    raise AssertionError("该组卷规则本应无法满足")


if __name__ == "__main__":
    main()
