"""Spreadsheets for import tests: built in memory with openpyxl, in the template's columns."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

from zhifa.people import idcard
from zhifa.people.officer_sheet import COLUMNS


def valid_id(n: int) -> str:
    return idcard.build("110105", date(1985, 1, 1 + n % 28), 100 + n)


def officer_row(n: int, unit_code: str, **overrides) -> dict:
    row = {
        "姓名": f"测试{n}", "单位代码": unit_code, "职务": "科员", "执法领域": "市场监管", "执法证号": f"T{n:08d}",
        "发证日期": "2024-01-01", "有效期至": "2029-01-01", "证件状态": "有效", "身份证号": valid_id(n),
        "手机号": f"138{n:08d}", "在职状态": "在职",
    }  # fmt: skip
    row.update(overrides)
    return row


def xlsx(
    rows: list[dict], *, headers=COLUMNS, merge: str | None = None, formula: tuple[int, str] | None = None
) -> bytes:
    """An .xlsx with a header row and one row per dict; `formula` puts =1+1 into (data row index, column)."""
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append([row.get(h) for h in headers])
    if merge:
        ws.merge_cells(merge)
    if formula:
        index, column = formula
        ws.cell(row=index + 2, column=list(headers).index(column) + 1, value="=1+1")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
