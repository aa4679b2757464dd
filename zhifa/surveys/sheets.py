"""Excel in and out (openpyxl; no ORM): the act list a unit uploads, the act codes and a report for download."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook

from zhifa.common import excel

ACT_HEADERS = ["文书编号", "执法日期", "执法证号", "当事人手机号"]  # the phone is optional: an SMS, not stored


class SheetError(Exception):
    """The spreadsheet cannot be read; the message names the row and the fix."""


@dataclass(frozen=True)
class ActLine:
    row: int
    act_number: str
    acted_on: date | None
    certificate_number: str
    phone: str = ""  # for one SMS with the link, then forgotten (never stored)


def template_xlsx() -> bytes:
    wb = excel.workbook()
    ws = wb.active
    ws.title = "执法行为"
    ws.append(ACT_HEADERS)
    ws.append(["江北市监罚〔2026〕1号", date.today(), "JB00000001"])
    return excel.workbook_bytes(wb)


def read_acts(data: bytes, *, max_rows: int) -> list[ActLine]:
    """The acts of an uploaded workbook (first sheet; headers 文书编号, 执法日期, 执法证号, optional 当事人手机号);
    SheetError otherwise."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise SheetError("无法读取文件：请上传 Excel 文件（.xlsx），可先下载模板。")
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, ())]
    if header[:1] != ACT_HEADERS[:1]:
        raise SheetError("第 1 行应为表头“文书编号、执法日期、执法证号、当事人手机号（选填）”：请使用模板。")
    lines: list[ActLine] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        cells = [*list(row), None, None, None, None][:4]
        if all(c in (None, "") for c in cells):
            continue
        if len(lines) >= max_rows:
            raise SheetError(f"行数超过上限 {max_rows}：请分批上传。")
        act = str(cells[0] or "").strip()
        if not act:
            errors.append(f"第 {number} 行：缺少文书编号。")
            continue
        if act in seen:
            errors.append(f"第 {number} 行：文书编号“{act}”重复。")
        seen.add(act)
        acted_on = cells[1]
        if isinstance(acted_on, datetime):
            acted_on = acted_on.date()
        elif isinstance(acted_on, str) and acted_on.strip():
            try:
                acted_on = date.fromisoformat(acted_on.strip())
            except ValueError:
                errors.append(f"第 {number} 行：执法日期“{acted_on}”无法识别，请写成 2026-03-01。")
                continue
        elif not isinstance(acted_on, date):
            acted_on = None
        phone = _mobile(cells[3])
        if phone is None:
            errors.append(f"第 {number} 行：手机号“{cells[3]}”无效，请填写 11 位手机号（如 13812345678）或留空。")
            continue
        lines.append(ActLine(number, act[:60], acted_on, str(cells[2] or "").strip(), phone))
    if errors:
        raise SheetError("；".join(errors[:20]) + ("……" if len(errors) > 20 else ""))
    return lines


def _mobile(cell) -> str | None:
    """A mainland mobile number from a cell ("" when empty; None when it is not one). Excel may hold it as a number."""
    if cell in (None, ""):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    digits = str(cell).strip().replace(" ", "").replace("-", "").removeprefix("+86")
    return digits if len(digits) == 11 and digits.isdigit() and digits.startswith("1") else None


def table_xlsx(title: str, header: list[str], rows: list[list]) -> bytes:
    wb = excel.workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(header)
    for row in rows:
        ws.append(row)
    return excel.workbook_bytes(wb)
