"""The officer spreadsheet: its columns, the blank template, the export, and safe reading of an upload. No ORM.

Reading refuses, with a Chinese message naming the fix, what an import must never guess about: a file that is not
.xlsx, too large (bytes, unpacked bytes or rows), merged cells, missing required headers. Formulas are reported per
cell by the row validator (officer_import), so the preview lists them with the other row errors.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from zhifa.common import excel

COLUMNS = (
    "姓名",
    "单位代码",
    "单位名称",
    "职务",
    "执法领域",
    "执法证号",
    "发证日期",
    "有效期至",
    "证件状态",
    "身份证号",
    "手机号",
    "在职状态",
    "用户名",
)
REQUIRED = ("姓名",)
TEXT_COLUMNS = ("单位代码", "执法证号", "身份证号", "手机号", "用户名")  # Excel must not turn them into numbers
CERTIFICATE_STATUSES = ("有效", "暂扣", "注销", "过期", "未取得")
EMPLOYMENTS = ("在职", "借调", "退休", "离职")
HELP = {
    "姓名": "必填。",
    "单位代码": "单位代码与单位名称至少填一项；两项都填时须一致。",
    "单位名称": "须与系统中的单位名称完全一致；重名时请改填单位代码。",
    "执法领域": "可填多个，用顿号、逗号分隔，如：市场监管、食品安全。",
    "执法证号": "选填；全系统唯一。未填用户名时，以执法证号作为登录用户名。",
    "发证日期": "日期，如 2024-03-01。",
    "有效期至": "日期，不得早于发证日期。",
    "证件状态": "有效、暂扣、注销、过期、未取得之一；留空时，有证号为“有效”，否则为“未取得”。",
    "身份证号": "18 位，末位可为 X；请保持文本格式。",
    "手机号": "11 位手机号。",
    "在职状态": "在职、借调、退休、离职之一；留空为“在职”。",
    "用户名": "选填；留空时使用执法证号。",
}
UNPACKED_FACTOR = 10  # an .xlsx unpacks to ~5–8× its size; more is a zip bomb
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')


class SheetRejected(ValueError):
    """The whole file is refused; str() is a Chinese message with the fix."""


@dataclass
class SheetRow:
    number: int  # the Excel row number shown to the user
    values: dict[str, object]
    formulas: list[str] = field(default_factory=list)  # columns whose cell holds a formula


@dataclass
class Sheet:
    headers: list[str]
    rows: list[SheetRow]


def _header_fill() -> PatternFill:
    return PatternFill("solid", fgColor="DDEBF7")


def template_workbook(rows: Iterable[Sequence[object]] = ()) -> bytes:
    """The import template (headers with help comments, drop-downs, text-formatted number columns), optionally with
    data rows (the demo sample); returns the .xlsx bytes."""
    wb = excel.workbook()
    ws = wb.active
    ws.title = "执法人员"
    ws.append(list(COLUMNS))
    for index, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if name in REQUIRED else "000000")
        cell.fill = _header_fill()
        if name in HELP:
            cell.comment = Comment(HELP[name], "智慧执法学院")
        ws.column_dimensions[cell.column_letter].width = 20 if name in ("身份证号", "单位名称") else 14
    for values in rows:
        ws.append([str(v) if v is not None and COLUMNS[i] in TEXT_COLUMNS else v for i, v in enumerate(values)])
    last = max(ws.max_row, 1000)
    for name in TEXT_COLUMNS:
        index = COLUMNS.index(name) + 1
        # the column style covers cells typed in later; the sample rows written above get it cell by cell
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].number_format = "@"
        for (cell,) in ws.iter_rows(min_row=2, max_row=ws.max_row, min_col=index, max_col=index):
            cell.number_format = "@"
    _add_choice(ws, "证件状态", CERTIFICATE_STATUSES, last)
    _add_choice(ws, "在职状态", EMPLOYMENTS, last)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    notes.append(["列", "说明"])
    for name in COLUMNS:
        notes.append([name, HELP.get(name, "选填。")])
    notes.append(["", "只读取第一个工作表；第 1 行为表头，从第 2 行起每行一名人员。请勿合并单元格、勿使用公式。"])
    return _save(wb)


def _add_choice(ws, column: str, choices: Sequence[str], last_row: int) -> None:
    letter = ws.cell(row=1, column=COLUMNS.index(column) + 1).column_letter
    validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
    validation.error = f"请从下拉列表中选择：{'、'.join(choices)}"
    ws.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{last_row}")


def export_workbook(rows: Iterable[Sequence[object]]) -> bytes:
    """An export in the template's columns (personal data already masked by the caller), streamed row by row."""
    wb = excel.workbook(write_only=True)
    ws = wb.create_sheet("执法人员")
    ws.append(list(COLUMNS))
    for values in rows:
        ws.append(list(values))
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    return excel.workbook_bytes(wb)


