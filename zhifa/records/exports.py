"""The compliance report as an Excel workbook (openpyxl, write-only so big subtrees stream)."""

from __future__ import annotations

from collections.abc import Iterable

from zhifa.common import excel
from zhifa.records.ledger import CATEGORIES, CATEGORY_LABELS, STATUS_LABELS


def compliance_workbook(*, report, officers: Iterable, officers_truncated: bool) -> bytes:
    """Sheet 1: one row per unit (subtree) with the shares; sheet 2: officers with hours per category."""
    book = excel.workbook(write_only=True)
    summary = book.create_sheet("单位汇总")
    summary.append(
        [
            f"{report.year} 年度学时达标情况",
            f"统计范围：{report.unit or '全部'}",
            f"年度已过 {float(report.share) * 100:.1f}%",
        ]
    )
    summary.append(
        ["单位", "范围", "人数", "已完成", "进度正常", "进度落后", "完成率%", "正常率%", "落后率%", "已认定学时"]
    )
    for row in [*report.rows]:
        f = row.figures
        summary.append(
            [
                row.unit.name,
                "本级" if row.own_only else "含下级",
                f.officers,
                f.done,
                f.on_track,
                f.behind,
                f.share("done"),
                f.share("on_track"),
                f.share("behind"),
                float(f.hours),
            ]
        )
    t = report.total
    summary.append(
        [
            "合计",
            "",
            t.officers,
            t.done,
            t.on_track,
            t.behind,
            t.share("done"),
            t.share("on_track"),
            t.share("behind"),
            float(t.hours),
        ]
    )
    detail = book.create_sheet("人员明细")
    labels = [CATEGORY_LABELS[c] for c in CATEGORIES]
    detail.append(["姓名", "单位", *labels, "合计", *[f"{x}要求" for x in labels], "状态"])
    for o in officers:
        detail.append(
            [
                o.name,
                o.unit_name,
                *[float(o.earned[c]) for c in CATEGORIES],
                float(o.total),
                *[float(o.required[c]) for c in CATEGORIES],
                STATUS_LABELS[o.status],
            ]
        )
    if officers_truncated:
        detail.append(["（人数超过导出上限，请按下级单位分别导出）"])
    return excel.workbook_bytes(book)
