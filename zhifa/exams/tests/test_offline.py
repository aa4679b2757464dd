"""An offline sitting: the administrator prints the paper, answer sheet and key, then imports the results."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhifa.exams.models import Attempt, Grade
from zhifa.records.models import HoursEntry

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="poppler-utils 未安装（apt-get install poppler-utils）",
)


def download(client, exam, part: str, fmt: str, form: int = 1):
    return client.get(reverse("exams:offline-download", args=[exam.pk, form, part, fmt]))


def docx_text(blob: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(blob)).paragraphs)


def sheet(rows, header=("执法证号", "姓名", "套号", "成绩", "座位号", "备注")) -> bytes:
    book = Workbook()
    book.active.title = "成绩"
    book.active.append(list(header))
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def post_results(client, exam, blob: bytes, action: str):
    upload = SimpleUploadedFile("成绩.xlsx", blob)
    return client.post(reverse("exams:manage-offline", args=[exam.pk]), {"file": upload, "action": action})


def test_the_paper_exports_as_word_with_seat_line_form_letter_answer_sheet_and_a_separate_key(client, unit_admin, exam):
    client.force_login(unit_admin)
    page = client.get(reverse("exams:manage-offline", args=[exam.pk])).content.decode()
    assert "A卷" in page and "参考答案" in page
    paper = docx_text(download(client, exam, "paper", "docx").content)
    assert f"{exam.title}（A卷）" in paper and "座位号：" in paper and "答题卡" in paper
    assert "一、单选题" in paper and "1.［" in paper
    assert "参考答案" not in paper
    key = docx_text(download(client, exam, "key", "docx").content)
    assert "参考答案与评分要点" in key and "\n1. " in key


@needs_poppler
def test_the_pdf_paper_carries_its_chinese_text(client, unit_admin, exam, tmp_path):
    client.force_login(unit_admin)
    response = download(client, exam, "paper", "pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "A卷" in text and "座位号" in text and "答题卡" in text and exam.title in text
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    assert any(tmp_path.glob("page*.png"))
    key = tmp_path / "key.pdf"
    key.write_bytes(download(client, exam, "key", "pdf").content)
    assert "参考答案" in subprocess.run(["pdftotext", str(key), "-"], capture_output=True, text=True).stdout


def test_a_read_only_auditor_gets_the_paper_but_never_the_key(client, auditor, exam):
    client.force_login(auditor)
    assert download(client, exam, "paper", "docx").status_code == 200
    assert download(client, exam, "key", "docx").status_code == 404
    assert download(client, exam, "key", "pdf").status_code == 404
    assert "参考答案（仅考务人员）" not in client.get(reverse("exams:manage-offline", args=[exam.pk])).content.decode()


def test_offline_results_are_checked_then_imported_into_results_and_the_hours_ledger(client, unit_admin, exam, officer):
    exam.credit_hours = Decimal("2")
    exam.save(update_fields=["credit_hours"])
    client.force_login(unit_admin)
    template = load_workbook(io.BytesIO(client.get(reverse("exams:offline-template", args=[exam.pk])).content))
    listed = {row[0].value: row[1].value for row in template["成绩"].iter_rows(min_row=2)}
    assert listed["JB00000001"] == "张明"
    total = exam.papers.get(form=1).total_points
    blob = sheet([["JB00000001", "张明", "A", float(total), "12", ""]])
    checked = post_results(client, exam, blob, "check")
    assert "检查通过：将导入 1 人的成绩（及格 1 人" in checked.content.decode()
    assert not Attempt.objects.filter(exam=exam).exists()
    imported = post_results(client, exam, blob, "import")
    assert imported.status_code == 302
    grade = Grade.objects.get(attempt__exam=exam, attempt__officer=officer)
    assert (grade.total, grade.passed, grade.status) == (total, True, "final")
    entry = HoursEntry.objects.get(officer=officer)
    assert entry.hours == Decimal("2") and exam.title in entry.source
    again = post_results(client, exam, blob, "check").content.decode()  # the same sheet again changes nothing
    assert "已导入过且未变 1 人" in again
    assert Attempt.objects.filter(exam=exam, officer=officer).count() == 1


def test_a_bad_results_sheet_names_each_row_and_imports_nothing(client, unit_admin, exam, officer, outsider):
    client.force_login(unit_admin)
    blob = sheet([
        ["JB00000001", "李四", "A", 80, "", ""],
        ["JB99999999", "无名", "A", 80, "", ""],
        ["JB00000002", "", "A", 80, "", ""],
        ["JB00000003", "王芳", "C", 80, "", ""],
        ["JB00000003", "王芳", "A", "八十", "", ""],
    ])  # fmt: skip
    page = post_results(client, exam, blob, "import").content.decode()
    for expected in (
        "第 2 行「姓名」：执法证号 JB00000001 是张明的",
        "第 3 行「执法证号」：“JB99999999”不是本系统中执法人员的执法证号",
        "第 4 行「执法证号」：" + outsider.name + "不在本次考试的参考人员范围内",
        "第 5 行「套号」：“C”不是本次考试的试卷套号，应为 A",
        "第 6 行「执法证号」：王芳的成绩与第 5 行重复",
    ):
        assert expected in page, expected
    assert not Attempt.objects.filter(exam=exam).exists() and not HoursEntry.objects.exists()
    missing = post_results(client, exam, sheet([["x"]], header=("姓名",)), "check").content.decode()
    assert "缺少列：执法证号、成绩" in missing
