"""Exports for the archive: the sign-in sheet (签到表) as PDF and Excel, attendance and hours per class, an
instructor's teaching record for a year. Callers pass objects they have already access-checked."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from zhifa.classes import queries
from zhifa.classes.models import Attendance, ClassSession, Enrolment, Instructor, OfflineClass
from zhifa.common import excel

FONT = "STSong-Light"


def _time(value) -> str:
    return f"{timezone.localtime(value):%H:%M}" if value else ""


def _session_title(session: ClassSession) -> str:
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return f"{session.offline_class.title} · {session.topic} · {start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _signin_rows(session: ClassSession) -> list[list[str]]:
    rows = []
    for index, (officer, attendance) in enumerate(queries.session_roster(session), start=1):
        rows.append(
            [
                str(index),
                officer.name,
                officer.unit.name,
                _time(attendance.checked_in_at) if attendance else "未到",
                _time(attendance.checked_out_at) if attendance else "",
                attendance.get_method_display() if attendance else "",
                "",  # the signature column for a paper copy
            ]
        )
    return rows


SIGNIN_HEADER = ["序号", "姓名", "单位", "签到", "签退", "方式", "本人签名"]


def signin_sheet_pdf(session: ClassSession) -> bytes:
    """The sign-in sheet of a session as an A4 PDF (CID font STSong-Light: Chinese without a font file)."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, title="签到表")
    title = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=1)
    small = ParagraphStyle("small", fontName=FONT, fontSize=10, leading=14)
    venue = session.venue or session.online_url
    instructor = session.instructor.name if session.instructor else "—"
    rows = _signin_rows(session)
    present = sum(1 for r in rows if r[3] != "未到")
    table = Table([SIGNIN_HEADER, *rows], colWidths=[12 * mm, 25 * mm, 55 * mm, 18 * mm, 18 * mm, 20 * mm, 32 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story = [
        Paragraph("签 到 表", title),
        Spacer(1, 4 * mm),
        Paragraph(_session_title(session), small),
        Paragraph(f"地点：{venue}　讲师：{instructor}　学时：{session.hours.normalize():f}", small),
        Paragraph(f"应到 {len(rows)} 人，实到 {present} 人　导出时间：{timezone.localtime():%Y-%m-%d %H:%M}", small),
        Spacer(1, 4 * mm),
        table,
    ]
    doc.build(story)
    return buffer.getvalue()


def _workbook(title: str, header: list[str], rows: list[list], widths: list[int]) -> bytes:
    book = excel.workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append(row)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    return excel.workbook_bytes(book)


def signin_sheet_xlsx(session: ClassSession) -> bytes:
    return _workbook("签到表", SIGNIN_HEADER, _signin_rows(session), [6, 12, 30, 10, 10, 12, 14])


def class_attendance_xlsx(offline_class: OfflineClass) -> bytes:
    """One row per enrolled officer: each session attended (✓) or not, and the hours the class credited him."""
    sessions = list(offline_class.sessions.order_by("starts_at"))
    enrolments = list(offline_class.enrolments.filter(status=Enrolment.Status.ENROLLED).select_related("officer__unit"))
    present = set(
        Attendance.objects.filter(session__offline_class=offline_class).values_list("session_id", "officer_id")
    )
    header = (
        ["姓名", "单位", "分组"]
        + [f"{timezone.localtime(s.starts_at):%m-%d %H:%M} {s.topic}" for s in sessions]
        + ["出勤课次", "学时"]
    )
    rows = []
    for enrolment in sorted(enrolments, key=lambda e: (e.officer.unit.path, e.officer.name)):
        officer = enrolment.officer
        mine = [s for s in sessions if not s.group or s.group == enrolment.group]
        marks = [("✓" if (s.pk, officer.pk) in present else "✗") if s in mine else "—" for s in sessions]
        attended = [s for s in mine if (s.pk, officer.pk) in present]
        hours = sum((s.hours for s in attended), Decimal(0))
        rows.append(
            [officer.name, officer.unit.name, enrolment.group, *marks, f"{len(attended)}/{len(mine)}", float(hours)]
        )
    return _workbook("出勤与学时", header, rows, [12, 30, 8] + [16] * len(sessions) + [10, 8])


def instructor_record_xlsx(instructor: Instructor, year: int) -> bytes:
    """The sessions the instructor taught in the year, with attendance and (from 5 responses) the mean rating."""
    rows = []
    for session in queries.sessions_of_instructor(instructor, year=year).order_by("starts_at"):
        summary = queries.rating_summary(session_ids=[session.pk])
        rows.append(
            [
                f"{timezone.localtime(session.starts_at):%Y-%m-%d %H:%M}",
                session.offline_class.title,
                session.topic,
                session.offline_class.organiser.name,
                float(session.hours),
                session.get_booking_display(),
                session.attended,  # type: ignore[attr-defined]
                summary.overall if summary.shown else f"不足5份（{summary.count}）",
            ]
        )
    header = ["时间", "培训班", "专题", "主办单位", "学时", "邀请", "出勤人数", "平均评分"]
    return _workbook(f"{instructor.name}{year}年授课", header, rows, [18, 30, 30, 24, 8, 12, 10, 14])
