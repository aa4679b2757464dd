"""The PDF transcript of an officer's hours (学时证明) with ReportLab's built-in CID font (no font file needed)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, wordWrap="CJK")
_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, alignment=1, spaceAfter=6)
_HEAD = ParagraphStyle("head", fontName=FONT, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
_GRID = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a96a3")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _h(hours) -> str:
    """Hours without trailing zeros: 30.00 → 30, 1.50 → 1.5."""
    return format(Decimal(hours).normalize(), "f")


def _p(text: object) -> Paragraph:
    return Paragraph(str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), _BODY)


def transcript_pdf(*, summary, entries: Iterable, generated_at: datetime, site_name: str = "智慧执法学院") -> bytes:
    """Render one year's transcript: the officer, hours by category against the requirement, every entry."""
    officer = summary.officer
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{officer.name} {summary.year} 年度学时证明",
        author=site_name,
    )
    story = [
        Paragraph(f"{summary.year} 年度行政执法人员培训学时证明", _TITLE),
        _p(f"姓名：{officer.name}　　单位：{officer.unit.name}　　执法证号：{officer.certificate_number or '—'}"),
        _p(f"学时状态：{summary.status_label}　　已认定 {_h(summary.earned)} / 要求 {_h(summary.required)} 学时"),
        Paragraph("分类学时", _HEAD),
    ]
    rows = [["类别", "已认定", "待审核", "年度要求", "完成率"]]
    rows += [[x.label, _h(x.earned), _h(x.pending), _h(x.required), f"{x.percent}%"] for x in summary.lines]
    story.append(_table(rows, [40, 30, 30, 30, 30]))
    story.append(Paragraph("学时明细", _HEAD))
    detail = [["日期", "类别", "学时", "来源", "状态"]]
    for entry in entries:
        detail.append(
            [
                str(entry.occurred_on),
                entry.get_category_display(),
                _h(entry.hours),
                _p(entry.source),
                entry.get_status_display(),
            ]
        )
    if len(detail) == 1:
        detail.append(["—", "—", "—", _p("本年度暂无学时记录"), "—"])
    story.append(_table(detail, [24, 22, 16, 90, 22]))
    story += [Spacer(1, 8 * mm), _p(f"{site_name} 生成于 {generated_at:%Y-%m-%d %H:%M}。只计入已认定的学时。")]
    doc.build(story)
    return buffer.getvalue()


def _table(rows: list[list], widths_mm: list[float]) -> Table:
    table = Table(rows, colWidths=[w * mm for w in widths_mm], repeatRows=1)
    table.setStyle(_GRID)
    return table
