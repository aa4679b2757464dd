"""Pydantic shapes at the API edge (django-ninja)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from zhifa.common.ids import RowId

MAX_ANSWERS_PER_SAVE = 500


class ErrorOut(Schema):
    code: str
    message: str


class StartOut(Schema):
    attempt_id: int
    device_token: str
    deadline: datetime
    resumed: bool


class ClaimIn(Schema):
    device_token: str = Field(default="", max_length=64)


class ClaimOut(Schema):
    device_token: str
    taken_over: bool


class OptionOut(Schema):
    key: str
    text: str


class QuestionOut(Schema):
    number: int
    question: int
    kind: str
    kind_label: str
    stem: str
    points: str
    section: int
    options: list[OptionOut]
    blanks: int
    case: int | None = None  # a sub-question of this case-analysis question
    case_stem: str = ""
    sub: int = 0  # its place in the case, from 1
    response: Any = None
    flagged: bool = False


class PaperOut(Schema):
    attempt_id: int
    exam_title: str
    status: str
    deadline: datetime
    server_now: datetime
    last_seq: int
    questions: list[QuestionOut]


class AnswerIn(Schema):
    question: RowId
    response: Any = None
    flagged: bool = False


class SaveIn(Schema):
    seq: int
    answers: list[AnswerIn] = Field(max_length=MAX_ANSWERS_PER_SAVE)


class SaveOut(Schema):
    saved: int
    seq: int
    replay: bool


class SubmitOut(Schema):
    status: str
    result_url: str


class EventIn(Schema):
    kind: str = Field(max_length=20)
    detail: dict[str, Any] = Field(default_factory=dict)
