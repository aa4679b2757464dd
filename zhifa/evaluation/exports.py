"""The final tier lists for promotion and awards: an Excel sheet and a sealed PDF (ReportLab's CID font).

The PDF carries a seal: HMAC-SM3 (the platform's keyed blind-index function) over the list's rows, printed with
who fixed the tiers and when; `list_seal` recomputes it, so a printed list can be checked against the platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from io import BytesIO

from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from zhifa.common import excel
from zhifa.common.crypto_provider import get_provider

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
HEADER = ["序号", "姓名", "单位", "执法证号", "计算得分", "最终得分", "等次", "调整理由", "不得评优原因"]


def list_rows(results: Sequence) -> list[list[str]]:
    return [
        [
            str(n),
            r.officer.name,
            r.unit.name,
            r.officer.certificate_number or "",
            f"{r.machine_score:.2f}",
            f"{r.score:.2f}",
            r.get_tier_display(),
            r.adjust_reason,
            r.barred,
        ]
        for n, r in enumerate(results, 1)
    ]


def list_seal(title: str, rows: list[list[str]]) -> str:
    payload = title + "\n" + "\n".join("\t".join(row) for row in rows)
    return get_provider().blind_index(payload)[:32].upper()


def tier_list_xlsx(title: str, results: Sequence) -> bytes:
    wb = excel.workbook()
    ws = wb.active
    ws.title = "考核等次"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(HEADER)
    for row in list_rows(results):
        ws.append(row)
    for col, width in zip("ABCDEFGHI", [6, 10, 24, 14, 10, 10, 10, 30, 24], strict=True):
        ws.column_dimensions[col].width = width
    return excel.workbook_bytes(wb)


def tier_list_pdf(*, title: str, results: Sequence, decided_by: str, generated_at: datetime) -> bytes:
    rows = list_rows(results)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=1, spaceAfter=6)
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, title=title)
    table = Table(
        [HEADER[:7], *[row[:7] for row in rows]],
        colWidths=[10 * mm, 22 * mm, 52 * mm, 28 * mm, 20 * mm, 20 * mm, 18 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a96a3")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
            ]
        )
    )
    story = [
        Paragraph(title, head),
        table,
        Spacer(1, 6 * mm),
        Paragraph(f"等次确定：{decided_by}　生成时间：{generated_at:%Y-%m-%d %H:%M}　共 {len(rows)} 人", body),
        Paragraph(f"校验码（HMAC-SM3）：{list_seal(title, rows)}　可在平台上重新生成名单核对。", body),
    ]
    doc.build(story)
    return buffer.getvalue()
