"""Reads of the surveys app: results for the evaluation app, the console and the officer's own view."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from zhifa.people import access
from zhifa.people.models import Officer, Unit, User
from zhifa.surveys.models import DIMENSIONS, ActBatch, ActLink, AnomalyFlag, Channel, Response
from zhifa.surveys.scoring import MIN_SHOWN, Satisfaction, satisfaction
from zhifa.surveys.services import Subject
from zhifa.surveys.themes import keyword_counts
from zhifa.surveys.tokens import Stamp, Target, TokenError, token_read

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
        .filter(unit_id__in_array=set(unit_ids))
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
    # __in_array: the nightly rollups ask about every officer of the province (one array, not 98,000 parameters)
    unit_of = dict(Officer.objects.filter(pk__in_array=ids).values_list("pk", "unit_id"))
    rows = (
        counted_between(since, until)
        .filter(officer_id__in_array=ids)
        .values("officer_id")
        .annotate(n=Count("id"), total=Sum("score"))
    )
    per_officer = {r["officer_id"]: (r["n"], r["total"]) for r in rows}
    means = unit_means(unit_of.values(), since=since, until=until)
    result = {}
    for officer_id in ids:
        n, total = per_officer.get(officer_id, (0, 0.0))
        unit_id = unit_of.get(officer_id)
        prior = means.get(unit_id) if unit_id is not None else None
        result[officer_id] = satisfaction(count=n, total=total or 0.0, prior_mean=prior)
    return result


# ---- the public page --------------------------------------------------------------------------------------------


_SUBJECTS: dict[tuple[str, int], tuple[float, Subject]] = {}
SUBJECT_CACHE_SECONDS = 60


def subject_for_token(token: str, *, stamp: Stamp | None = None) -> Subject:
    """What the token rates; TokenError (Chinese message) when it is bad, expired, used, or its target is gone.

    With the form's stamp of a poster or open link (a POST): what the page showed, read by the GET that served it,
    without reading it again — ids only (`Subject.named` is False). Otherwise poster and open-link subjects are kept a
    minute in this process (the page's hottest read); act links are always read (used once)."""
    target = token_read(token)
    if target.kind == "a":
        return _act_subject(target.id)
    if stamp is not None:
        subject = _stamped_subject(target, stamp.shown)
        if subject is not None:
            return subject
    cached = _SUBJECTS.get((target.kind, target.id))
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    subject = _poster_subject(target.kind, target.id)
    if len(_SUBJECTS) > 20_000:
        _SUBJECTS.clear()
    _SUBJECTS[(target.kind, target.id)] = (time.monotonic() + SUBJECT_CACHE_SECONDS, subject)
    return subject


def subject_shown(subject: Subject) -> str:
    """What a page about this subject puts in its form stamp: kind, id and unit id ("o.12.3")."""
    target_id = subject.officer.pk if subject.officer is not None else subject.unit.pk
    return f"{subject.kind}.{target_id}.{subject.unit.pk}"


def _stamped_subject(target: Target, shown: str) -> Subject | None:
    kind, _, rest = shown.partition(".")
    target_id, _, unit_id = rest.partition(".")
    if kind != target.kind or target_id != str(target.id) or not unit_id.isdigit():
        return None  # a stamp of another page (or an old one without contents): read the subject instead
    unit = Unit(pk=int(unit_id))
    if kind == "o":
        return Subject(kind="o", unit=unit, officer=Officer(pk=target.id, unit=unit), channel=Channel.POSTER)
    return Subject(kind=kind, unit=unit, channel=Channel.POSTER if kind == "u" else Channel.OPEN)


_OFFICER_FIELDS = ("name", "certificate_number", "employment", "unit_id", "unit__name", "unit__path")


def _poster_subject(kind: str, target_id: int) -> Subject:
    # Only the fields the page and the intake use, as values: a full select_related row costs a quarter of a POST.
    if kind == "o":
        row = Officer.objects.filter(pk=target_id).order_by().values_list(*_OFFICER_FIELDS).first()
        if row is None or row[2] in (Officer.Employment.LEFT, Officer.Employment.RETIRED):
            raise TokenError("该执法人员已不在岗，此二维码不再接受评价。")
        unit = Unit(pk=row[3], name=row[4], path=row[5])
        officer = Officer(pk=target_id, name=row[0], certificate_number=row[1], employment=row[2], unit=unit)
        return Subject(kind="o", unit=unit, officer=officer, channel=Channel.POSTER)
    unit_row = Unit.objects.filter(pk=target_id).order_by().values_list("name", "path").first()
    if unit_row is None:
        raise TokenError("评价链接无效：该单位不存在。")
    unit = Unit(pk=target_id, name=unit_row[0], path=unit_row[1])
    return Subject(kind=kind, unit=unit, channel=Channel.POSTER if kind == "u" else Channel.OPEN)


def _act_subject(link_id: int) -> Subject:
    link = ActLink.objects.select_related("unit", "officer__unit").filter(pk=link_id).order_by().first()
    if link is None:
        raise TokenError("评价链接无效：二维码或链接不完整、已被改动。请重新扫描原二维码。")
    if link.used_at is not None:
        raise TokenError("该评价链接已经使用过，每个链接只能评价一次。感谢您的参与。")
    if link.expires_at <= timezone.now():
        raise TokenError("评价链接已过期：执法行为的评价链接自发放起 30 天内有效。")
    return Subject(kind="a", unit=link.unit, officer=link.officer, channel=Channel.ACT, act_link=link)


def act_link_by_short_code(code: str) -> ActLink | None:
    return ActLink.objects.filter(short_code=code.strip().upper()).first()


# ---- the console ------------------------------------------------------------------------------------------------


def units_for_console(user: User) -> QuerySet[Unit]:
    return access.units_viewable_by(user).order_by("path")


def officer_for_manager(*, officer_id: int, user: User) -> Officer:
    officer = get_object_or_404(Officer.objects.select_related("unit"), pk=officer_id)
    if not access.can_view_unit(user, officer.unit):
        raise Http404
    return officer


def response_for_manager(*, response_id: int, user: User) -> Response:
    response = get_object_or_404(Response.objects.select_related("unit", "officer"), pk=response_id)
    if not access.can_view_unit(user, response.unit):
        raise Http404
    return response


def flag_for_manager(*, flag_id: int, user: User) -> AnomalyFlag:
    flag = get_object_or_404(AnomalyFlag.objects.select_related("unit"), pk=flag_id)
    if not access.can_view_unit(user, flag.unit):
        raise Http404
    return flag


def batch_for_manager(*, batch_id: int, user: User) -> ActBatch:
    batch = get_object_or_404(ActBatch.objects.select_related("unit"), pk=batch_id)
    if not access.can_view_unit(user, batch.unit):
        raise Http404
    return batch


def _in_units(qs: QuerySet, user: User, field: str = "unit__path") -> QuerySet:
    paths = access.viewable_unit_paths(user)
    if paths is None:
        return qs
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return qs.filter(q)


def moderation_queue(user: User) -> dict:
    """Pending comments, held responses and open anomaly flags in the units the user sees."""
    responses = Response.objects.select_related("unit", "officer")
    return {
        "pending": list(_in_units(responses.filter(comment_status=Response.CommentStatus.PENDING), user)[:200]),
        "held": list(_in_units(responses.filter(status=Response.Status.HELD), user)[:200]),
        "flags": list(
            _in_units(AnomalyFlag.objects.select_related("unit", "officer"), user).filter(resolved_at__isnull=True)
        ),
    }


def batches_for(unit: Unit) -> QuerySet[ActBatch]:
    return ActBatch.objects.filter(unit=unit).annotate(
        n=Count("links"), used=Count("links", filter=Q(links__used_at__isnull=False))
    )


def _months_back(today: date, months: int) -> datetime:
    year, month = today.year, today.month - months + 1
    while month <= 0:
        year, month = year - 1, month + 12
    return timezone.make_aware(datetime(year, month, 1))


def monthly_trend(qs: QuerySet[Response], *, months: int = 12) -> list[dict]:
    """Counted responses per month for the last `months` months: month, count, mean score (None when none)."""
    since = _months_back(timezone.localdate(), months)
    rows = (
        qs.filter(status=Response.Status.COUNTED, created_at__gte=since)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"), mean=Avg("score"))
    )
    by_month = {(r["month"].year, r["month"].month): r for r in rows}
    result = []
    cursor = since.date()
    for _ in range(months):
        row = by_month.get((cursor.year, cursor.month))
        result.append(
            {"month": f"{cursor.year}-{cursor.month:02d}", "count": row["n"] if row else 0, "mean": row and row["mean"]}
        )
        cursor = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
    return result


def unit_report(unit: Unit, *, since: datetime | None = None, until: datetime | None = None) -> dict:
    """A unit subtree's results: counts, dimension means, distribution, officers ranked, trend, comment themes."""
    scope = Response.objects.filter(unit__path__startswith=unit.path)
    counted = scope.filter(status=Response.Status.COUNTED)
    if since:
        counted = counted.filter(created_at__gte=since)
    if until:
        counted = counted.filter(created_at__lt=until)
    totals = counted.aggregate(n=Count("id"), mean=Avg("score"), **{name: Avg(name) for name, _ in DIMENSIONS})
    distribution = []
    for name, label in DIMENSIONS:
        counts = dict(counted.values_list(name).annotate(n=Count("id")).values_list(name, "n"))
        distribution.append(
            {"label": label, "mean": totals[name], "counts": [counts.get(v, 0) for v in range(5, 0, -1)]}
        )
    officer_ids = list(Officer.objects.filter(unit__path__startswith=unit.path).values_list("pk", flat=True))
    results = satisfaction_by_officer(officer_ids=officer_ids, since=since, until=until)
    names = dict(Officer.objects.filter(pk__in_array=officer_ids).values_list("pk", "name"))
    shown = sorted(((s.smoothed or 0.0, names[pk], pk, s) for pk, s in results.items() if s.shown))
    ranked = [{"officer_id": pk, "name": name, "s": s} for _, name, pk, s in shown]
    comments = counted.exclude(comment="").exclude(comment_status=Response.CommentStatus.HIDDEN)
    return {
        "count": totals["n"],
        "mean": totals["mean"],
        "held": scope.filter(status=Response.Status.HELD).count(),
        "distribution": distribution,
        "lowest": ranked[:10],
        "highest": ranked[::-1][:10],
        "hidden_officers": sum(1 for s in results.values() if 0 < s.count < MIN_SHOWN),
        "trend": monthly_trend(scope),
        "themes": keyword_counts(comments.values_list("comment", flat=True)[:5000]),
        "approved": list(
            comments.filter(comment_status=Response.CommentStatus.APPROVED).select_related("officer", "unit")[:20]
        ),
        "officers": results,
        "names": names,
    }


def officer_own_results(officer: Officer) -> dict:
    """What an officer sees of himself: his Satisfaction (all time and last 12 months), trend, approved comments."""
    now = timezone.now()
    year_ago = now - timedelta(days=365)
    both = satisfaction_by_officer(officer_ids=[officer.pk], since=None, until=None)[officer.pk]
    recent = satisfaction_by_officer(officer_ids=[officer.pk], since=year_ago, until=None)[officer.pk]
    mine = Response.objects.filter(officer=officer)
    return {
        "all_time": both,
        "recent": recent,
        "trend": monthly_trend(mine),
        "comments": list(
            mine.filter(status=Response.Status.COUNTED, comment_status=Response.CommentStatus.APPROVED)[:50]
        ),
        "min_shown": MIN_SHOWN,
    }
