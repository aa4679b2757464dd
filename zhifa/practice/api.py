"""Practice API: the session to cache on the phone, and review sync (online or after being offline)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from ninja import Router

from zhifa.people import access
from zhifa.practice import queries, services
from zhifa.practice.presenting import item_payload
from zhifa.practice.schemas import ReviewsIn, ReviewsOut, SessionOut

router = Router(tags=["practice"])


def _officer(request):
    officer = access.officer_of(request.user)
    if officer is None:
        raise Http404  # practice is for officers; other accounts have no cards
    return officer


@router.get("/session", response=SessionOut, url_name="practice-session")
def session(request, mode: str = "daily"):
    officer = _officer(request)
    if mode == "scope":
        items = queries.scope_queue(officer, _scope_from(request.GET))
    else:
        items = queries.daily_queue(officer)
    keys = queries.citations_by_question(items)
    return {
        "mode": mode,
        "generated_at": timezone.now(),
        "items": [item_payload(q, keys[q.pk]) for q in items],
    }


def _scope_from(params) -> queries.Scope:
    def number(name):
        value = params.get(name, "")
        return int(value) if value.isdigit() else None

    return queries.Scope(
        law=params.get("law", "")[:100],
        article_from=number("from"),
        article_to=number("to"),
        knowledge_point=number("kp"),
        domain=number("domain"),
        wrong_only=params.get("wrong") == "1",
    )


@router.post("/reviews", response=ReviewsOut, url_name="practice-reviews")
def reviews(request, payload: ReviewsIn):
    officer = _officer(request)  # Http404 before anything is written
    results, batch = [], []
    in_scope = queries.questions_in_scope(officer, [review.question_id for review in payload.reviews])
    for review in payload.reviews:
        question = in_scope.get(review.question_id)
        if question is None:
            results.append(
                {
                    "client_id": review.client_id,
                    "ok": False,
                    "error": f"试题 {review.question_id} 不在您的练习范围内，已忽略。",
                }
            )
            continue
        batch.append(
            services.ReviewIn(question, review.response, review.response_ms, review.client_id, review.reviewed_at)
        )
    results += services.reviews_sync(officer=officer, reviews=batch, sent_at=payload.sent_at)
    return {"results": results}
