"""Indicator values from Excel (e.g. reversal statistics from the supervision system): dry run first, then all
rows in one transaction or none. Columns: 执法证号 | 指标 | 数值 | 次数 | 依据说明; the indicator is named as the period
page shows it (复议、诉讼纠错), or by its code (reversals) as older templates did."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zipfile import BadZipFile

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from openpyxl import load_workbook

from zhifa.common import excel
from zhifa.evaluation.models import Indicator, Period
from zhifa.evaluation.services import EvaluationError, indicator_value_enter
from zhifa.people import access
from zhifa.people.models import Officer, User

COLUMNS = ["执法证号", "指标", "数值", "次数", "依据说明"]
OLD_COLUMNS = ["执法证号", "指标编码", "数值", "次数", "依据说明"]  # templates downloaded before
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class ImportRow:
    line: int
    officer: Officer
    indicator: Indicator
    value: Decimal | None
    events: int
    evidence: str


@dataclass
class ImportReport:
    filename: str
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    imported: int = 0


def template_xlsx() -> bytes:
    wb = excel.workbook()
    ws = wb.active
    ws.title = "指标数值"
    ws.append(COLUMNS)
    ws.append(["JB00000001", "复议、诉讼纠错", "", 1, "2026 年复议纠错决定书 江复决字〔2026〕12 号"])
    return excel.workbook_bytes(wb)


def _cell(value) -> str:
    return "" if value is None else str(value).strip()


def values_read(*, period: Period, upload: UploadedFile, by: User) -> ImportReport:
    """Check every row (dry run); errors name the row and the fix, in Chinese."""
    report = ImportReport(filename=upload.name or "")
    if (upload.size or 0) > MAX_BYTES:
        report.errors.append("文件不能超过 5 MB")
        return report
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError):
        report.errors.append("无法读取文件：请上传 .xlsx 格式的 Excel 文件（可先下载模板）")
        return report
    rows = list(wb.active.iter_rows(values_only=True))
    if not rows or [_cell(c) for c in rows[0][: len(COLUMNS)]] not in (COLUMNS, OLD_COLUMNS):
        report.errors.append(f"第 1 行须为表头：{' | '.join(COLUMNS)}")
        return report
    if len(rows) - 1 > MAX_ROWS:
        report.errors.append(f"一次最多导入 {MAX_ROWS} 行，请拆分文件")
        return report
    importable = list(period.indicators.filter(source__in=[Indicator.Source.IMPORTED, Indicator.Source.ENTERED]))
    leaves = {i.code: i for i in importable} | {i.name: i for i in importable}
    numbers = {_cell(r[0]) for r in rows[1:] if r}
    officers = {
        o.certificate_number: o for o in Officer.objects.filter(certificate_number__in=numbers).select_related("unit")
    }
    for line, raw in enumerate(rows[1:], start=2):
        cells = [_cell(c) for c in (list(raw) + [None] * 5)[:5]]
        if not any(cells):
            continue
        number, code, value, events, evidence = cells
        officer, indicator = officers.get(number), leaves.get(code)
        problems = []
        if officer is None:
            problems.append(f"执法证号“{number}”不存在，请核对")
        elif not access.can_manage_officer(by, officer):
            problems.append(f"执法证号“{number}”的人员不在您管理的单位内")
        if indicator is None:
            names = "、".join(i.name for i in importable)
            problems.append(f"指标“{code}”不是本年度可导入的指标（可用：{names}）")
        parsed_value = None
        if value:
            try:
                parsed_value = Decimal(value)
            except InvalidOperation:
                problems.append(f"数值“{value}”不是数字")
        parsed_events = 0
        if events:
            try:
                parsed_events = int(Decimal(events))
            except InvalidOperation:
                problems.append(f"次数“{events}”不是整数")
        if not evidence:
            problems.append("依据说明为空，请填写文号或事实")
        if problems:
            report.errors.append(f"第 {line} 行：" + "；".join(problems))
        elif officer and indicator:
            report.rows.append(ImportRow(line, officer, indicator, parsed_value, parsed_events, evidence))
    if not report.rows and not report.errors:
        report.errors.append("文件中没有数据行")
    return report


def values_import(*, period: Period, upload: UploadedFile, by: User, dry_run: bool = True) -> ImportReport:
    """Dry run by default; with dry_run=False and no errors, every row is saved in one transaction."""
    report = values_read(period=period, upload=upload, by=by)
    if dry_run or report.errors:
        return report
    try:
        with transaction.atomic():
            for row in report.rows:
                _enter_row(row, by, report.filename)
    except EvaluationError as exc:
        report.errors.append(f"导入未完成，未保存任何数据：{exc}")
        return report
    report.imported = len(report.rows)
    return report


def _enter_row(row: ImportRow, by: User, filename: str) -> None:
    try:
        indicator_value_enter(
            indicator=row.indicator,
            officer=row.officer,
            by=by,
            value=row.value,
            events=row.events,
            evidence=row.evidence,
            origin=f"Excel 导入：{filename} 第 {row.line} 行",
        )
    except EvaluationError as exc:
        raise EvaluationError(f"第 {row.line} 行：{exc}") from exc
