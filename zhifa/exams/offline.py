"""Offline sittings (线下考试): a paper exported as Word and PDF, and the results imported back from Excel.

The export of one form (套) has three parts: the paper (试卷) with the examinee's lines — unit, name, certificate
number, seat number — and the form's letter (A卷, B卷 …); the answer sheet (答题卡); and the key (参考答案与评分要点),
which only those who manage the exam may download. Word through python-docx, PDF through ReportLab with its built-in
CID font (STSong-Light), as the other PDFs of the platform.

Results come back in an Excel sheet (执法证号, 姓名, 套号, 成绩, optional 座位号, 备注): every row is checked first,
then each examinee gets an attempt on the paper of his form and a final grade, and the grade goes through the same
finalisation as an online attempt (pass/fail, learning record, hours ledger, qualification) — all or nothing.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from openpyxl import load_workbook

from zhifa.common import excel
from zhifa.common.audit import audit_record
from zhifa.exams import queries, services
from zhifa.exams.models import Attempt, Exam, ExamPaper, Grade
from zhifa.people.models import Officer, User
from zhifa.questions.content import KIND_LABELS, html_to_text

FONT = "STSong-Light"  # a CID font built into ReportLab: Chinese text without shipping a font file
PARTS = {"paper": "试卷", "key": "参考答案"}
NUMERALS = "一二三四五六七八九十"
OFFLINE_DEVICE = "offline"
RESULT_COLUMNS = ["执法证号", "姓名", "套号", "成绩", "座位号", "备注"]
REQUIRED_RESULT_COLUMNS = ["执法证号", "成绩"]
MAX_RESULT_ROWS = 20_000


def form_letter(form: int) -> str:
    """1 → "A", 2 → "B" …: the form's letter printed on the paper (A卷)."""
    return chr(64 + form) if 1 <= form <= 26 else str(form)


def form_from_letter(text: str) -> int | None:
    text = re.sub(r"[\s卷套]", "", str(text or "")).upper()
    if not text:
        return 1
    if len(text) == 1 and "A" <= text <= "Z":
        return ord(text) - 64
    return int(text) if text.isdigit() and int(text) > 0 else None


# --- the document --------------------------------------------------------------------------------------------------


@dataclass
class Item:
    number: int
    kind: str
    stem: str
    points: Decimal
    options: list[tuple[str, str]]  # (display letter, text)
    answer: str
    explanation: str
    rubric: list[str]
    case_stem: str = ""  # the case text, on the first sub-question of a case only


@dataclass
class Section:
    title: str
    items: list[Item] = field(default_factory=list)


@dataclass
class OfflinePaper:
    title: str
    form: int
    minutes: int
    total: Decimal
    pass_mark: Decimal
    sections: list[Section]

    @property
    def letter(self) -> str:
        return form_letter(self.form)


def _answer_text(kind: str, answer: Any, display: dict[str, str]) -> tuple[str, list[str]]:
    """The key of one question as printed: display letters, 正确/错误, blanks; subjective: reference + points."""
    if kind in ("single", "multiple"):
        return "".join(sorted(display.get(str(v), "?") for v in answer or [])), []
    if kind == "judge":
        return ("正确" if answer and answer[0] is True else "错误"), []
    if kind == "blank":
        return "；".join(f"（{i}）{' 或 '.join(alts)}" for i, alts in enumerate(answer or [], start=1)), []
    answer = answer if isinstance(answer, dict) else {}
    points = [
        f"{p.get('point', '')}（{Decimal(str(p.get('score', 0))).normalize():f}分）" for p in answer.get("rubric") or []
    ]
    return answer.get("reference", ""), points


def offline_paper(*, exam: Exam, paper: ExamPaper) -> OfflinePaper:
    """The paper of one form, in display order, grouped by kind, with the key (the caller decides who sees it)."""
    sections: list[Section] = []
    last_case = None
    for row in queries.paper_questions(paper=paper, with_key=True):
        display = {o["key"]: chr(65 + i) for i, o in enumerate(row["options"])}
        answer, rubric = _answer_text(row["kind"], row.get("answer"), display)
        kind = "case" if row["case"] else row["kind"]
        if not sections or sections[-1].title != KIND_LABELS.get(kind, kind):
            sections.append(Section(KIND_LABELS.get(kind, kind)))
        sections[-1].items.append(
            Item(
                number=row["number"],
                kind=row["kind"],
                stem=html_to_text(row["stem"]),
                points=Decimal(row["points"]),
                options=[(display[o["key"]], o["text"]) for o in row["options"]],
                answer=answer,
                explanation=row.get("explanation") or "",
                rubric=rubric,
                case_stem=html_to_text(row["case_stem"]) if row["case"] and row["case"] != last_case else "",
            )
        )
        last_case = row["case"]
    return OfflinePaper(
        title=exam.title,
        form=paper.form,
        minutes=exam.duration_minutes,
        total=paper.total_points,
        pass_mark=exam.pass_mark,
        sections=sections,
    )


