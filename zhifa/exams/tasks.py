"""Background work: building parallel / per-examinee papers, and auto-submitting attempts past their deadline."""

from __future__ import annotations

from django.tasks import task

from zhifa.exams import papers, queries
from zhifa.exams.models import Exam
from zhifa.people.models import User


@task()
def papers_build_task(exam_id: int, user_id: int) -> dict:
    """Assemble every paper of an exam (N parallel forms or one per examinee); the result says how many or why not."""
    exam = Exam.objects.select_related("unit", "blueprint").get(pk=exam_id)
    by = User.objects.get(pk=user_id)
    officers = []
    if exam.paper_mode == Exam.PaperMode.PER_EXAMINEE:
        officers = list(queries.exam_officers(exam).select_related("unit", "user"))
    try:
        return {"built": papers.papers_build(exam=exam, by=by, officers=officers)}
    except (papers.assembly.AssemblyError, papers.assembly.BlueprintInvalid, ValueError) as exc:
        return {"built": 0, "error": getattr(exc, "message", str(exc))}
