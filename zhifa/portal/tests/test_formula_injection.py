"""Spreadsheet exports cannot carry formulas (issue 20 item 5): one helper builds every .xlsx, the officer import
refuses formula-like names, and a name put into the database directly comes back as text from every export."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from zhifa.common import excel
from zhifa.common.access_matrix import World
from zhifa.common.tests.test_access_matrix import declared_cases
from zhifa.people import importing
from zhifa.people.models import Officer, Unit
from zhifa.people.tests.sheets import officer_row

EVIL_NAME = '=HYPERLINK("http://evil.example/","点我")'
EVIL_UNIT = "+cmd|' /C calc'!A0 东城区市场监督管理局"
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "value, expected",
    [
        (EVIL_NAME, "'" + EVIL_NAME),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("+86 138", "'+86 138"),
        ("-1+1", "'-1+1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),  # the full-width sign a Chinese input method types; WPS runs it
        ("-", "-"),  # a placeholder, not a formula
        ("张三", "张三"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_a_value_that_would_start_a_formula_is_neutralised(value, expected):
    assert excel.neutralise(value) == expected
    if isinstance(value, str):
        assert excel.restore(excel.neutralise(value)) == value


@pytest.mark.parametrize("write_only", [False, True])
def test_the_helper_workbook_writes_text_not_formulas(write_only):
    book = excel.workbook(write_only=write_only)
    sheet = book.create_sheet("名单") if write_only else book.active
    sheet.append([EVIL_NAME, 3, "-"])
    if not write_only:
        sheet["D1"] = "=1+1"  # a cell set directly, not appended
    cells = [c for row in load_workbook(io.BytesIO(excel.workbook_bytes(book))).worksheets[-1].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert cells[0].value == "'" + EVIL_NAME


def test_a_workbook_not_made_by_the_helper_is_refused():
    with pytest.raises(TypeError, match="公式注入"):
        excel.workbook_bytes(Workbook())


def test_no_app_builds_a_workbook_or_an_xlsx_response_of_its_own():
    """The guarantee holds only if every export goes through common.excel: look for copies."""
    offenders = []
    for path in ROOT.glob("zhifa/**/*.py"):
        if "tests" in path.parts or path.name == "excel.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bWorkbook\(", text) or "spreadsheetml" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"这些文件自行创建 Excel，请改用 zhifa.common.excel：{offenders}"


def _text_sheet(rows: list[dict]) -> bytes:
    """An upload as Excel keeps a name typed with a leading apostrophe: a text cell, not a formula cell."""
    from zhifa.people.officer_sheet import COLUMNS

    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(h) for h in COLUMNS])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_officer_named_like_a_formula_is_refused_on_import_with_a_chinese_reason(unit_admin, org):
    rows = [officer_row(1, org.east_market.code), officer_row(2, org.east_market.code, 姓名=EVIL_NAME)]
    report = importing.officer_import(
        content=_text_sheet(rows), by=unit_admin, unit=None, dry_run=False, filename="名单.xlsx"
    )
    assert not report.ok and report.created == 0
    assert [(e.row, e.column) for e in report.errors] == [(3, "姓名")]
    assert "公式" in report.errors[0].message and "删去开头的符号" in report.errors[0].message
    assert not Officer.objects.filter(certificate_number__in=["T00000001", "T00000002"]).exists()


def test_the_import_page_shows_the_refusal(client, unit_admin, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(unit_admin)
    upload = SimpleUploadedFile("名单.xlsx", _text_sheet([officer_row(1, org.east_market.code, 姓名=EVIL_NAME)]))
    response = client.post(reverse("console:officer-import"), {"file": upload}, follow=True)
    body = response.content.decode()
    assert "以 = + - @ 等符号开头" in body and not Officer.objects.filter(certificate_number="T00000001").exists()


# ---- every export, walked: a formula-like name in the database comes back as text ---------------------------------

EXTRA_EXPORTS = {  # exports chosen by a query string on a page URL
    "reports:officers": "?figure=officers&format=xlsx",
}
MANAGERS = ["unit_admin", "sysadmin", "auditor", "instructor", "officer"]


def _is_export(name: str) -> bool:
    return name in EXTRA_EXPORTS or bool(re.search(r"export|xlsx|template|instructor-record", name))


@pytest.fixture
def world(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin) -> World:
    Officer.objects.filter(pk=officer.pk).update(name=EVIL_NAME)
    Unit.objects.filter(pk=officer.unit_id).update(name=EVIL_UNIT)
    officer.refresh_from_db()
    return World(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin)


def test_every_export_returns_formula_like_text_neutralised(world):
    walked, carrying = [], []
    for name, case in sorted(declared_cases().items()):
        if case.method != "get" or not _is_export(name):
            continue
        persona = next((p for p in MANAGERS if case.expect.get(p) == 200), None)
        if persona is None:
            continue
        client = Client()
        user = getattr(world, persona)
        client.force_login(getattr(user, "user", user))
        url = reverse(name, kwargs=case.resolve_kwargs(world)) + EXTRA_EXPORTS.get(name, case.query)
        response = client.get(url)
        if response.get("Content-Type") != excel.XLSX:
            continue
        walked.append(name)
        book = load_workbook(io.BytesIO(response.content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{name} {sheet.title}!{cell.coordinate}: {cell.value!r}"
                    if isinstance(cell.value, str):
                        assert not excel.starts_formula(cell.value), f"{name} {cell.coordinate}: {cell.value!r}"
                        if "'" + EVIL_NAME in cell.value or "'" + EVIL_UNIT in cell.value:
                            carrying.append(name)
    expected = {
        "certificates:review-export", "classes:attendance-export", "classes:signin-xlsx", "console:officer-export",
        "evaluation:assessment-export", "exams:manage-results-export", "exams:manage-analysis-export",
        "plans:progress-export", "questions:question-export", "records:compliance-export", "reports:officers",
        "surveys:results-export", "surveys:act-export",
    }  # fmt: skip
    assert expected <= set(walked), f"未走到的导出：{expected - set(walked)}"
    assert {"console:officer-export", "records:compliance-export"} <= set(carrying), carrying
