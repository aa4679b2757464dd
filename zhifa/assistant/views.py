"""Pages of the assistant: ask (phone-first), one inquiry with its articles and checked answer, history, topics."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhifa.assistant import queries, services
from zhifa.common.decorators import page_for
from zhifa.people import access

SAMPLE_QUESTIONS = (
    "商户没有营业执照卖东西，罚多少？",
    "当事人要求听证，几天内提出？",
    "违法行为过了两年才发现，还能处罚吗？",
    "扣押的财物最长能扣多久？",
    "执法检查时需要几名执法人员？",
    "对行政处罚不服，可以怎么办？",
)


def _home(request: HttpRequest, *, error: str = "", text: str = "", status: int = 200) -> HttpResponse:
    context = {
        "samples": SAMPLE_QUESTIONS,
        "recent": queries.inquiries_for_user(user=request.user, limit=5),
        "error": error,
        "text": text,
        "model_configured": services.endpoint() is not None,
        "max_chars": services.MAX_QUESTION_CHARS,
    }
    return render(request, "assistant/home.html", context, status=status)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return _home(request)


@login_required
@require_POST
def ask(request: HttpRequest) -> HttpResponse:
    text = request.POST.get("q", "")
    try:
        inquiry = services.inquiry_ask(user=request.user, text=text)
    except services.AssistantError as exc:
        return _home(request, error=str(exc), text=text[: services.MAX_QUESTION_CHARS], status=400)
    return redirect("assistant:inquiry-detail", inquiry_id=inquiry.pk)


@login_required
def inquiry_detail(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    inquiry = queries.inquiry_get_for_user(user=request.user, inquiry_id=inquiry_id)
    cards = queries.article_cards(keys=inquiry.article_keys, question=inquiry.text)
    context = {
        "inquiry": inquiry,
        "cards": cards,
        "related": queries.related_for(keys=inquiry.article_keys),
        "urls": {c.key: c.url for c in cards},
    }
    return render(request, "assistant/inquiry.html", context)


@login_required
@require_POST
def inquiry_answer(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    """htmx: ask the model (once) and return the checked answer fragment."""
    inquiry = queries.inquiry_get_for_user(user=request.user, inquiry_id=inquiry_id)
    cards = queries.article_cards(keys=inquiry.article_keys, question=inquiry.text)
    inquiry = services.inquiry_answer(inquiry=inquiry, articles=queries.grounding_articles(cards))
    context = {"inquiry": inquiry, "urls": {c.key: c.url for c in cards}}
    return render(request, "assistant/_answer.html", context)


@login_required
@require_POST
def inquiry_feedback(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    inquiry = queries.inquiry_get_for_user(user=request.user, inquiry_id=inquiry_id)
    inquiry = services.inquiry_feedback(inquiry=inquiry, user=request.user, helpful=request.POST.get("helpful") == "1")
    if request.headers.get("HX-Request"):
        return render(request, "assistant/_feedback.html", {"inquiry": inquiry})
    return redirect("assistant:inquiry-detail", inquiry_id=inquiry.pk)


@login_required
def history(request: HttpRequest) -> HttpResponse:
    return render(request, "assistant/history.html", {"inquiries": queries.inquiries_for_user(user=request.user)})


@page_for(access.can_use_console)
def topics(request: HttpRequest) -> HttpResponse:
    rows, total = queries.topics_for(user=request.user)
    return render(request, "assistant/topics.html", {"rows": rows, "total": total, "min": queries.TOPIC_MIN_QUESTIONS})


def _may_draft(user) -> bool:
    return access.is_instructor(user) or access.is_unit_admin(user) or access.is_system_admin(user)


@page_for(_may_draft)
def drafts(request: HttpRequest) -> HttpResponse:
    """Authors: draft practice questions from articles (or from what a new law version changed) into review."""
    context: dict = {"model_configured": services.endpoint() is not None, "keys": "", "law": ""}
    if request.method == "POST":
        context["keys"], context["law"] = request.POST.get("keys", "")[:2000], request.POST.get("law", "")[:200]
        try:
            keys = context["keys"].split()
            if context["law"].strip():
                keys = services.changed_article_keys(law_short_title=context["law"])
            created = services.drafts_create(
                by=request.user, article_keys=keys, use_model=request.POST.get("use_model") == "1"
            )
        except services.AssistantError as exc:
            context["error"] = str(exc)
            return render(request, "assistant/drafts.html", context, status=400)
        context["created"], context["articles"] = created, keys
    return render(request, "assistant/drafts.html", context)
