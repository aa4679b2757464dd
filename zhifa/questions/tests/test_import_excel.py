"""Importing the Excel layout: the template, row errors in Chinese, all-or-nothing, idempotent re-import."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from zhifa.questions import exports, spreadsheet
from zhifa.questions.imports import questions_import
from zhifa.questions.models import Question
from zhifa.questions.seeding import knowledge_tree_seed

HEADER = spreadsheet.COLUMNS


def workbook(rows, *, header=HEADER, setup=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "试题"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if setup:
        setup(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(kind="单选题", stem="题干", options=("甲", "乙", "丙", "丁"), answer="A", explanation="", difficulty="3",
        points="", articles=""):  # fmt: skip
    options = list(options) + [""] * (8 - len(options))
    return [kind, stem, *options, answer, explanation, difficulty, points, articles]


def messages(report) -> str:
    return "\n".join(error["message"] for error in report.errors)


@pytest.fixture
def tree(db):
    knowledge_tree_seed()


def test_the_template_imports_cleanly_once_the_tree_exists(tree):
    report = questions_import(blob=spreadsheet.template_workbook(), fmt="xlsx", pending_citations=True)
    assert report.errors == []
    assert report.created == 5
    assert dict(report.by_type) == {"single": 1, "multiple": 1, "judge": 1, "blank": 1, "short": 1}
    short = Question.objects.get(kind="short")
    assert short.answer["rubric"][1] == {"point": "出示执法证件", "score": 2, "keywords": ["出示", "证件"]}
    blank = Question.objects.get(kind="blank")
    assert blank.answer == [["五", "5"]] and blank.knowledge_points.get().name == "行政处罚程序"


@pytest.mark.parametrize(
    "bad_row, expected",
    [
        (row(answer="E"), "第 3 行「答案」：答案 E 不是本题的选项（本题选项为 A–D）"),
        (row(answer="对"), "“对”不是选项字母"),
        (row(kind="单选题", answer="AB"), "单选题只能有一个答案"),
        (row(kind="论文题"), "“论文题”无法识别"),
        (row(kind="判断题", options=(), answer="也许"), "判断题请填“对”或“错”"),
        (row(difficulty="极难"), "“极难”无法识别，请填 1 到 5"),
        (row(points="不存在的知识点"), "“不存在的知识点”不在知识点树中"),
        (row(articles="随便写写"), "“随便写写”无法识别"),
        (row(options=("甲", "", "丙")), "第 3 行「选项」：选项 B 内容为空"),
        (row(stem=""), "题干为空"),
        (row(stem="长" * 20_001), "题干过长"),
    ],
)
def test_a_bad_row_is_reported_in_chinese_and_nothing_is_imported(tree, bad_row, expected):
    blob = workbook([row(stem="好的一行"), bad_row])
    report = questions_import(blob=blob, fmt="xlsx")
    assert expected in messages(report)
    assert report.created == 0 and not Question.objects.exists()


def test_wrong_columns_are_named(tree):
    blob = workbook([["单选题", "题干"]], header=["类型", "题干", "正确答案"])
    text = messages(questions_import(blob=blob, fmt="xlsx"))
    assert "第 1 行「类型」：无法识别的列名" in text and "缺少必需的列：题型、答案" in text


def test_merged_cells_and_formulas_are_refused(tree):
    def merge_and_formula(sheet):
        sheet.merge_cells("L2:L3")
        sheet["K3"] = '=IF(1,"A","B")'

    text = messages(questions_import(blob=workbook([row(), row(stem="二")], setup=merge_and_formula), fmt="xlsx"))
    assert "单元格 L2:L3 是合并单元格，请取消合并" in text
    assert "第 3 行「答案」：单元格含公式" in text


def test_a_file_that_is_not_excel_is_refused(tree):
    report = questions_import(blob=b"PK\x03\x04 not really a zip" + b"x" * 100, fmt="xlsx")
    assert "不是有效的 Excel 文件" in messages(report)


def test_ten_megabytes_of_text_are_refused_without_importing(tree):
    report = questions_import(blob=("长" * 4_000_000).encode() * 3, fmt="jsonl")
    assert "文件超过 32 MB" in messages(report) or "不是有效的 JSON" in messages(report)
    blob = workbook([row(stem="长" * 32_000, explanation="解" * 32_000)] * 3)
    report = questions_import(blob=blob, fmt="xlsx")
    assert "题干过长" in messages(report) and not Question.objects.exists()


def test_case_questions_take_their_sub_question_rows(tree):
    blob = workbook([
        row(kind="案例分析题", stem="案情", options=(), answer="参考答案\n要点：程序合法（3分）"),
        row(kind="小题-单选题", stem="小题一", options=("甲", "乙"), answer="B"),
        row(kind="小题-判断题", stem="小题二", options=(), answer="错"),
        row(kind="判断题", stem="独立的题", options=(), answer="√"),
    ])  # fmt: skip
    report = questions_import(blob=blob, fmt="xlsx")
    assert report.errors == [] and report.created == 2
    case = Question.objects.get(kind="case")
    assert [(s.kind, s.answer) for s in case.sub_questions.order_by("position")] == [
        ("single", ["B"]),
        ("judge", [False]),
    ]
    assert case.answer == {"reference": "参考答案", "rubric": [{"point": "程序合法", "score": 3}]}


def test_a_sub_question_without_its_case_is_an_error(tree):
    text = messages(questions_import(blob=workbook([row(kind="小题-单选题")]), fmt="xlsx"))
    assert "小题之前没有案例分析题" in text


def test_dry_run_counts_without_writing(tree):
    report = questions_import(blob=workbook([row(), row(stem="二")]), fmt="xlsx", dry_run=True)
    assert (report.created, report.errors) == (2, [])
    assert not Question.objects.exists()


def test_an_export_re_imports_unchanged(tree):
    questions_import(blob=spreadsheet.template_workbook(), fmt="xlsx", pending_citations=True, status="published")
    again = questions_import(blob=exports.export_xlsx(Question.objects.all()), fmt="xlsx", pending_citations=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_a_row_with_a_known_id_updates_its_question(tree):
    header = [*HEADER, "编号"]
    questions_import(blob=workbook([[*row(), "Q-1"], [*row(stem="二"), "Q-2"]], header=header), fmt="xlsx",
                     status="published")  # fmt: skip
    exported = exports.export_xlsx(Question.objects.all())
    book = load_workbook(io.BytesIO(exported))
    book["试题"]["B2"] = "题干（修订）"
    buffer = io.BytesIO()
    book.save(buffer)
    edited = questions_import(blob=buffer.getvalue(), fmt="xlsx")
    assert (edited.created, edited.updated, edited.unchanged) == (0, 1, 1)
    latest = Question.objects.get(external_id="Q-1", is_latest=True)
    assert (latest.stem, latest.version) == ("题干（修订）", 2)  # the published row got a new version
    assert Question.objects.get(external_id="Q-1", version=1).stem == "题干"


def test_duplicate_rows_in_one_file_are_reported(tree):
    text = messages(questions_import(blob=workbook([row(), row()]), fmt="xlsx"))
    assert "第 3 行：与第 2 行完全相同" in text


def test_the_command_prints_json_and_fails_on_errors(tree, tmp_path, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook([row(), row(kind="判断题", stem="二", options=(), answer="对")]))
    call_command("import_questions", str(good), "--json")
    summary = json.loads(capsys.readouterr().out.strip())
    assert summary == {"created": 2, "updated": 0, "unchanged": 0, "errors": [], "by_type": {"judge": 1, "single": 1},
                       "by_use": {"both": 2}, "unresolved": []}  # fmt: skip
    call_command("import_questions", str(good), "--dry-run")
    assert "未变 2" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([row(answer="Z")]))
    with pytest.raises(CommandError):
        call_command("import_questions", str(bad), "--json")
    assert json.loads(capsys.readouterr().out.strip())["errors"][0]["row"] == 2


def test_export_command_writes_both_formats(tree, tmp_path):
    questions_import(blob=workbook([row()]), fmt="xlsx")
    call_command("export_questions", "--format", "jsonl", str(tmp_path / "q.jsonl"))
    call_command("export_questions", "--format", "xlsx", str(tmp_path / "q.xlsx"))
    record = json.loads((tmp_path / "q.jsonl").read_text().splitlines()[0])
    assert record["type"] == "single" and record["answer"] == ["A"]
    assert load_workbook(tmp_path / "q.xlsx")["试题"]["K2"].value == "A"


@pytest.mark.parametrize("kind", ["Excel", "Word"])
def test_the_readers_name_a_damaged_archive_member_and_the_fix(kind):
    import zipfile

    from zhifa.questions import wordfile

    blob = bytearray(spreadsheet.template_workbook() if kind == "Excel" else wordfile.sample_document())
    member = "xl/worksheets/sheet1.xml" if kind == "Excel" else "word/document.xml"
    info = zipfile.ZipFile(io.BytesIO(bytes(blob))).getinfo(member)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 10
    blob[start : start + 50] = bytes(b ^ 0x55 for b in blob[start : start + 50])  # the member's data, scrambled
    read = spreadsheet.read_workbook if kind == "Excel" else wordfile.read_document
    parsed = read(bytes(blob))
    assert not parsed.rows
    assert parsed.errors[0].message.startswith(f"{kind} 文件已损坏，无法读取（其中的 {member} 无法解压）")
    assert "另存为" in parsed.errors[0].message
