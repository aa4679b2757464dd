"""Every .xlsx the platform hands out is built here: no cell can start a formula (CSV/formula injection, OWASP).

A name such as `=HYPERLINK("http://…","点我")` typed into a form or an import must come back as text, never as a
live formula. Apps build workbooks with `workbook()` (an openpyxl Workbook whose sheets neutralise every string
cell, in normal and in write-only mode), turn them into bytes with `workbook_bytes()` and answer with
`xlsx_response()`. Importers and forms refuse such values at the door with `formula_refusal()` (forms through the
`refuse_formula` validator).
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import Cell, MergedCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What makes Excel, WPS or LibreOffice read a cell as a formula (or DDE): OWASP's list, plus the full-width forms a
# Chinese input method types, which WPS converts.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def starts_formula(text: str) -> bool:
    """True when a spreadsheet would read `text` as a formula; a lone "-" or "+" (a placeholder) is plain text."""
    if not text or not text.startswith(FORMULA_STARTS):
        return False
    return not (len(text) == 1 and text in "+-")


def formula_refusal(text: str) -> str:
    """Why a typed value is refused: a spreadsheet would run it as a formula (leading = + - @, or a tab or line break
    before one); "" when it is fine. The one check of every form and importer that takes names (issue 20 item 5)."""
    text = text.strip()
    if not starts_formula(text):
        return ""
    return f"“{text[:20]}”以 = + - @ 等符号开头，表格软件会把它当作公式执行；请删去开头的符号。"


def refuse_formula(value: Any) -> None:
    """A form field validator: raises ValidationError with `formula_refusal`'s message."""
    if isinstance(value, str) and (reason := formula_refusal(value)):
        raise ValidationError(reason, code="formula")


def neutralise(value: Any) -> Any:
    """The value with a leading apostrophe if it is a string that would start a formula; anything else unchanged."""
    if isinstance(value, str) and starts_formula(value):
        return "'" + value
    return value


class _SafeWriteOnlyWorksheet(WriteOnlyWorksheet):
    def append(self, row: Iterable[Any]) -> None:
        super().append([_neutralise_item(value) for value in row])


def _neutralise_item(value: Any) -> Any:
    if isinstance(value, Cell):  # a styled WriteOnlyCell
        if isinstance(value.value, str):
            value.value = neutralise(value.value)
        return value
    return neutralise(value)


class SafeWorkbook(Workbook):
    """An openpyxl Workbook that neutralises every string cell: on append (write-only) or when saved."""

    def create_sheet(self, title: str | None = None, index: int | None = None):
        if not self.write_only:
            return super().create_sheet(title, index)
        sheet = _SafeWriteOnlyWorksheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet

    def save(self, filename) -> None:
        if not self.write_only:
            for sheet in self.worksheets:
                for cell in list(getattr(sheet, "_cells", {}).values()):
                    if isinstance(cell, MergedCell):
                        continue
                    if cell.data_type == "f" or isinstance(cell.value, str):
                        cell.value = neutralise(cell.value)
        super().save(filename)


def workbook(*, write_only: bool = False) -> SafeWorkbook:
    """A new workbook for an export or a template; write-only streams big exports."""
    return SafeWorkbook(write_only=write_only)


def workbook_bytes(book: Workbook) -> bytes:
    """The workbook as .xlsx bytes (every formula-like string neutralised on the way)."""
    if not isinstance(book, SafeWorkbook):
        raise TypeError("导出的工作簿须由 zhifa.common.excel.workbook() 创建（防止公式注入）。")
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(content: bytes | Workbook, filename: str) -> HttpResponse:
    """A download of an .xlsx (bytes or a workbook from `workbook()`), with a UTF-8 file name."""
    body = workbook_bytes(content) if isinstance(content, Workbook) else content
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def restore(text: str) -> str:
    """The text as typed, from a cell `neutralise` wrote: an importer that reads its own exports back uses this."""
    if text.startswith("'") and starts_formula(text[1:]):
        return text[1:]
    return text
