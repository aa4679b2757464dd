"""The rubric editor's writes and reads: versions of a case-file review standard (案卷评查标准).

Two lines of versions: the template's (period empty; every period without its own uses it) and a period's own
(its first version starts from the template's current one). A saved version never changes: editing makes the next
version, which files not yet reviewed switch to; a file with any review keeps the version it was scored with, so
its scores, the dashboard's losses per item and the training comparison always read the rubric they came from.
The conventions are services.py's: keyword-only, atomic, access-checked, audited, EvaluationError in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from zhifa.common.audit import audit_record
from zhifa.evaluation import rubric as rubric_rules
from zhifa.evaluation.models import CaseFile, CaseFileReview, Period, Rubric
from zhifa.evaluation.services import DEFAULT_RUBRIC_NAME, EvaluationError, NotPermitted, rubric_current
from zhifa.people import access
from zhifa.people.models import User


def can_edit(user: User, period: Period | None) -> bool:
    """A period's rubric: its unit's managers. The template: those who manage a top unit (the province's office)."""
    if period is not None:
        return access.can_manage_unit(user, period.unit)
    return access.managed_unit_paths(user) is None or access.units_managed_by(user).filter(parent=None).exists()


def _line(period: Period | None) -> QuerySet[Rubric]:
    return Rubric.objects.filter(period=period) if period is not None else Rubric.objects.filter(period__isnull=True)


@transaction.atomic
def rubric_save(*, period: Period | None, content: dict, note: str, by: User) -> tuple[Rubric, int]:
    """Save an edited rubric as the next version of its line; returns it and how many unreviewed files moved to it.

    Raises NotPermitted outside the editor's reach, EvaluationError for an invalid rubric, a missing note or no
    change; nothing is saved then.
    """
    scope = f"“{period.name}”" if period is not None else "省级模板"
    if not can_edit(by, period):
        raise NotPermitted(f"您不能修改{scope}的案卷评查标准")
    if not note.strip():
        raise EvaluationError("请填写“修订说明”：改了什么、依据哪份文件")
    errors = rubric_rules.rubric_errors(content)
    if errors:
        raise EvaluationError("；".join(errors))
    list(_line(period).select_for_update().values_list("pk", flat=True))  # one editor at a time per line
    base = rubric_current(period)
    if base.content == content:
        raise EvaluationError("评查标准没有改动，未保存新版本")
    version = (_line(period).aggregate(n=Max("version"))["n"] or 0) + 1
    _line(period).filter(is_current=True).update(is_current=False)
    name = f"案卷评查标准（{period.name}）" if period is not None else DEFAULT_RUBRIC_NAME
    new = Rubric.objects.create(
        name=name,
        period=period,
        version=version,
        is_current=True,
        note=note.strip()[:300],
        created_by=by,
        content=content,
    )
    unreviewed = CaseFile.objects.filter(is_training=False, status=CaseFile.Status.PENDING).exclude(
        Exists(CaseFileReview.objects.filter(case_file=OuterRef("pk")))
    )
    # A period's version takes all its unreviewed files (also those still on the template); a template version
    # takes the unreviewed files on the template (a period with its own line has none left there).
    if period is not None:
        moved = unreviewed.filter(period=period).update(rubric=new)
    else:
        moved = unreviewed.filter(rubric__period__isnull=True).update(rubric=new)
    audit_record(
        actor=by,
        action="evaluation.rubric_save",
        obj=new,
        old={"version": base.version, "period": base.period_id},
        new={"version": version, "period": period.pk if period else None, "files_moved": moved},
        reason=note.strip()[:200],
    )
    return new, moved


# --- reads ----------------------------------------------------------------------------------------------------------


@dataclass
class Line:
    """One line of versions for the list page: the template or a period."""

    period: Period | None
    current: Rubric
    versions: int
    own: bool  # False: a period still on the template


def lines_for(user: User) -> list[Line]:
    """The template's line and every period's (console users; the standards are not secret)."""
    if not access.can_use_console(user):
        raise Http404
    template = rubric_current(None)
    counts: dict[int | None, int] = dict(
        Rubric.objects.values_list("period_id").annotate(n=Count("id")).values_list("period_id", "n")
    )
    current = {r.period_id: r for r in Rubric.objects.filter(is_current=True, period__isnull=False)}
    out = [Line(None, template, counts.get(None, 1), True)]
    for period in Period.objects.select_related("unit").order_by("-year", "name"):
        own = current.get(period.pk)
        out.append(Line(period, own or template, counts.get(period.pk, 0), own is not None))
    return out


def versions_of(period: Period | None) -> list[Rubric]:
    return list(_line(period).select_related("created_by").order_by("-version"))


def rubric_get(*, user: User, rubric_id: int) -> Rubric:
    """One version, read-only (the one a file was scored with); console users."""
    if not access.can_use_console(user):
        raise Http404
    return get_object_or_404(Rubric.objects.select_related("period", "created_by"), pk=rubric_id)


def files_using(rubric: Rubric) -> dict[str, int]:
    """How many files were scored with (or wait on) this version, by status."""
    rows = CaseFile.objects.filter(rubric=rubric).values_list("status").annotate(n=Count("id"))
    labels = dict(CaseFile.Status.choices)
    return {labels[status]: n for status, n in rows}
