"""Console pages of an offline sitting: the paper, answer sheet and key of each form as Word or PDF, and the
results imported back from Excel (a check first, then the all-or-nothing import)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from zhifa.common import excel
from zhifa.common.decorators import page_for
from zhifa.exams import offline, queries
from zhifa.people import access
from zhifa.people.models import User

console_required = page_for(access.can_use_console)
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
MAX_UPLOAD = 8 * 1024 * 1024


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _may_see_key(user: User, exam) -> bool:
    """The key goes only to those who manage the exam's unit (not to read-only console users)."""
    return access.can_manage_unit(user, exam.unit)


@console_required
def exam_offline(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = queries.exam_get_for_manager(exam_id=exam_id, user=_me(request))
    report = None
    if request.method == "POST":
        exam = queries.exam_get_for_manager(exam_id=exam_id, user=_me(request), write=True)
        upload = request.FILES.get("file")
        if upload is None or (upload.size or 0) > MAX_UPLOAD:
            messages.error(request, "请选择填好的成绩表（.xlsx，不超过 8 MB）后再提交。")
            return redirect("exams:manage-offline", exam_id=exam.pk)
        dry_run = request.POST.get("action") != "import"
        report = offline.offline_results_import(exam=exam, blob=upload.read(), by=_me(request), dry_run=dry_run)
        if not report.errors and not dry_run:
            messages.success(
                request, f"已导入 {report.imported} 人的线下成绩（其中及格 {report.passed} 人），学时已记入台账。"
            )
            return redirect("exams:manage-offline", exam_id=exam.pk)
    return render(request, "exams/manage_offline.html", {
        "exam": exam, "forms": [(p.form, offline.form_letter(p.form)) for p in offline.paper_forms(exam)],
        "may_see_key": _may_see_key(_me(request), exam), "report": report,
    })  # fmt: skip


@console_required
def offline_download(request: HttpRequest, exam_id: int, form: int, part: str, fmt: str) -> HttpResponse:
    exam = queries.exam_get_for_manager(exam_id=exam_id, user=_me(request))
    if part not in offline.PARTS or fmt not in CONTENT_TYPES:
        raise Http404
    if part == "key" and not _may_see_key(_me(request), exam):
        raise Http404
    paper = next((p for p in offline.paper_forms(exam) if p.form == form), None)
    if paper is None:
        raise Http404
    document = offline.offline_paper(exam=exam, paper=paper)
    body = offline.paper_docx(document, part) if fmt == "docx" else offline.paper_pdf(document, part)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = f"{exam.title}-{offline.form_letter(form)}卷-{offline.PARTS[part]}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@console_required
def offline_results_template(request: HttpRequest, exam_id: int) -> HttpResponse:
    exam = queries.exam_get_for_manager(exam_id=exam_id, user=_me(request), write=True)
    return excel.xlsx_response(offline.results_template(exam), f"{exam.title}-线下成绩.xlsx")
