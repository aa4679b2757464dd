"""JSONL import and export in the shared schema, and the 1,000 real questions (shared data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from zhifa.questions import exports
from zhifa.questions.imports import questions_import
from zhifa.questions.models import Question
from zhifa.questions.seeding import knowledge_tree_seed

REAL = Path(settings.SHARED_DATA_DIR) / "questions" / "questions.jsonl"


def lines(*records) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


RECORD = {"id": "x-1", "source": "自编", "type": "multiple", "stem": "下列属于行政处罚的有", "options": {
    "A": "警告", "B": "罚款", "C": "记过", "D": "降级"}, "answer": ["A", "B"], "subject": "行政法", "admin_law": True,
    "cited_articles": [], "exam": "示例"}  # fmt: skip


@pytest.mark.django_db
def test_a_record_keeps_its_answer_and_unknown_fields():
    report = questions_import(blob=lines(RECORD), fmt="jsonl")
    assert (report.created, report.errors) == (1, [])
    question = Question.objects.get()
    assert (question.external_id, question.source, question.answer) == ("x-1", "自编", ["A", "B"])
    assert question.extra == {"subject": "行政法", "admin_law": True, "exam": "示例"}
    exported = json.loads(exports.export_jsonl(Question.objects.all()))
    assert RECORD.items() <= exported.items()


@pytest.mark.django_db
def test_every_kind_round_trips_through_jsonl():
    knowledge_tree_seed()
    records = [
        {"id": "j", "type": "judge", "stem": "判断", "answer": [False], "knowledge_points": ["law-penalty"]},
        {"id": "b", "type": "blank", "stem": "填空__", "answer": [["五", "5"], ["听证"]], "difficulty": 4},
        {
            "id": "s",
            "type": "short",
            "stem": "简答",
            "answer": {"reference": "答", "rubric": [{"point": "要点", "score": 2, "keywords": ["要"]}]},
        },
        {
            "id": "c",
            "type": "case",
            "stem": "案情",
            "answer": {"reference": "参考"},
            "sub_questions": [{"type": "single", "stem": "小题", "options": {"A": "甲", "B": "乙"}, "answer": ["A"]}],
        },
    ]
    first = questions_import(blob=lines(*records), fmt="jsonl")
    assert (first.created, first.errors) == (4, [])
    again = questions_import(blob=exports.export_jsonl(Question.objects.all()), fmt="jsonl")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "line, expected",
    [
        (b"{not json", "第 1 行：不是有效的 JSON"),
        (b"[1, 2]", "每行应是一个 JSON 对象"),
        (lines({**RECORD, "type": "essay"}), "题型“essay”无法识别"),
        (lines({**RECORD, "answer": ["E"]}), "答案 E 不是本题的选项"),
        (lines(RECORD, RECORD), "第 2 行「编号」：编号“x-1”与第 1 行重复"),
        ("题".encode("gbk"), "不是 UTF-8 编码"),
    ],
)
def test_bad_lines_are_refused(line, expected):
    report = questions_import(blob=line, fmt="jsonl")
    assert expected in "\n".join(e["message"] for e in report.errors)
    assert not Question.objects.exists()


@pytest.mark.shared_data
@pytest.mark.slow
@pytest.mark.django_db
def test_the_thousand_real_questions_survive_jsonl_excel_and_back():
    if not REAL.exists():
        pytest.skip(f"shared data not found at {REAL}")
    originals = [json.loads(line) for line in REAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    first = questions_import(blob=REAL.read_bytes(), fmt="jsonl", pending_citations=True)
    assert first.errors == [] and first.created == len(originals) == 1000
    assert first.by_type == {"single": 709, "multiple": 291}
    stored = {q.external_id: q for q in Question.objects.prefetch_related("options")}
    for record in originals:
        question = stored[record["id"]]
        assert question.answer == record["answer"]
        assert {o.label: o.text for o in question.options.all()}.keys() == record["options"].keys()
        assert question.article_keys == record["cited_articles"]

    workbook = exports.export_xlsx(Question.objects.all())
    assert questions_import(blob=workbook, fmt="xlsx", pending_citations=True).unchanged == 1000
    hashes = dict(Question.objects.values_list("external_id", "content_hash"))
    Question.objects.update(lineage=None)  # lineage protects versions; this test empties the bank on purpose
    Question.objects.all().delete()
    again = questions_import(blob=workbook, fmt="xlsx", pending_citations=True)
    assert (again.created, again.errors) == (1000, [])
    assert dict(Question.objects.values_list("external_id", "content_hash")) == hashes
    answers = dict(Question.objects.values_list("external_id", "answer"))
    assert all(answers[r["id"]] == r["answer"] for r in originals)
