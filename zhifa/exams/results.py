"""Reads behind the results and item-analysis pages and their Excel exports (access checked by the callers'
queries: the exam comes from queries.exam_get_for_manager)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils.html import strip_tags

from zhifa.common import excel
from zhifa.exams import analysis
from zhifa.exams.models import Answer, Attempt, Exam, ManualGrade
from zhifa.questions.models import Question


def results_summary(attempts: list[Attempt], exam: Exam) -> dict:
    graded = [a for a in attempts if hasattr(a, "grade")]
    final = [a for a in graded if a.grade.passed is not None]
    passed = sum(1 for a in final if a.grade.passed)
    maximum = float(graded[0].grade.max_score) if graded else float(exam.pass_mark)
    totals = [float(a.grade.total) for a in graded]
    return {
        "sitting": len(attempts),
        "graded": len(graded),
        "final": len(final),
        "passed": passed,
        "pass_rate": round(100 * passed / len(final), 1) if final else None,
        "mean": round(sum(totals) / len(totals), 2) if totals else None,
        "histogram": analysis.score_histogram(totals, maximum),
    }


def results_workbook(attempts: list[Attempt], exam: Exam) -> bytes:
    wb = excel.workbook()
    ws = wb.active
    ws.title = "成绩"
    ws.append(
        ["姓名", "执法证号", "单位", "第几次", "状态", "开始时间", "交卷时间", "客观题", "主观题", "总分", "是否通过"]
    )
    for a in attempts:
        g = getattr(a, "grade", None)
        ws.append(
            [
                a.officer.name,
                a.officer.certificate_number,
                a.officer.unit.name,
                a.number,
                a.get_status_display(),
                a.started_at.replace(tzinfo=None),
                a.submitted_at.replace(tzinfo=None) if a.submitted_at else None,
                g and float(g.auto_score),
                g and float(g.manual_score),
                g and float(g.total),
                "" if g is None or g.passed is None else ("通过" if g.passed else "未通过"),
            ]
        )
    return excel.workbook_bytes(wb)


def item_analysis(exam: Exam) -> dict:
    """Per question p, point-biserial, upper/lower 27 %, distractor shares; KR-20 / α for the exam's attempts."""
    attempts = list(
        Attempt.objects.filter(exam=exam).exclude(status=Attempt.Status.RUNNING).select_related("paper").order_by("pk")
    )
    qids = sorted({row["question"] for a in attempts for row in a.paper.leaves})
    points = {row["question"]: Decimal(row["points"]) for a in attempts for row in a.paper.leaves}
    manual = dict(ManualGrade.objects.filter(answer__attempt__exam=exam).values_list("answer_id", "score"))
    cells: dict[tuple[int, int], Answer] = {}
    for answer in Answer.objects.filter(attempt__exam=exam).only(
        "id", "attempt_id", "question_id", "response", "auto_score"
    ):
        cells[answer.attempt_id, answer.question_id] = answer
    questions = {q.pk: q for q in Question.objects.filter(pk__in=qids).prefetch_related("options")}
    matrix, choices = [], defaultdict(list)
    for a in attempts:
        on_paper = {row["question"] for row in a.paper.leaves}
        row = []
        for qid in qids:
            cell = cells.get((a.pk, qid))
            earned = manual.get(cell.pk, cell.auto_score) if cell else Decimal(0)
            row.append(float(earned or 0) / float(points[qid]) if qid in on_paper else 0.0)
            if questions[qid].kind in ("single", "multiple") and qid in on_paper:
                choices[qid].append(_labels(cell.response if cell else None))
        matrix.append(row)
    labels = [[o.label for o in questions[q].options.all()] for q in qids]
    stats = analysis.analyse_items(matrix, qids, [choices.get(q, []) for q in qids], labels) if matrix else []
    return {
        "items": [(questions[s.question], s) for s in stats],
        "reliability": analysis.reliability(matrix) if matrix else {"kr20": None, "alpha": None},
        "n": len(attempts),
    }


