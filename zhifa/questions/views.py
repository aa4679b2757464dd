"""The bank pages (desktop console): list, detail, editor, bulk tagging, duplicates, import and export.

Officers, evaluators and anyone without an authoring role get 404 (the bank is not advertised); auditors read and
get 403 on the pages that change something.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zhifa.common import excel
from zhifa.common.decorators import page_for
from zhifa.questions import citations, content, exports, imports, queries, services, spreadsheet, wordfile
from zhifa.questions.forms import BankFilterForm, BankForm, ImportForm, QuestionForm, TagForm
from zhifa.questions.models import Question, QuestionImport
from zhifa.questions.tasks import question_import_check_task, question_import_run_task

PAGE_SIZE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


bank_page = page_for(queries.can_view_bank)  # log-in required, then 404 for those who may not see the bank


def _download(blob: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(blob, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _filters(request: HttpRequest) -> tuple[BankFilterForm, queries.BankFilter]:
    form = BankFilterForm(request.GET or None)
    if not form.is_valid():
        return form, queries.BankFilter()
    data = form.cleaned_data
    return form, queries.BankFilter(
        kind=data["kind"], status=data["status"], difficulty=data["difficulty"], text=data["q"].strip(),
        knowledge_point=data["knowledge_point"].pk if data["knowledge_point"] else None,
        domain=data["domain"].pk if data["domain"] else None,
        bank=data["bank"].pk if data["bank"] else None, use=data["use"],
    )  # fmt: skip


@bank_page
def question_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    rows = queries.question_list_rows(queries.questions_for_user(user=request.user, filters=filters))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "questions/question_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "tag_form": TagForm(),
        "can_author": queries.can_author_questions(request.user),
    })  # fmt: skip


@bank_page
def question_detail(request: HttpRequest, question_id: int) -> HttpResponse:
    question = queries.question_get_for_user(question_id=question_id, user=request.user)
    return render(request, "questions/question_detail.html", {
        "question": question, "answer_text": spreadsheet.answer_text(question.kind, question.answer),
        "versions": queries.question_versions(question), "cited": citations.cited_keys(question),
        "pending": citations.pending_keys(question), "unresolved": citations.unresolved_keys(question),
        "can_author": queries.can_author_questions(request.user),
        "difficulty_label": content.DIFFICULTY_LABELS.get(question.difficulty, ""),
    })  # fmt: skip


@bank_page
def question_create(request: HttpRequest) -> HttpResponse:
    queries.require_author(request.user)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_create(by=request.user, **form.question_fields())
        except services.QuestionInvalid as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "试题已保存为草稿。")
            return redirect("questions:question-detail", question_id=question.pk)
    return render(request, "questions/question_form.html", {"form": form, "question": None})


@bank_page
def question_edit(request: HttpRequest, question_id: int) -> HttpResponse:
    queries.require_author(request.user)
    question = queries.question_get_for_user(question_id=question_id, user=request.user)
    if not question.is_latest or question.parent_id:
        raise Http404  # old versions and sub-questions are edited through the latest case question
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.question_update(question=question, by=request.user, **form.question_fields())
        except services.QuestionInvalid as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            note = (
                f"已保存为第 {saved.version} 版（原版本保留给已使用它的试卷）。"
                if saved.pk != question.pk
                else "已保存。"
            )
            messages.success(request, note)
            return redirect("questions:question-detail", question_id=saved.pk)
    return render(request, "questions/question_form.html", {"form": form, "question": question})


STATUS_ACTIONS = {
    "review": (services.question_submit_review, "已提交审核。"),
    "publish": (services.question_publish, "已发布，可用于组卷和练习。"),
    "retire": (services.question_retire, "已停用，不再用于新的试卷和练习。"),
}


@require_POST
@bank_page
def question_status(request: HttpRequest, question_id: int) -> HttpResponse:
    queries.require_author(request.user)
    question = queries.question_get_for_user(question_id=question_id, user=request.user)
    action = STATUS_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        raise Http404
    service, note = action
    try:
        service(question=question, by=request.user)
    except services.QuestionInvalid as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, note)
    return redirect("questions:question-detail", question_id=question.pk)


@require_POST
@bank_page
def question_tag(request: HttpRequest) -> HttpResponse:
    queries.require_author(request.user)
    form = TagForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        count = services.questions_tag(
            questions=data["questions"], by=request.user, add_knowledge_points=data["add_points"],
            remove_knowledge_points=data["remove_points"], add_domains=data["add_domains"],
            remove_domains=data["remove_domains"],
        )  # fmt: skip
        messages.success(request, f"已为 {count} 道试题更新标签。")
    else:
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith("/"):
        back = reverse("questions:question-list")
    return redirect(back)


@bank_page
def duplicate_list(request: HttpRequest) -> HttpResponse:
    try:
        threshold = min(max(float(request.GET.get("threshold", "0.8")), 0.5), 1.0)
    except ValueError:
        threshold = 0.8
    kind = request.GET.get("kind", "") if request.GET.get("kind") in Question.Kind.values else ""
    groups = queries.duplicate_groups_for_user(user=request.user, threshold=threshold, kind=kind)
    return render(request, "questions/duplicate_list.html", {
        "groups": groups, "threshold": threshold, "kind": kind, "kinds": Question.Kind.choices,
        "can_author": queries.can_author_questions(request.user),  # readers (an auditor) get no 新增试题 link
    })  # fmt: skip


@bank_page
def import_page(request: HttpRequest) -> HttpResponse:
    queries.require_author(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = imports.question_import_upload(
            upload=form.cleaned_data["file"], by=request.user, bank=form.cleaned_data["bank"],
            pending_citations=form.cleaned_data["pending_citations"],
        )  # fmt: skip
        question_import_check_task.enqueue(batch.pk)
        return redirect("questions:import-detail", batch_id=batch.pk)
    recent = QuestionImport.objects.filter(uploaded_by=request.user.pk)[:10]
    return render(request, "questions/import_page.html", {"form": form, "recent": recent})


@bank_page
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = queries.question_import_get_for_user(batch_id=batch_id, user=request.user)
    if request.method == "POST":
        queries.require_author(request.user)
        try:
            batch = imports.question_import_confirm(
                batch=batch, by=request.user, publish=bool(request.POST.get("publish"))
            )
        except imports.ImportNotReady as exc:
            messages.error(request, str(exc))
        else:
            question_import_run_task.enqueue(batch.pk)
        return redirect("questions:import-detail", batch_id=batch.pk)
    by_type = {content.KIND_LABELS.get(k, k): n for k, n in batch.summary.get("by_type", {}).items()}
    by_use = {Question.Use(k).label: n for k, n in batch.summary.get("by_use", {}).items() if k in Question.Use.values}
    busy = batch.status in (QuestionImport.Status.CHECKING, QuestionImport.Status.IMPORTING)
    template = "questions/_import_batch.html" if request.headers.get("HX-Request") else "questions/import_detail.html"
    return render(request, template, {"batch": batch, "by_type": by_type, "by_use": by_use, "busy": busy})


@bank_page
def import_template(request: HttpRequest) -> HttpResponse:
    queries.require_author(request.user)
    return excel.xlsx_response(spreadsheet.template_workbook(), "试题导入模板.xlsx")


@bank_page
def import_sample_docx(request: HttpRequest) -> HttpResponse:
    queries.require_author(request.user)
    return _download(wordfile.sample_document(), "试题导入样例.docx", DOCX)


@bank_page
def bank_list(request: HttpRequest) -> HttpResponse:
    """The banks with their default use and size; authors add a bank here."""
    banks = queries.banks_for_user(user=request.user)
    form = BankForm(request.POST or None)
    if request.method == "POST":
        queries.require_author(request.user)
        if form.is_valid():
            try:
                bank = services.question_bank_save(by=request.user, **form.cleaned_data)
            except services.QuestionInvalid as exc:
                form.add_error(None, "；".join(exc.messages))
            else:
                messages.success(request, f"题库“{bank.name}”已保存。")
                return redirect("questions:bank-list")
    return render(request, "questions/bank_list.html", {
        "banks": banks, "form": form, "can_author": queries.can_author_questions(request.user),
    })  # fmt: skip


@bank_page
def bank_edit(request: HttpRequest, bank_id: int) -> HttpResponse:
    queries.require_author(request.user)
    bank = queries.bank_get_for_user(bank_id=bank_id, user=request.user)
    initial = {"name": bank.name, "default_use": bank.default_use, "description": bank.description}
    form = BankForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_bank_save(by=request.user, bank=bank, **form.cleaned_data)
        except services.QuestionInvalid as exc:
            form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, "已保存；已有试题的用途不变，之后新建或导入的试题取新的默认用途。")
            return redirect("questions:bank-list")
    return render(request, "questions/bank_edit.html", {"bank": bank, "form": form})


@bank_page
def question_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("jsonl", "xlsx"):
        raise Http404
    _, filters = _filters(request)
    rows = queries.questions_for_user(user=request.user, filters=filters)
    if fmt == "xlsx":
        return excel.xlsx_response(exports.export_xlsx(rows), "题库导出.xlsx")
    return _download(exports.export_jsonl(rows), "questions.jsonl", "application/x-ndjson; charset=utf-8")
