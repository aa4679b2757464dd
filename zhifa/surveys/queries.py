"""Reads of the surveys app: results for the evaluation app, the console and the officer's own view."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, QuerySet, Sum

from zhifa.people.models import Officer
from zhifa.surveys.models import Response
from zhifa.surveys.scoring import Satisfaction, satisfaction

__all__ = ["Satisfaction", "counted_between", "satisfaction_by_officer", "unit_means"]


def counted_between(since: datetime | None, until: datetime | None) -> QuerySet[Response]:
    """Counted responses with since ≤ created_at < until (either bound may be None)."""
    qs = Response.objects.filter(status=Response.Status.COUNTED)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs


def unit_means(unit_ids: Iterable[int], *, since: datetime | None, until: datetime | None) -> dict[int, float]:
    """Mean response score per unit (all counted responses naming the unit, its officers' included)."""
    rows = (
        counted_between(since, until)
        .filter(unit_id__in=set(unit_ids))
        .values("unit_id")
        .annotate(n=Count("id"), total=Sum("score"))
    )
    return {r["unit_id"]: r["total"] / r["n"] for r in rows if r["n"]}


def satisfaction_by_officer(
    *, officer_ids: Iterable[int], since: datetime | None, until: datetime | None
) -> dict[int, Satisfaction]:
    """Satisfaction of each officer in [since, until): counted responses only, smoothed towards his unit's mean,
    shown only from 5 responses (scoring.py). Every requested officer gets an entry (count 0 when none).

    For the evaluation app's indicator 群众评价; it does no access check (the caller decides who sees what)."""
    ids = list(dict.fromkeys(officer_ids))
    if not ids:
        return {}
    unit_of = dict(Officer.objects.filter(pk__in=ids).values_list("pk", "unit_id"))
    rows = (
        counted_between(since, until)
        .filter(officer_id__in=ids)
        .values("officer_id")
        .annotate(n=Count("id"), total=Sum("score"))
    )
    per_officer = {r["officer_id"]: (r["n"], r["total"]) for r in rows}
    means = unit_means(unit_of.values(), since=since, until=until)
    result = {}
    for officer_id in ids:
        n, total = per_officer.get(officer_id, (0, 0.0))
        result[officer_id] = satisfaction(count=n, total=total or 0.0, prior_mean=means.get(unit_of.get(officer_id)))
    return result