def item_analysis_across(exams, *, kind: str = "", flagged_only: bool = False) -> dict:
    """Every question used by the given exams, analysed over all their submitted, graded attempts together.

    Rows: (question, ItemStats, number of exams), flagged questions first (negative, then low), then by
    discrimination ascending. `kind` keeps one question kind; `flagged_only` only the flagged ones.
    """
    attempts = list(
        Attempt.objects.filter(exam__in=exams, grade__isnull=False)
        .exclude(status=Attempt.Status.RUNNING)
        .select_related("paper", "grade")
        .order_by("pk")
    )
    attempt_ids = [a.pk for a in attempts]
    cells: dict[tuple[int, int], tuple[object, Decimal | None]] = {}
    for attempt_id, question_id, response, auto in Answer.objects.filter(attempt_id__in=attempt_ids).values_list(
        "attempt_id", "question_id", "response", "auto_score"
    ):
        cells[attempt_id, question_id] = (response, auto)
    manual = {
        (attempt_id, question_id): score
        for attempt_id, question_id, score in ManualGrade.objects.filter(
            answer__attempt_id__in=attempt_ids
        ).values_list("answer__attempt_id", "answer__question_id", "score")
    }
    kinds = dict(
        Question.objects.filter(pk__in={r["question"] for a in attempts for r in a.paper.leaves}).values_list(
            "id", "kind"
        )
    )
    observations: dict[int, list[analysis.Observation]] = defaultdict(list)
    for a in attempts:
        maximum = float(a.grade.max_score) or 1.0
        total = float(a.grade.total) / maximum
        for row in a.paper.leaves:
            qid = row["question"]
            if kind and kinds.get(qid) != kind:
                continue
            response, auto = cells.get((a.pk, qid), (None, Decimal(0)))
            earned = manual.get((a.pk, qid), auto)
            choice = _labels(response) if kinds.get(qid) in ("single", "multiple") else None
            observations[qid].append(
                analysis.Observation(a.exam_id, float(earned or 0) / float(row["points"]), total, choice)
            )
    questions = {q.pk: q for q in Question.objects.filter(pk__in=list(observations)).prefetch_related("options")}
    labels = {qid: [o.label for o in q.options.all()] for qid, q in questions.items()}
    rows = [
        (questions[s.question], s, exams_n)
        for s, exams_n in analysis.analyse_across(observations, labels)
        if s.flag or not flagged_only
    ]
    order = {"negative": 0, "low": 1, "": 2}
    rows.sort(key=lambda r: (order[r[1].flag], r[1].point_biserial if r[1].point_biserial is not None else 9, r[0].pk))
    return {
        "rows": rows,
        "attempts": len(attempts),
        "flagged": sum(1 for r in rows if r[1].flag),
    }


def across_workbook(data: dict) -> bytes:
    wb = excel.workbook()
    ws = wb.active
    ws.title = "试题分析（跨考试）"
    ws.append(_item_header(across=True))
    for q, s, exams_n in data["rows"]:
        ws.append(_item_row(q, s, exams_n=exams_n))
    return excel.workbook_bytes(wb)


ITEM_COLUMNS = ["人数", "难度 p", "点二列相关", "高低分组区分度", "选项选择率", "标记", "题干"]


def _item_header(*, across: bool) -> list[str]:
    return ["试题编号", "版本", "题型", "考试数", *ITEM_COLUMNS] if across else ["试题编号", "题型", *ITEM_COLUMNS]


def _item_row(q: Question, s: analysis.ItemStats, *, exams_n: int | None = None) -> list:
    """One question's row of an item-analysis workbook, one exam's or (with `exams_n`, the exams it was on) the
    across-exams one, which also names the question's version."""
    head = [q.pk, q.get_kind_display()] if exams_n is None else [q.pk, q.version, q.get_kind_display(), exams_n]
    shares = "；".join(f"{k or '未答'}:{v:.0%}" for k, v in s.distractors.items())
    return [*head, s.n, _r(s.p), _r(s.point_biserial), _r(s.upper_lower), shares, s.flag_label, _stem_text(q)]


def _stem_text(question: Question) -> str:
    return " ".join(strip_tags(question.stem).split())


def _labels(response) -> list[str]:
    if isinstance(response, str):
        return [c for c in response.upper() if c in "ABCDEFGH"]
    if isinstance(response, list):
        return [str(x) for x in response if isinstance(x, str)]
    return []


def analysis_workbook(data: dict) -> bytes:
    wb = excel.workbook()
    ws = wb.active
    ws.title = "试题分析"
    ws.append(_item_header(across=False))
    for q, s in data["items"]:
        ws.append(_item_row(q, s))
    ws.append([])
    ws.append(["KR-20", _r(data["reliability"]["kr20"]), "Cronbach α", _r(data["reliability"]["alpha"])])
    return excel.workbook_bytes(wb)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
