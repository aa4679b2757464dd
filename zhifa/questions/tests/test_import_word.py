"""Word (.docx) banks through the import page, banks with a default use, and the 用途 column of the other files."""

from __future__ import annotations

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from zhifa.questions import exports, spreadsheet, wordfile
from zhifa.questions.imports import questions_import
from zhifa.questions.models import Question, QuestionBank, QuestionImport
from zhifa.questions.seeding import knowledge_tree_seed
from zhifa.questions.tests.test_import_excel import HEADER, row, workbook


def login(user) -> Client:
    client = Client()
    client.force_login(getattr(user, "user", user))
    return client


def document(*paragraphs: str) -> bytes:
    doc = docx.Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def upload(client: Client, blob: bytes, name: str = "题库.docx", **fields) -> QuestionImport:
    response = client.post(reverse("questions:import-page"), {"file": SimpleUploadedFile(name, blob), **fields})
    batch = QuestionImport.objects.order_by("-pk").first()
    assert batch is not None and response.status_code == 302
    assert response["Location"] == reverse("questions:import-detail", args=[batch.pk])
    return batch


def test_the_sample_word_bank_of_all_five_types_imports_into_an_exam_bank(instructor):
    knowledge_tree_seed()
    client = login(instructor)
    sample = client.get(reverse("questions:import-sample-docx"))
    assert sample["Content-Type"].endswith("wordprocessingml.document")
    client.post(reverse("questions:bank-list"), {"name": "年度考试题库", "default_use": "exam"})
    bank = QuestionBank.objects.get(name="年度考试题库")
    batch = upload(client, sample.content, "试题导入样例.docx", bank=bank.pk, pending_citations="on")
    assert (batch.format, batch.status, batch.summary["created"]) == ("docx", "previewed", 5)
    page = client.get(reverse("questions:import-detail", args=[batch.pk])).content.decode()
    for label in ("单选题 1", "多选题 1", "判断题 1", "填空题 1", "简答题 1", "导入到题库“年度考试题库”"):
        assert label in page
    client.post(reverse("questions:import-detail", args=[batch.pk]), {"publish": "1"})
    batch.refresh_from_db()
    assert batch.status == "committed"
    questions = {q.kind: q for q in Question.objects.filter(bank=bank)}
    assert set(questions) == {"single", "multiple", "judge", "blank", "short"}
    assert questions["multiple"].answer == ["A", "B", "C"] and questions["multiple"].options.count() == 4
    assert questions["blank"].answer == [["五", "5"]]
    assert questions["short"].answer["rubric"][1]["keywords"] == ["出示", "证件"]
    # the bank's default use, unless the question's own 用途 line says otherwise (the sample's judge says 练习)
    assert {k: q.use for k, q in questions.items()} == {
        "single": "exam", "multiple": "exam", "judge": "practice", "blank": "exam", "short": "exam",
    }  # fmt: skip
    assert questions["single"].knowledge_points.get().name == "行政处罚程序"
    assert questions["single"].article_keys == ["行政处罚法#第四十四条"]
    assert "年度考试题库" in client.get(reverse("questions:bank-list")).content.decode()


def test_a_broken_word_bank_is_refused_with_line_numbers_and_imports_nothing(instructor):
    knowledge_tree_seed()
    client = login(instructor)
    broken = document(
        "一、单选题",  # 1
        "1. 听证应当在举行听证的几日前通知当事人？",  # 2
        "A. 三日",  # 3
        "B. 七日",  # 4
        "答案：E",  # 5
        "2. 没有答案的一题",  # 6
        "A. 甲",  # 7
        "C. 丙",  # 8
        "二、判断题",  # 9
        "1. 执法人员可以一人执法。",  # 10
        "答案：也许",  # 11
        "知识点：不存在的知识点",  # 12
        "用途：随便",  # 13
    )
    batch = upload(client, broken)
    assert batch.status == "failed"
    page = client.get(reverse("questions:import-detail", args=[batch.pk])).content.decode()
    for expected in (
        "第 2 行「答案」：答案 E 不是本题的选项",
        "第 6 行「选项」：选项字母应从 A 起连续",
        "第 6 行「答案」：本题没有“答案：”一行",
        "第 11 行「答案」：“也许”无法识别，判断题请填“对”或“错”",
        "第 13 行「用途」：“随便”无法识别",
    ):
        assert expected in page, expected
    assert "确认导入" not in page
    client.post(reverse("questions:import-detail", args=[batch.pk]))
    assert not Question.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "blob, expected",
    [
        (b"PK\x03\x04 not really a zip", "不是有效的 Word 文件"),
        (document("1. 没有题型标题的题", "答案：对"), "第 1 行「题型」：试题前没有题型标题"),
        (document("案例分析题", "1. 案情", "答案：参考"), "Word 导入不支持案例分析题"),
        (document("关于本题库的说明"), "文件中没有找到试题"),
    ],
)
def test_word_files_that_are_not_banks_are_refused_with_the_fix(blob, expected):
    report = questions_import(blob=blob, fmt="docx")
    assert expected in "\n".join(e["message"] for e in report.errors)
    assert not Question.objects.exists()