def _points(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _section_heading(index: int, section: Section) -> str:
    total = sum((item.points for item in section.items), Decimal(0))
    numeral = NUMERALS[index] if index < len(NUMERALS) else str(index + 1)
    return f"{numeral}、{section.title}（共 {len(section.items)} 题，{_points(total)} 分）"


def _lines(doc: OfflinePaper, part: str) -> list[tuple[str, str]]:
    """The document as (style, text) lines — title, subtitle, heading, text, option, blank, page — for both writers."""
    head = f"{doc.title}（{doc.letter}卷）"
    out: list[tuple[str, str]] = []
    if part == "key":
        out += [("title", f"{head}参考答案与评分要点"), ("subtitle", "本页仅供阅卷人员使用，严禁外传。")]
        for index, section in enumerate(doc.sections):
            out.append(("heading", _section_heading(index, section)))
            for item in section.items:
                out.append(("text", f"{item.number}. {item.answer or '（见评分要点）'}"))
                out += [("option", f"评分要点：{point}") for point in item.rubric]
                if item.explanation:
                    out.append(("option", f"解析：{item.explanation}"))
        return out
    out += [
        ("title", head),
        ("subtitle", f"考试时长 {doc.minutes} 分钟　满分 {_points(doc.total)} 分　及格 {_points(doc.pass_mark)} 分"),
        ("text", "单位：______________　姓名：__________　执法证号：______________　座位号：______"),
        ("text", "注意：请将选择题、判断题和填空题的答案填写在答题卡上，简答题和案例分析题直接在试卷上作答。"),
    ]
    for index, section in enumerate(doc.sections):
        out.append(("heading", _section_heading(index, section)))
        for item in section.items:
            if item.case_stem:
                out.append(("text", f"【案情】{item.case_stem}"))
            out.append(("text", f"{item.number}. {item.stem}（{_points(item.points)} 分）"))
            out += [("option", f"{letter}. {text}") for letter, text in item.options]
            if item.kind in ("short", "case"):
                out += [("blank", "")] * 4
    out += [
        ("page", ""),
        ("title", f"{head}答题卡"),
        ("text", "姓名：__________　执法证号：______________　座位号：______"),
    ]
    out.append(("text", f"试卷套号：{doc.letter}卷（请核对与试卷一致）"))
    for index, section in enumerate(doc.sections):
        out.append(("heading", _section_heading(index, section)))
        objective = [item for item in section.items if item.kind not in ("short", "case")]
        if not objective:
            out.append(("text", "本题型在试卷上作答。"))
            continue
        for start in range(0, len(objective), 5):
            out.append(("text", "　　".join(f"{item.number}.［　　　］" for item in objective[start : start + 5])))
    return out


def paper_docx(doc: OfflinePaper, part: str) -> bytes:
    """The paper with its answer sheet (part "paper") or the key (part "key") as a Word file."""
    import docx  # python-docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "SimSun", Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    paragraph = None
    for style, text in _lines(doc, part):
        if style == "page":
            if paragraph is not None:
                paragraph.add_run().add_break(WD_BREAK.PAGE)
            continue
        paragraph = document.add_paragraph()
        run = paragraph.add_run(text)
        if style in ("title", "heading"):
            run.bold = True
            run.font.size = Pt(16 if style == "title" else 12)
        if style in ("title", "subtitle"):
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if style == "option":
            paragraph.paragraph_format.left_indent = Pt(21)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def paper_pdf(doc: OfflinePaper, part: str) -> bytes:
    """The same document as a PDF (A4), Chinese in ReportLab's built-in CID font."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    styles = {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=16, leading=24, alignment=1, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", fontName=FONT, fontSize=10.5, leading=16, alignment=1, spaceAfter=6),
        "heading": ParagraphStyle("heading", fontName=FONT, fontSize=12, leading=20, spaceBefore=8),
        "text": ParagraphStyle("text", fontName=FONT, fontSize=10.5, leading=17, wordWrap="CJK"),
        "option": ParagraphStyle("option", fontName=FONT, fontSize=10.5, leading=16, leftIndent=8 * mm,
                                 wordWrap="CJK"),
    }  # fmt: skip
    story: list[Any] = []
    for style, text in _lines(doc, part):
        if style == "page":
            story.append(PageBreak())
        elif style == "blank":
            story.append(Spacer(1, 9 * mm))
        else:
            story.append(Paragraph(escape(text).replace("\n", "<br/>"), styles[style]))
    out = io.BytesIO()
    title = f"{doc.title}（{doc.letter}卷）{'参考答案' if part == 'key' else ''}"
    SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                      title=title).build(story)  # fmt: skip
    return out.getvalue()


def paper_forms(exam: Exam) -> list[ExamPaper]:
    """The papers of the exam's forms (一人一卷 papers are per examinee and not printed)."""
    return list(ExamPaper.objects.filter(exam=exam, officer__isnull=True).order_by("form"))


# --- results back from Excel ---------------------------------------------------------------------------------------


@dataclass
class ResultRow:
    row: int
    officer: Officer
    paper: ExamPaper
    score: Decimal
    seat: str


@dataclass
class OfflineReport:
    imported: int = 0
    passed: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    dry_run: bool = False

    def error(self, row: int, column: str, message: str) -> None:
        place = f"第 {row} 行" if row else "文件"
        where = f"{place}「{column}」" if column else place
        self.errors.append({"row": row, "column": column, "message": f"{where}：{message}"})


def results_template(exam: Exam) -> bytes:
    """The sheet to fill in after the sitting: one row per examinee of the audience, 套号 and 成绩 empty."""
    book = excel.workbook()
    sheet = book.active
    sheet.title = "成绩"
    sheet.append(RESULT_COLUMNS)
    officers = queries.exam_officers(exam).order_by("unit__path", "name").only("name", "certificate_number")
    for officer in officers[:MAX_RESULT_ROWS]:
        sheet.append([officer.certificate_number or "", officer.name, "", "", "", ""])
    for letter, width in zip("ABCDEF", (22, 12, 8, 8, 8, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    return excel.workbook_bytes(book)


def _read_sheet(blob: bytes, report: OfflineReport) -> list[tuple[int, dict[str, Any]]]:
    try:
        book = load_workbook(io.BytesIO(blob), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        report.error(0, "", "不是有效的 Excel 文件（.xlsx）；请用“下载成绩模板”得到的表格填写后上传。")
        return []
    sheet = book["成绩"] if "成绩" in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [re.sub(r"\s+", "", str(v or "")) for v in next(rows, ())]
    missing = [name for name in REQUIRED_RESULT_COLUMNS if name not in header]
    if missing:
        report.error(1, "", f"缺少列：{'、'.join(missing)}。请下载成绩模板，按模板的表头填写。")
        return []
    out = []
    for number, values in enumerate(rows, start=2):
        record = {name: values[i] if i < len(values) else None for i, name in enumerate(header) if name}
        if not any(v not in (None, "") for v in record.values()):
            continue
        if number > MAX_RESULT_ROWS + 1:
            report.error(number, "", f"超过 {MAX_RESULT_ROWS} 行上限，请拆分成多个文件。")
            break
        out.append((number, record))
    book.close()
    return out


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


def _check_rows(exam: Exam, records: list[tuple[int, dict]], report: OfflineReport) -> list[ResultRow]:
    numbers = {_text(r.get("执法证号")) for _, r in records}
    officers = {o.certificate_number: o for o in Officer.objects.filter(certificate_number__in=numbers)}
    forms = {p.form: p for p in paper_forms(exam)}
    candidates = queries.exam_officers(exam).filter(pk__in=[o.pk for o in officers.values()])
    eligible = set(candidates.values_list("pk", flat=True))
    done = dict(Attempt.objects.filter(exam=exam).values_list("officer_id").annotate(n=Max("number")))
    offline = dict(
        Grade.objects.filter(attempt__exam=exam, attempt__device_token__startswith=OFFLINE_DEVICE).values_list(
            "attempt__officer_id", "total"
        )
    )
    seen: dict[int, int] = {}
    checked: list[ResultRow] = []
    for number, record in records:
        if any(isinstance(v, str) and excel.starts_formula(v) for v in record.values()):
            report.error(number, "", "单元格含公式，请复制后“选择性粘贴为数值”再上传。")
            continue
        certificate, name = _text(record.get("执法证号")), _text(record.get("姓名"))
        officer = officers.get(certificate)
        if officer is None:
            report.error(number, "执法证号", f"“{certificate}”不是本系统中执法人员的执法证号，请核对。")
            continue
        if name and name != officer.name:
            report.error(number, "姓名", f"执法证号 {certificate} 是{officer.name}的，表中写的是“{name}”，请核对。")
            continue
        if officer.pk not in eligible:
            report.error(number, "执法证号", f"{officer.name}不在本次考试的参考人员范围内，请核对或先调整参考人员。")
            continue
        if officer.pk in seen:
            report.error(number, "执法证号", f"{officer.name}的成绩与第 {seen[officer.pk]} 行重复，请删除其中一行。")
            continue
        seen[officer.pk] = number
        form = form_from_letter(_text(record.get("套号")))
        paper = forms.get(form) if form else None
        if paper is None:
            letters = "、".join(f"{form_letter(f)}" for f in forms) or "（尚未组卷）"
            report.error(number, "套号", f"“{_text(record.get('套号'))}”不是本次考试的试卷套号，应为 {letters}。")
            continue
        try:
            score = Decimal(_text(record.get("成绩")))
        except InvalidOperation:
            report.error(number, "成绩", f"“{_text(record.get('成绩'))}”不是数字，请填写卷面总分，如 86 或 86.5。")
            continue
        if not score.is_finite() or score < 0 or score > paper.total_points:
            full = _points(paper.total_points)
            report.error(number, "成绩", f"成绩 {_text(record.get('成绩'))} 应在 0 到满分 {full} 之间。")
            continue
        if officer.pk in offline:  # imported before: the same score is no change, another needs a regrade
            if offline[officer.pk] == score:
                report.unchanged += 1
            else:
                report.error(number, "成绩", f"{officer.name}已登记线下成绩 {_points(offline[officer.pk])} 分；"
                             "如需更改，请在成绩页按复核改分处理，不要重复导入。")  # fmt: skip
            continue
        if done.get(officer.pk, 0) >= exam.attempts_allowed:
            used = f"{officer.name}已用完本次考试的 {exam.attempts_allowed} 次作答机会，不能再登记成绩。"
            report.error(number, "执法证号", used)
            continue
        checked.append(ResultRow(number, officer, paper, score.quantize(Decimal("0.01")), _text(record.get("座位号"))))
    return checked


def offline_results_import(*, exam: Exam, blob: bytes, by: User, dry_run: bool = False) -> OfflineReport:
    """Record the results of an offline sitting from Excel; any row error means nothing is written.

    Each examinee gets a graded attempt on the paper of his form (套号); the grade is finalised like an online
    one: pass/fail against the pass mark, the learning record, the exam's hours in the ledger
    (records.hours_credit, once per exam and officer) and the qualification record. Audited.
    """
    report = OfflineReport(dry_run=dry_run)
    records = _read_sheet(blob, report)
    if not report.errors and not records:
        report.error(0, "", "表中没有成绩行：请在表头下每行填写一位考生的执法证号、套号和成绩。")
    rows = _check_rows(exam, records, report) if records else []
    report.errors.sort(key=lambda e: e["row"])
    if report.errors:
        return report
    report.imported = len(rows)
    report.passed = sum(1 for r in rows if r.score >= exam.pass_mark)
    if dry_run:
        return report
    with transaction.atomic():
        now = timezone.now()
        for row in rows:
            _record(exam, row, now)
        audit_record(actor=by, action="exams.offline_results_import", obj=exam,
                     new={"imported": report.imported, "passed": report.passed,
                          "scores": {r.officer.pk: str(r.score) for r in rows}})  # fmt: skip
    return report


def _record(exam: Exam, row: ResultRow, now) -> None:
    done = Attempt.objects.filter(exam=exam, officer=row.officer).aggregate(n=Max("number"))["n"] or 0
    attempt = Attempt.objects.create(
        exam=exam, officer=row.officer, paper=row.paper, number=done + 1, status=Attempt.Status.SUBMITTED,
        started_at=exam.opens_at, deadline=exam.closes_at, submitted_at=now,
        device_token=f"{OFFLINE_DEVICE}:{row.seat}"[:64],
    )  # fmt: skip
    grade = Grade.objects.create(
        attempt=attempt, auto_score=Decimal(0), manual_score=row.score, total=row.score,
        max_score=row.paper.total_points, status=Grade.Status.PENDING, graded_at=now,
    )  # fmt: skip
    # the one finalisation of a grade (pass/fail, learning record, hours, qualification), as for an online attempt
    services.grade_finalise(attempt, grade, now)
