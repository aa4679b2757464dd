"""Who may open each page of the assistant (walked by zhifa/common/tests/test_access_matrix.py).

Every logged-in user may ask; an inquiry (its page, its answer, its feedback) belongs to its asker alone — anyone
else, administrators included, gets 404. The topics page (aggregate counts, never who asked) is for the console.
"""

from __future__ import annotations

from zhifa.common.access_matrix import PERSONAS, Case, console, logged_in, only


def _inquiry(world):
    from zhifa.assistant.models import Inquiry

    inquiry = world.extra.get("assistant_inquiry")
    if inquiry is None:
        inquiry = Inquiry.objects.create(user=world.officer.user, text="当事人要求听证，几天内提出？")
        world.extra["assistant_inquiry"] = inquiry
    return {"inquiry_id": inquiry.pk}


CASES = {
    "assistant:home": logged_in(),
    "assistant:ask": logged_in(405),
    "assistant:history": logged_in(),
    "assistant:topics": console(),
    "assistant:drafts": only({"unit_admin": 200, "instructor": 200, "sysadmin": 200}),
    "assistant:inquiry-detail": only({"officer": 200}, kwargs=_inquiry),
    "assistant:inquiry-answer": only({"officer": 200}, kwargs=_inquiry, method="post", data={}),
    "assistant:inquiry-feedback": only({"officer": 302}, kwargs=_inquiry, method="post", data={"helpful": "0"}),
    # JSON API (401 for the anonymous counts as "sent to log in"); ask only by POST
    "api:assistant-ask": Case(expect=dict.fromkeys(PERSONAS, 405)),
    "api:assistant-answer": only(
        {"officer": 200}, anonymous=401, kwargs=_inquiry, method="post", data={}, content_type="application/json"
    ),
    "api:assistant-history": logged_in(anonymous=401),
}
