"""Excel files: the annual review list of a unit and the enforcement-act import template (openpyxl)."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from zhifa.certificates.review import CATEGORY_LABELS
from zhifa.common import excel
from zhifa.people.models import Unit

REVIEW_HEADERS = [
    "姓名",
    "单位",
    "执法证号",
    "证件状态",
    "有效期至",
    *CATEGORY_LABELS.values(),
    "年审结论",
    "不通过理由",
    "说明",
    "确认情况",
]


def _save(workbook: Workbook) -> bytes:
    return excel.workbook_bytes(workbook)


def review_workbook(*, unit: Unit, year: int, rows: list) -> bytes:
    """One sheet: every officer of the list with the outcome and each reason, as the page shows them."""
    workbook = excel.workbook()
    sheet = workbook.active
    sheet.title = f"{year}年审"
    sheet.append([f"{unit.name} {year} 年度执法证年审"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(REVIEW_HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for r in rows:
        decision = ""
        if r.decision is not None:
            decision = f"已确认（{r.decision.get_outcome_display()}，{r.decision.decided_at:%Y-%m-%d}）"
        sheet.append(
            [
                r.name,
                r.unit_name,
                r.certificate_number,
                r.status_label,
                r.expires.isoformat() if r.expires else "",
                *[float(r.earned.get(c, 0)) for c in CATEGORY_LABELS],
                r.verdict.label,
                "\n".join(x.text for x in r.verdict.reasons),
                "\n".join(x.text for x in r.verdict.notes),
                decision or "未确认",
            ]
        )
    for column, width in zip("ABCDEFGHIJKL", (10, 24, 14, 10, 12, 9, 9, 9, 10, 60, 40, 24), strict=True):
        sheet.column_dimensions[column].width = width
    return _save(workbook)


def acts_template() -> bytes:
    workbook = excel.workbook()
    sheet = workbook.active
    sheet.title = "执法行为统计"
    sheet.append(["执法证号", "年度", "执法行为数", "说明"])
    sheet.append(["JB00000001", 2025, 12, ""])
    sheet.append(["JB00000002", 2025, 0, "借调至市政府办公室，未从事执法工作"])
    return _save(workbook)
