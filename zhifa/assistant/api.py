"""The assistant's JSON API (/api/v1/assistant/): ask, the checked answer, one's own history."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status

from zhifa.assistant import queries, services
from zhifa.assistant.models import Inquiry

router = Router(tags=["assistant"])


class ArticleOut(Schema):
    key: str
    law: str
    label: str
    passage: str  # HTML: matches in <mark>, the rest escaped
    url: str
    status: str
    status_label: str
    version_date: dt.date


class SentenceOut(Schema):
    text: str
    keys: list[str]


class InquiryOut(Schema):
    id: int
    question: str
    articles: list[ArticleOut]
    answer_status: str
    answer: list[SentenceOut]
    answer_note: str


class AskIn(Schema):
    question: str


class ErrorOut(Schema):
    code: str
    message: str


class HistoryItem(Schema):
    id: int
    question: str
    created_at: dt.datetime


def _out(inquiry: Inquiry, cards) -> dict:
    return {
        "id": inquiry.pk,
        "question": inquiry.text,
        "articles": [c.__dict__ for c in cards],
        "answer_status": inquiry.answer_status,
        "answer": inquiry.answer,
        "answer_note": inquiry.answer_note,
    }


@router.post("/ask", response={200: InquiryOut, 400: ErrorOut}, url_name="assistant-ask")
def ask(request, payload: AskIn):
    """Search the library for a plain-language question; answer_status "pending" means POST …/answer next."""
    try:
        inquiry = services.inquiry_ask(user=request.user, text=payload.question)
    except services.AssistantError as exc:
        return Status(400, {"code": "bad_question", "message": str(exc)})
    return Status(200, _out(inquiry, queries.article_cards(keys=inquiry.article_keys, question=inquiry.text)))


@router.post("/{inquiry_id}/answer", response={200: InquiryOut}, url_name="assistant-answer")
def answer(request, inquiry_id: int):
    """The model's answer, checked (only sentences citing the retrieved articles), or why there is none."""
    inquiry = queries.inquiry_get_for_user(user=request.user, inquiry_id=inquiry_id)
    cards = queries.article_cards(keys=inquiry.article_keys, question=inquiry.text)
    inquiry = services.inquiry_answer(inquiry=inquiry, articles=queries.grounding_articles(cards))
    return Status(200, _out(inquiry, cards))


@router.get("/history", response={200: list[HistoryItem]}, url_name="assistant-history")
def history(request):
    """The caller's own questions, newest first."""
    return Status(
        200,
        [
            {"id": i.pk, "question": i.text, "created_at": i.created_at}
            for i in queries.inquiries_for_user(user=request.user)
        ],
    )