def test_word_options_on_one_line_and_answers_over_several_lines():
    parsed = wordfile.read_document(
        document(
            "一、多项选择题（每题2分）",
            "1. 下列属于行政强制措施的有（  ）",
            "A．查封场所 B．扣押财物 C．罚款 D．冻结存款",
            "答案：A、B、D",
            "三、简答题",
            "1. 简述听证程序。",
            "参考答案：",
            "（1）告知听证权利；",
            "（2）组织听证。",
            "要点：告知听证权利（2分）",
        )
    )
    assert parsed.errors == []
    multiple, short = (r.data for r in parsed.rows)
    assert multiple.options == {"A": "查封场所", "B": "扣押财物", "C": "罚款", "D": "冻结存款"}
    assert multiple.answer == ["A", "B", "D"]
    assert short.answer["reference"] == "（1）告知听证权利；\n（2）组织听证。"
    assert short.answer["rubric"] == [{"point": "告知听证权利", "score": 2.0}]


@pytest.mark.django_db
def test_the_excel_use_column_and_the_bank_default(instructor):
    knowledge_tree_seed()
    bank = QuestionBank.objects.create(name="练习题库", default_use="practice")
    rows = [[*row(stem="甲"), ""], [*row(stem="乙"), "考试"], [*row(stem="丙"), "两者"]]
    blob = workbook(rows, header=[*HEADER, "用途"])
    report = questions_import(blob=blob, fmt="xlsx", bank=bank)
    assert report.errors == [] and report.by_use == {"practice": 1, "exam": 1, "both": 1}
    uses = dict(Question.objects.values_list("stem", "use"))
    assert uses == {"甲": "practice", "乙": "exam", "丙": "both"}
    assert questions_import(blob=exports.export_xlsx(Question.objects.all()), fmt="xlsx").unchanged == 3
    bad = questions_import(blob=workbook([[*row(), "内部"]], header=[*HEADER, "用途"]), fmt="xlsx")
    assert "第 2 行「用途」：“内部”无法识别，请填“练习”“考试”或“两者”" in bad.errors[0]["message"]


@pytest.mark.django_db
def test_a_question_created_in_a_bank_takes_its_default_use(instructor):
    bank = QuestionBank.objects.create(name="保密题库", default_use="exam")
    client = login(instructor)
    response = client.post(reverse("questions:question-create"), {
        "kind": "judge", "stem": "判断", "answer": "对", "difficulty": "3", "bank": bank.pk, "use": "",
    })  # fmt: skip
    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.bank, question.use) == (bank, "exam")
    listed = client.get(reverse("questions:question-list"), {"bank": bank.pk, "use": "exam"})
    assert listed.context["page"].paginator.count == 1


@pytest.mark.django_db
@pytest.mark.parametrize("fmt, member", [("docx", "word/document.xml"), ("xlsx", "xl/worksheets/sheet1.xml")])
def test_a_damaged_archive_member_is_refused_not_a_server_error(fmt, member):
    import zipfile

    blob = bytearray(wordfile.sample_document() if fmt == "docx" else spreadsheet.template_workbook())
    info = zipfile.ZipFile(io.BytesIO(bytes(blob))).getinfo(member)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 10
    blob[start : start + 50] = bytes(b ^ 0x55 for b in blob[start : start + 50])
    report = questions_import(blob=bytes(blob), fmt=fmt)
    assert "文件已损坏，无法读取" in report.errors[0]["message"]
    assert not Question.objects.exists()
