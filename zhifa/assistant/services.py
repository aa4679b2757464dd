"""Writes of the assistant: ask (search and record), answer (the configured model, checked), feedback."""

from __future__ import annotations

import contextlib
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhifa.assistant import grounding, llm
from zhifa.assistant.models import Inquiry
from zhifa.laws.search.queries import SearchRequest, SearchUnavailable, search_articles
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
    try:
        results = search_articles(request=SearchRequest(q=text, limit=ARTICLES_SHOWN), user=user)
    except SearchUnavailable as exc:  # nothing recorded: the question is asked again once the index is back
        raise AssistantError(str(exc)) from exc
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


# Drafting help for authors: practice questions from an article, or from what a new law version changed.

DRAFT_SOURCE = "generated"  # the generated-questions review queue of the practice app
MAX_DRAFT_ARTICLES = 20


def _article_texts(keys: list[str]) -> list[tuple[str, str]]:
    from zhifa.laws.models import Provision
    from zhifa.laws.services import UnknownArticle, article_key_normalize

    found = []
    for raw in keys:
        try:
            key = article_key_normalize(raw)
        except UnknownArticle as exc:
            raise AssistantError(f"条文键“{raw}”：{exc}。请写成“法规简称#第X条”，如 行政处罚法#第六十三条。")
        p = Provision.objects.filter(key=key, kind=Provision.Kind.ARTICLE, version__is_current=True).first()
        if p is None:
            raise AssistantError(f"条文键“{raw}”：法规库中没有这一条，请核对法规简称和条号。")
        found.append((key, p.text))
    return found


@transaction.atomic
def drafts_create(*, by, article_keys: list[str], use_model: bool = False) -> int:
    """Draft practice questions from these articles into the review queue (cloze and true/false by
    practice.generation, single-choice from the text, and with a configured model its single-choice drafts that
    pass drafting.drafts_from_model_reply); returns how many are new. Raises AssistantError, nothing saved."""
    from zhifa.assistant import drafting
    from zhifa.practice.services import generated_items_create
    from zhifa.questions.models import Question
    from zhifa.questions.services import question_create

    keys = [k.strip() for k in article_keys if k.strip()]
    if not keys:
        raise AssistantError("条文：请至少写一个条文键，如 行政处罚法#第六十三条。")
    if len(keys) > MAX_DRAFT_ARTICLES:
        raise AssistantError(f"条文：一次最多 {MAX_DRAFT_ARTICLES} 条（现为 {len(keys)} 条）。")
    articles = _article_texts(keys)
    created = generated_items_create(articles=articles, by=by, per_article=2)
    target = endpoint() if use_model else None
    for key, text in articles:
        drafts = drafting.single_choice_from_article(key, text)
        if target is not None:
            with contextlib.suppress(llm.LLMError):  # the drafts from the text itself still land
                drafts += drafting.drafts_from_model_reply(
                    llm.chat(target, drafting.model_messages(key, text)), key, text
                )
        for draft in drafts:
            external_id = f"gen:{draft.fingerprint}"
            if Question.objects.filter(external_id=external_id).exists():
                continue
            question_create(
                by=by,
                status=Question.Status.REVIEW,
                pending_citations=True,
                kind=Question.Kind.SINGLE,
                stem=draft.stem,
                options=draft.options,
                answer=[draft.answer],
                explanation=draft.explanation,
                difficulty=2,
                article_keys=[key],
                source=DRAFT_SOURCE,
                external_id=external_id,
            )
            created += 1
    return created


def changed_article_keys(*, law_short_title: str) -> list[str]:
    """Keys of the articles the current version of a law added or changed against the version before it; raises
    AssistantError when the law is unknown or has only one version."""
    from zhifa.laws import diff
    from zhifa.laws.models import Law
    from zhifa.laws.queries import version_articles

    law = Law.objects.filter(short_title=law_short_title.strip()).first()
    if law is None:
        raise AssistantError(f"法规：法规库中没有“{law_short_title}”，请写法规简称，如 行政处罚法。")
    versions = list(law.versions.order_by("-version_date")[:2])
    if len(versions) < 2:
        raise AssistantError(f"法规：“{law.short_title}”只有一个版本，没有可比较的修改。")
    changes = diff.compare_articles(version_articles(version=versions[1]), version_articles(version=versions[0]))
    return [
        f"{law.short_title}#{c.new.label}"
        for c in changes
        if c.new is not None and (c.kind == diff.ADDED or c.text_changed)
    ][:MAX_DRAFT_ARTICLES]
