"""Responses made directly (bypassing the page) for results tests."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from zhifa.people.models import Officer, Unit
from zhifa.surveys.models import Channel, Response


def response(
    *,
    officer: Officer | None = None,
    unit: Unit | None = None,
    ratings: tuple[int, int, int, int] = (5, 5, 5, 5),
    at: datetime | None = None,
    status: str = Response.Status.COUNTED,
    comment: str = "",
    comment_status: str = Response.CommentStatus.NONE,
) -> Response:
    unit = unit or (officer.unit if officer else None)
    assert unit is not None
    return Response.objects.create(
        officer=officer,
        unit=unit,
        channel=Channel.POSTER,
        civility=ratings[0],
        integrity=ratings[1],
        efficiency=ratings[2],
        attitude=ratings[3],
        score=sum(ratings) / 4,
        comment=comment,
        comment_status=comment_status if comment else Response.CommentStatus.NONE,
        status=status,
        created_at=at or timezone.now(),
    )


def many(officer: Officer, count: int, ratings=(5, 5, 5, 5), **kw) -> list[Response]:
    return [response(officer=officer, ratings=ratings, **kw) for _ in range(count)]
