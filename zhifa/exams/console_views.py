"""Console pages (desktop): exams with their blueprint, papers, results, item analysis, the grading queue."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from zhifa.common import excel
from zhifa.common.decorators import page_for
from zhifa.exams import assembly, forms, papers, queries, results, services, tasks
from zhifa.exams.models import Exam
from zhifa.people import access
from zhifa.people.forms import AudienceForm
from zhifa.people.models import User
from zhifa.questions import queries as question_queries
from zhifa.questions.models import Question


def _me(request: HttpRequest) -> User:
    """The logged-in user (these pages require a login)."""
    assert isinstance(request.user, User)
    return request.user


console_required = page_for(access.can_use_console)


@console_required
def exam_manage_list(request: HttpRequest) -> HttpResponse:
    exams = queries.exams_for_console(user=_me(request)).order_by("-opens_at")[:200]
    # An auditor reads every unit's exams but changes none: no 新建考试, and a title opens the results, not the form.
    can_manage = access.units_managed_by(request.user).exists()
    return render(request, "exams/manage_list.html", {"exams": exams, "can_manage": can_manage})


def _section_initial(exam: Exam | None) -> list[dict]:
    if exam is None or exam.blueprint is None:
        return []
    return [dict(s, difficulties=[str(d) for d in s.get("difficulties", [])]) for s in exam.blueprint.sections]


@console_required
def exam_edit(request: HttpRequest, exam_id: int | None = None) -> HttpResponse:
    exam = queries.exam_get_for_manager(exam_id=exam_id, user=_me(request), write=True) if exam_id else None
    units = access.units_managed_by(request.user)
    if exam_id is None and not units.exists():
        raise Http404
    form = forms.ExamForm(request.POST or None, instance=exam, units=units)
    audience_form = AudienceForm(request.POST or None, user=_me(request), audience=exam.audience if exam else None)
    sections = forms.SectionFormSet(request.POST or None, initial=_section_initial(exam), prefix="s")
    enemies = (
        request.POST.get("enemy_groups", "")
        if request.method == "POST"
        else "\n".join(
            " ".join(str(i) for i in g) for g in (exam.blueprint.enemy_groups if exam and exam.blueprint else [])
        )
    )
    valid = [f.is_valid() for f in (form, sections, audience_form)]  # every form's errors show at once
    if request.method == "POST" and all(valid):
        try:
            exam = _save_exam(request, form, sections, enemies, audience_form)
        except (forms.forms.ValidationError, assembly.BlueprintInvalid, ValueError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, "考试已保存。")
            return redirect("exams:manage-edit", exam_id=exam.pk)
    return render(
        request,
        "exams/manage_edit.html",
        {
            "exam": exam,
            "form": form,
            "audience_form": audience_form,
            "sections": sections,
            "enemy_groups": enemies,
            "paper_count": exam.papers.count() if exam else 0,
            "papers": _papers_summary(exam) if exam else [],
            "build_result": _build_outcome(request, exam) if exam else None,
        },
    )


def _build_outcome(request: HttpRequest, exam: Exam) -> dict | None:
    """The outcome of the last "生成试卷" of this exam, shown once; while the background task runs, the pending
    state stays in the session and the page polls itself (htmx) until the outcome is there."""
    state = request.session.get("build_result")
    if not state or state.get("exam", exam.pk) != exam.pk:
        return None
    if state.get("pending"):
        try:
            result = tasks.papers_build_task.get_result(state["task"])
        except Exception:  # the task's row is gone (e.g. the queue was purged)
            result = None
        if result is not None and not result.is_finished:
            return state
        if result is None or result.status != "SUCCESSFUL":
            state = {"built": 0, "error": "后台组卷任务没有完成（可能已中断），请重新点击“按组卷规则生成试卷”。"}
        else:
            state = result.return_value
    request.session.pop("build_result", None)
    return state


def _papers_summary(exam: Exam, limit: int = 6) -> list[dict]:
    """What the built papers hold: per paper its questions per blueprint section and its total (a few papers)."""
    sections = exam.blueprint.sections if exam.blueprint else []
    kinds = dict(Question.Kind.choices)
    summary = []
    for paper in exam.papers.select_related("officer").order_by("form", "pk")[:limit]:
        counts: dict[int, int] = {}
        for row in paper.rows:
            counts[row.get("section", 0)] = counts.get(row.get("section", 0), 0) + 1
        parts = [
            f"{kinds.get(sections[i]['kind'], sections[i]['kind']) if i < len(sections) else '其他'} {n} 题"
            for i, n in sorted(counts.items())
        ]
        label = f"{paper.officer.name} 的试卷" if paper.officer is not None else f"第 {paper.form} 套"
        summary.append({"label": label, "count": len(paper.rows), "points": paper.total_points, "parts": parts})
    return summary


@transaction.atomic
def _save_exam(request, form, sections, enemies_text, audience_form: AudienceForm) -> Exam:
    """Blueprint and exam in one transaction: a bad section leaves both unchanged."""
    section_list = [s for s in (f.as_section() for f in sections.forms if f.cleaned_data) if s]
    enemy_groups = forms.parse_enemy_groups(enemies_text)
    exam = form.save(commit=False)
    exam.blueprint = papers.blueprint_save(
        by=_me(request),
        unit=exam.unit,
        name=f"{exam.title} 组卷规则",
        sections=section_list,
        enemy_groups=enemy_groups,
        blueprint=exam.blueprint,
    )
    audience = audience_form.save(exam.audience, name=f"考试：{exam.title}"[:100])
    return papers.exam_save(by=_me(request), exam=exam, audience=audience)


@console_required
@require_POST
def exam_build_papers(request: HttpRequest, exam_id: int) -> HttpResponse:
    """Papers are assembled by a background task (immediate in tests and the demo); its outcome shows on the page."""
    exam = queries.exam_get_for_manager(exam_id=exam_id, user=_me(request), write=True)
    result = tasks.papers_build_task.enqueue(exam.pk, _me(request).pk)
    outcome = result.return_value if result.is_finished else None
    request.session["build_result"] = {**(outcome or {"pending": True, "task": result.id}), "exam": exam.pk}
    return redirect("exams:manage-edit", exam_id=exam.pk)


@console_required
@require_POST
def exam_publish(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = queries.exam_get_for_manager(exam_id=exam_id, user=_me(request), write=True)
    try:
        papers.exam_publish(exam=exam, by=_me(request))
        messages.success(request, "考试已发布。")
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("exams:manage-edit", exam_id=exam.pk)


@console_required
def exam_results(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = queries.exam_get_for_manager(exam_id=exam_id, user=_me(request), reaching=True)
    attempts = queries.exam_results(exam=exam, user=_me(request))
    summary = results.results_summary(attempts, exam)
    return render(
        request,
        "exams/manage_results.html",
        {
            "exam": exam,
            # A reader of another unit's exam (it reaches his units) gets no link to its managers' pages.
            "can_manage": access.can_manage_unit(_me(request), exam.unit),
            "attempts": attempts,
            "summary": summary,
            "chart": json.dumps(
                {
                    "labels": [f"{b['from']:g}–{b['to']:g}" for b in summary["histogram"]],
                    "counts": [b["count"] for b in summary["histogram"]],
                }
            ),
        },
    )


@console_required
def exam_results_export(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = queries.exam_get_for_manager(exam_id=exam_id, user=_me(request), reaching=True)
    body = results.results_workbook(queries.exam_results(exam=exam, user=_me(request)), exam)
    return excel.xlsx_response(body, f"exam-{exam.pk}-results.xlsx")


@console_required
def exam_analysis(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = queries.exam_get_for_manager(exam_id=exam_id, user=_me(request))
    data = results.item_analysis(exam)
    chart = {
        "ids": [q.pk for q, _ in data["items"]],
        "stems": [_stem_short(q) for q, _ in data["items"]],
        "p": [s.p for _, s in data["items"]],
        "rpb": [s.point_biserial for _, s in data["items"]],
    }
    return render(
        request,
        "exams/manage_analysis.html",
        {
            **data,
            "exam": exam,
            "chart": json.dumps(chart),
            "question_links": question_queries.can_view_bank(_me(request)),
        },
    )


def _stem_short(question: Question) -> str:
    """The question's stem as plain text, shortened for a table cell or a chart's tooltip."""
    return Truncator(" ".join(strip_tags(question.stem).split())).chars(40)


@console_required
def exam_analysis_export(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = queries.exam_get_for_manager(exam_id=exam_id, user=_me(request))
    return excel.xlsx_response(results.analysis_workbook(results.item_analysis(exam)), f"exam-{exam.pk}-analysis.xlsx")


def _across(request: HttpRequest) -> dict:
    kind = request.GET.get("kind", "")
    kind = kind if kind in dict(Question.Kind.choices) else ""
    flagged = request.GET.get("flagged") == "1"
    data = results.item_analysis_across(queries.exams_managed_by(user=_me(request)), kind=kind, flagged_only=flagged)
    return {**data, "kind": kind, "flagged_only": flagged}


@console_required
def item_analysis_across(request: HttpRequest) -> HttpResponse:
    """Every question of the exams the user may see, analysed across those exams; flagged ones first."""
    data = _across(request)
    chart = {
        "ids": [q.pk for q, _, _ in data["rows"]],
        "stems": [_stem_short(q) for q, _, _ in data["rows"]],
        "p": [s.p for _, s, _ in data["rows"]],
        "rpb": [s.point_biserial for _, s, _ in data["rows"]],
    }
    return render(
        request,
        "exams/manage_items.html",
        {
            **data,
            "kinds": Question.Kind.choices,
            "chart": json.dumps(chart),
            "query": request.GET.urlencode(),
            "question_links": question_queries.can_view_bank(_me(request)),
        },
    )


@console_required
def item_analysis_across_export(request: HttpRequest) -> HttpResponse:
    return excel.xlsx_response(results.across_workbook(_across(request)), "item-analysis.xlsx")


@console_required
def grading_queue(request: HttpRequest) -> HttpResponse:
    answers = queries.grading_queue(user=_me(request))[:200]
    return render(request, "exams/grading_queue.html", {"answers": answers})


@console_required
def grading_answer(request: HttpRequest, answer_id: int) -> HttpResponse:
    """One short/case answer, blind: the grader sees the answer, the rubric and the reference, never the name."""
    answer = queries.answer_get_for_grader(answer_id=answer_id, user=_me(request))
    if request.method == "POST":
        try:
            score = Decimal(request.POST.get("score", ""))
            services.answer_grade_manual(
                answer=answer,
                by=_me(request),
                score=score,
                comment=request.POST.get("comment", "")[:2000],
                rubric_marks=request.POST.getlist("rubric"),
                reason=request.POST.get("reason", "")[:500],
            )
        except InvalidOperation:
            messages.error(request, "请填写数字分数。")
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已保存评分。")
            return redirect("exams:grading-queue")
    points = answer.attempt.paper.points_of(answer.question_id)
    existing = getattr(answer, "manual_grade", None) if hasattr(answer, "manual_grade") else None
    return render(
        request,
        "exams/grading_answer.html",
        {
            "answer": answer,
            "points": points,
            "rubric": (answer.question.answer or {}).get("rubric", []),
            "existing": existing,
        },
    )
