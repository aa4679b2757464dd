"""API schemas of practice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from zhifa.common.ids import RowId


class OptionOut(Schema):
    label: str
    text: str


class PracticeItemOut(Schema):
    id: int
    kind: str
    kind_label: str
    stem: str
    options: list[OptionOut]
    # Practice gives immediate feedback, also offline, so the key travels with the item. Exams never do this.
    answer: Any
    explanation: str
    articles: list[dict]


class SessionOut(Schema):
    mode: str
    generated_at: datetime
    items: list[PracticeItemOut]


class ReviewIn(Schema):
    client_id: str = Field(min_length=1, max_length=64)
    question_id: RowId
    response: Any = None
    response_ms: int | None = Field(default=None, ge=0, le=24 * 3600 * 1000)
    reviewed_at: datetime | None = None


class ReviewsIn(Schema):
    reviews: list[ReviewIn] = Field(max_length=500)
    # The phone's clock when it sent the batch: the server corrects the batch's times by the phone's clock error.
    sent_at: datetime | None = None


class ReviewResultOut(Schema):
    client_id: str
    ok: bool
    correct: bool | None = None
    duplicate: bool | None = None
    applied: bool | None = None
    error: str | None = None


class ReviewsOut(Schema):
    results: list[ReviewResultOut]
