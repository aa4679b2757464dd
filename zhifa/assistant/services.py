"""Writes of the assistant: ask (search and record), answer (the configured model, checked), feedback."""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhifa.assistant import grounding, llm
from zhifa.assistant.models import Inquiry
from zhifa.laws.search.queries import SearchRequest, search_articles
from zhifa.people import access

MAX_QUESTION_CHARS = 300
MIN_QUESTION_CHARS = 2
ARTICLES_SHOWN = 5


class AssistantError(ValueError):
    """A question the assistant cannot take; the message (Chinese) says what to change."""


def endpoint() -> llm.Endpoint | None:
    """The configured model endpoint, or None (articles-only answers)."""
    if not settings.LLM_URL:
        return None
    return llm.Endpoint(
        url=settings.LLM_URL, model=settings.LLM_MODEL, key=settings.LLM_KEY, timeout=settings.LLM_TIMEOUT_SECONDS
    )


def clean_question(text: str) -> str:
    """The question as it will be searched; raises AssistantError for an empty or too long one."""
    text = " ".join((text or "").split())
    if len(text) < MIN_QUESTION_CHARS:
        raise AssistantError("问题：请用一句话写下要问的事，例如“当事人要求听证，几天内提出？”")
    if len(text) > MAX_QUESTION_CHARS:
        raise AssistantError(
            f"问题：最多 {MAX_QUESTION_CHARS} 字（现为 {len(text)} 字）。请只写要问的事，案情细节可以省略。"
        )
    return text


@transaction.atomic
def inquiry_ask(*, user, text: str) -> Inquiry:
    """Search the library for the question and record it (for the asker's history); raises AssistantError."""
    text = clean_question(text)
    results = search_articles(request=SearchRequest(q=text, limit=ARTICLES_SHOWN), user=user)
    laws = Counter(r.law for r in results[:3])
    officer = access.officer_of(user)
    status = Inquiry.AnswerStatus.PENDING if endpoint() and results else Inquiry.AnswerStatus.ARTICLES
    return Inquiry.objects.create(
        user=user,
        unit=officer.unit if officer else None,
        text=text,
        article_keys=[r.key for r in results],
        top_law=laws.most_common(1)[0][0] if laws else "",
        answer_status=status,
    )


def inquiry_answer(*, inquiry: Inquiry, articles: list[grounding.Article]) -> Inquiry:
    """Ask the configured model for a short answer from these (the inquiry's) articles and keep only what passes
    grounding.check_reply. Idempotent: an inquiry already answered (or refused) is returned as it is."""
    if inquiry.answer_status != Inquiry.AnswerStatus.PENDING:
        return inquiry
    target = endpoint()
    if target is None or not articles:
        inquiry.answer_status = Inquiry.AnswerStatus.ARTICLES
    else:
        try:
            reply = llm.chat(target, grounding.build_messages(inquiry.text, articles))
        except llm.LLMError as exc:
            inquiry.answer_status, inquiry.answer_note = Inquiry.AnswerStatus.FAILED, str(exc)[:200]
        else:
            verdict = grounding.check_reply(reply, articles)
            if verdict.ok:
                inquiry.answer_status = Inquiry.AnswerStatus.ANSWERED
                inquiry.answer = [{"text": s.text, "keys": list(s.keys)} for s in verdict.sentences]
                inquiry.answer_note = f"已删去 {verdict.removed} 句未注明条文的话。" if verdict.removed else ""
            else:
                inquiry.answer_status, inquiry.answer_note = Inquiry.AnswerStatus.REFUSED, verdict.reason[:200]
    Inquiry.objects.filter(pk=inquiry.pk, answer_status=Inquiry.AnswerStatus.PENDING).update(
        answer_status=inquiry.answer_status, answer=inquiry.answer, answer_note=inquiry.answer_note
    )
    inquiry.refresh_from_db()
    return inquiry


@transaction.atomic
def inquiry_feedback(*, inquiry: Inquiry, user, helpful: bool) -> Inquiry:
    """The asker says whether the answer helped (kept for the next training run); only his own inquiries."""
    if inquiry.user_id != user.pk:
        raise AssistantError("只能对自己的提问作出反馈。")
    inquiry.helpful = helpful
    inquiry.feedback_at = timezone.now()
    inquiry.save(update_fields=["helpful", "feedback_at"])
    return inquiry
