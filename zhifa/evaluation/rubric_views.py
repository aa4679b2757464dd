"""The rubric editor (案卷评查标准): the template's and each period's versions, editing, one version read-only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zhifa.evaluation import queries, rubric_versions
from zhifa.evaluation import rubric as rubric_rules
from zhifa.evaluation.models import Period
from zhifa.evaluation.services import EvaluationError, rubric_current
from zhifa.evaluation.views import console_page, me

BLANK_ITEMS, BLANK_GROUPS, BLANK_VETOES = 2, 1, 3  # empty rows the form offers for additions


def editor_rows(content: dict) -> tuple[list[dict], list[dict]]:
    """The rubric's groups and vetoes with empty rows to add to (a new group, items, vetoes)."""
    blank_item = {"key": "", "label": "", "deduction": ""}
    groups = [{**g, "items": [*g.get("items", []), *[blank_item] * BLANK_ITEMS]} for g in content.get("groups", [])]
    groups += [{"key": "", "label": "", "part": "内容", "points": "", "items": [blank_item] * 3}] * BLANK_GROUPS
    vetoes = [*content.get("vetoes", []), *[{"key": "", "label": ""}] * BLANK_VETOES]
    return groups, vetoes


@console_page
def rubric_list(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluation/rubric_list.html", {"lines": rubric_versions.lines_for(me(request))})


def _edit(request: HttpRequest, period: Period | None) -> HttpResponse:
    current = rubric_current(period)
    content, note = current.content, ""
    errors: list[str] = []
    if request.method == "POST":
        content, errors = rubric_rules.rubric_from_form(request.POST)
        note = request.POST.get("note", "")
        if not errors:
            try:
                new, moved = rubric_versions.rubric_save(period=period, content=content, note=note, by=me(request))
            except EvaluationError as exc:
                errors = [str(exc)]
            else:
                moved_text = f"，{moved} 份尚未评查的案卷改用新版本" if moved else ""
                messages.success(request, f"已保存第 {new.version} 版评查标准{moved_text}；已评查的案卷仍按原版本")
                return redirect(request.path)
    groups, vetoes = editor_rows(content)
    return render(
        request,
        "evaluation/rubric_edit.html",
        {
            "period": period,
            "current": current,
            "own": period is None or current.period_id == period.pk,
            "versions": rubric_versions.versions_of(period),
            "groups": groups,
            "vetoes": vetoes,
            "parts": rubric_rules.PARTS,
            "errors": errors,
            "note": note,
            "can_edit": rubric_versions.can_edit(me(request), period),
        },
        status=400 if errors else 200,
    )


@console_page
def rubric_template(request: HttpRequest) -> HttpResponse:
    """The template's rubric: periods without their own use its current version."""
    return _edit(request, None)


@console_page
def rubric_period(request: HttpRequest, period_id: int) -> HttpResponse:
    """A period's own rubric (its first save starts the period's line from the template's current version)."""
    return _edit(request, queries.period_get(user=me(request), period_id=period_id))


@console_page
def rubric_detail(request: HttpRequest, rubric_id: int) -> HttpResponse:
    """One version as it was saved, and the files scored with it."""
    rubric = rubric_versions.rubric_get(user=me(request), rubric_id=rubric_id)
    return render(
        request,
        "evaluation/rubric_detail.html",
        {"rubric": rubric, "content": rubric.content, "files": rubric_versions.files_using(rubric)},
    )