def _check_container(content: bytes, *, max_bytes: int) -> None:
    if len(content) > max_bytes:
        raise SheetRejected(
            f"文件过大（{len(content) / 1048576:.1f} MB），上限 {max_bytes // 1048576} MB，请分批导入。"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, NotImplementedError):  # NotImplementedError: a zip version it cannot read
        raise SheetRejected("文件不是 Excel 工作簿（.xlsx），请用模板另存为 .xlsx 后上传。") from None
    if sum(info.file_size for info in infos) > UNPACKED_FACTOR * max_bytes:
        raise SheetRejected("文件解压后过大，疑似异常文件，请用模板重新填写后上传。")
    for info in infos:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            try:  # a damaged or unsupported member raises any of these (found by the reliability fuzzing, #19)
                match = _MERGE.search(archive.read(info))
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
                raise SheetRejected("文件已损坏，无法读取，请用模板重新填写后上传。") from None
            if match:
                raise SheetRejected(
                    f"工作表含合并单元格（{match.group(1).decode()}），请取消合并、每格单独填写后再上传。"
                )


def _cell_value(value: object) -> object:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime):
        return value.date()
    return value


def read_sheet(content: bytes, *, max_bytes: int, max_rows: int) -> Sheet:
    """The first worksheet's rows as {header: value}; blank rows skipped. Raises SheetRejected."""
    _check_container(content, max_bytes=max_bytes)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for a damaged file
        raise SheetRejected("无法读取该 Excel 文件，请用模板重新填写后上传。") from None
    try:
        if not wb.worksheets:  # a workbook without a worksheet (found by the reliability fuzzing, #19)
            raise SheetRejected("该 Excel 文件没有工作表，请用模板重新填写后上传。")
        ws = wb.worksheets[0]
        rows = ws.iter_rows()
        headers = [str(c.value).strip() if c.value is not None else "" for c in next(rows, ())]
        missing = [h for h in REQUIRED if h not in headers]
        if missing or not ({"单位代码", "单位名称"} & set(headers)):
            need = "、".join(missing + ([] if {"单位代码", "单位名称"} & set(headers) else ["单位代码或单位名称"]))
            raise SheetRejected(f"第 1 行缺少表头：{need}。请使用下载的模板，不要修改表头。")
        result: list[SheetRow] = []
        for number, cells in enumerate(rows, start=2):
            row = _read_row(number, cells, headers)
            if row is not None and len(result) >= max_rows:
                raise SheetRejected(f"数据超过 {max_rows} 行上限，请拆分为多个文件分批导入。")
            if row is not None:
                result.append(row)
        return Sheet(headers=headers, rows=result)
    finally:
        wb.close()


def _read_row(number: int, cells, headers: list[str]) -> SheetRow | None:
    values: dict[str, object] = {}
    formulas: list[str] = []
    for cell, header in zip(cells, headers, strict=False):
        if not header or cell.value is None or cell.value == "":
            continue
        if cell.data_type == "f":
            formulas.append(header)
            continue
        values[header] = _cell_value(cell.value)
    if not values and not formulas:
        return None
    return SheetRow(number=number, values=values, formulas=formulas)


def parse_date(value: object) -> date | None:
    """A date from an Excel date cell or text such as 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301;
    None when empty; raises ValueError when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if not match:
        raise ValueError(text)
    return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
