"""Importing a large generated question bank from Excel: parse, dry run, commit, idempotent re-import, export.

.venv/bin/python benchmarks/bench_questions_import.py            # 2,000 questions (quick)
.venv/bin/python benchmarks/bench_questions_import.py --full     # 20,000 questions
.venv/bin/python benchmarks/bench_questions_import.py --pg       # on PostgreSQL (scratch database)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import machine, scratch_database

WORDS = "行政机关执法人员当事人处罚许可强制复议诉讼证据听证告知陈述申辩罚款警告没收查封扣押期限程序依据事实理由"


def generated(count: int, seed: int = 7):
    from zhifa.questions.content import QuestionData, stem_html

    rng = random.Random(seed)
    kinds = ["single"] * 5 + ["multiple"] * 3 + ["judge"] * 2 + ["blank"]
    points = ["law-penalty", "law-licensing", "law-coercion", "law-review", "law-evidence", "ethics-duty"]
    for n in range(count):
        kind = rng.choice(kinds)
        stem = f"第{n}题：" + "".join(rng.choice(WORDS) for _ in range(rng.randint(30, 80))) + "（  ）。"
        options = {label: "".join(rng.choice(WORDS) for _ in range(rng.randint(4, 16))) for label in "ABCD"}
        answer = {"single": [rng.choice("ABCD")], "multiple": sorted(rng.sample("ABCD", rng.randint(2, 4))),
                  "judge": [rng.random() < 0.5], "blank": [["听证", "听证会"]]}[kind]  # fmt: skip
        yield QuestionData(
            kind=kind, stem=stem_html(stem), answer=answer,
            options=options if kind in ("single", "multiple") else {}, explanation="解析：" + stem[:20],
            difficulty=rng.randint(1, 5), knowledge_points=(rng.choice(points),), external_id=f"gen-{n:06d}",
        )  # fmt: skip


def timed(label: str, rows: list, fn):
    started = time.perf_counter()
    result = fn()
    rows.append((label, time.perf_counter() - started))
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="20,000 questions instead of 2,000")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL scratch database")
    args = parser.parse_args()
    count = args.count or (20_000 if args.full else 2_000)
    label = scratch_database("questions", postgres=args.pg)

    from zhifa.questions import exports, spreadsheet
    from zhifa.questions.imports import questions_import
    from zhifa.questions.models import Question
    from zhifa.questions.seeding import knowledge_tree_seed

    knowledge_tree_seed()
    rows: list[tuple[str, float]] = []
    blob = timed("write Excel (generated)", rows, lambda: spreadsheet.write_workbook(list(generated(count))))
    timed("parse Excel", rows, lambda: spreadsheet.read_workbook(blob))
    dry = timed("dry run (parse + check)", rows, lambda: questions_import(blob=blob, fmt="xlsx", dry_run=True))
    done = timed("import (commit)", rows, lambda: questions_import(blob=blob, fmt="xlsx"))
    again = timed("re-import (all unchanged)", rows, lambda: questions_import(blob=blob, fmt="xlsx"))
    timed("export Excel", rows, lambda: exports.export_xlsx(Question.objects.all()))
    assert dry.errors == [] and done.created == count and again.unchanged == count, (dry.errors[:3], done, again)
    assert Question.objects.count() == count

    print(f"questions import benchmark — {count:,} questions, {len(blob) / 1e6:.1f} MB xlsx, {label}")
    print(f"machine: {machine()}")
    print(f"{'step':<28}{'seconds':>10}{'questions/s':>14}")
    for step, seconds in rows:
        print(f"{step:<28}{seconds:>10.2f}{count / seconds:>14,.0f}")


if __name__ == "__main__":
    main()
