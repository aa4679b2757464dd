"""Reads behind the results and item-analysis pages and their Excel exports (access checked by the callers'
queries: the exam comes from queries.exam_get_for_manager)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook

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
    wb = Workbook()
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
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def item_analysis(exam: Exam) -> dict:
    """Per question p, point-biserial, upper/lower 27 %, distractor shares; KR-20 / α for the exam's attempts."""
    attempts = list(
        Attempt.objects.filter(exam=exam).exclude(status=Attempt.Status.RUNNING).select_related("paper").order_by("pk")
    )
    qids = sorted({row["question"] for a in attempts for row in a.paper.rows})
    points = {row["question"]: Decimal(row["points"]) for a in attempts for row in a.paper.rows}
    manual = dict(ManualGrade.objects.filter(answer__attempt__exam=exam).values_list("answer_id", "score"))
    cells: dict[tuple[int, int], Answer] = {}
    for answer in Answer.objects.filter(attempt__exam=exam).only(
        "id", "attempt_id", "question_id", "response", "auto_score"
    ):
        cells[answer.attempt_id, answer.question_id] = answer
    questions = {q.pk: q for q in Question.objects.filter(pk__in=qids).prefetch_related("options")}
    matrix, choices = [], defaultdict(list)
    for a in attempts:
        on_paper = {row["question"] for row in a.paper.rows}
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


def _labels(response) -> list[str]:
    if isinstance(response, str):
        return [c for c in response.upper() if c in "ABCDEFGH"]
    if isinstance(response, list):
        return [str(x) for x in response if isinstance(x, str)]
    return []


def analysis_workbook(data: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "试题分析"
    ws.append(["试题编号", "题型", "人数", "难度 p", "点二列相关", "高低分组区分度", "选项选择率", "标记"])
    for q, s in data["items"]:
        shares = "；".join(f"{k or '未答'}:{v:.0%}" for k, v in s.distractors.items())
        ws.append(
            [q.pk, q.get_kind_display(), s.n, _r(s.p), _r(s.point_biserial), _r(s.upper_lower), shares, s.flag_label]
        )
    ws.append([])
    ws.append(["KR-20", _r(data["reliability"]["kr20"]), "Cronbach α", _r(data["reliability"]["alpha"])])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
