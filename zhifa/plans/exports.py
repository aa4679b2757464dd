"""Exports of plan progress: who is behind as an Excel workbook, the year-end summary as a PDF (ReportLab, CID font
STSong-Light: no font file needed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from zhifa.common import excel
from zhifa.plans.status import LABELS

FONT = "STSong-Light"


def behind_workbook(*, title: str, rows: Iterable, today: date) -> bytes:
    """One row per assignment: officer, unit, item, deadline, status, progress."""
    book = excel.workbook(write_only=True)
    sheet = book.create_sheet("培训任务")
    sheet.append([title, f"导出日期：{today:%Y-%m-%d}"])
    sheet.append(["姓名", "执法证号", "单位", "事项", "类型", "截止日期", "状态", "进度值", "完成日期", "免修理由"])
    for a in rows:
        sheet.append(
            [
                a.officer.name,
                a.officer.certificate_number or "",
                a.officer.unit.name,
                a.item.title,
                a.item.get_kind_display(),
                a.item.deadline,
                LABELS.get(a.status, a.status),
                float(a.progress),
                a.done_on,
                a.exempt_reason,
            ]
        )
    return excel.workbook_bytes(book)


@dataclass(frozen=True)
class SummaryRow:
    label: str
    kind: str
    deadline: date
    total: int
    done: int
    exempted: int
    overdue: int
    open: int

    @property
    def rate(self) -> str:
        return f"{100 * (self.done + self.exempted) / self.total:.1f}%" if self.total else "—"


def summary_pdf(
    *,
    unit_name: str,
    year: int,
    plans: list[str],
    officers: int,
    rows: list[SummaryRow],
    units: list[tuple[str, int, int]],
    rotation: tuple[int, int],
    today: date,
) -> bytes:
    """The printable year-end summary (年度培训工作总结) of one unit subtree."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title_style = ParagraphStyle("t", fontName=FONT, fontSize=16, leading=22, alignment=1)
    text = ParagraphStyle("p", fontName=FONT, fontSize=10.5, leading=16)
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        title=f"{unit_name}{year}年度培训工作汇总",
    )
    done = sum(r.done + r.exempted for r in rows)
    total = sum(r.total for r in rows)
    story = [
        Paragraph(f"{unit_name}{year}年度执法人员培训工作汇总", title_style),
        Spacer(1, 6 * mm),
        Paragraph(f"执行计划：{'；'.join(plans) or '无'}", text),
        Paragraph(
            f"参训人员：{officers}人；培训任务{total}项次，已完成（含免修）{done}项次，"
            f"完成率{(100 * done / total if total else 0):.1f}%。",
            text,
        ),
        Paragraph(f"定期轮训：本年度入选轮训批次{rotation[0]}人，已完成轮训{rotation[1]}人。", text),
        Spacer(1, 4 * mm),
    ]
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 9),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
            ("ALIGN", (3, 1), (-1, -1), "RIGHT"),
        ]
    )
    data: list[list[object]] = [["事项", "类型", "截止", "应完成", "已完成", "免修", "逾期", "完成率"]]
    data += [
        [r.label[:24], r.kind, f"{r.deadline:%m-%d}", r.total, r.done, r.exempted, r.overdue, r.rate] for r in rows
    ]
    story.append(
        Table(
            data,
            repeatRows=1,
            colWidths=[58 * mm, 20 * mm, 14 * mm, 16 * mm, 16 * mm, 12 * mm, 12 * mm, 18 * mm],
            style=style,
        )
    )
    if units:
        story += [Spacer(1, 5 * mm), Paragraph("下级单位完成情况", text), Spacer(1, 2 * mm)]
        unit_data: list[list[object]] = [["单位", "任务项次", "已完成（含免修）", "完成率"]]
        unit_data += [[n[:30], t, d, f"{100 * d / t:.1f}%" if t else "—"] for n, t, d in units]
        story.append(Table(unit_data, repeatRows=1, colWidths=[80 * mm, 28 * mm, 36 * mm, 24 * mm], style=style))
    story += [
        Spacer(1, 8 * mm),
        Paragraph(f"数据截至{today:%Y年%m月%d日}，由智慧执法学院根据学习记录与学时台账自动统计。", text),
    ]
    doc.build(story)
    return out.getvalue()
