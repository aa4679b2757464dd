"""Reads of the learning record and the hours ledger for a user; every one goes through people.access.

Objects the user may not see raise Http404 (never 403: do not confirm that they exist).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import reduce

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from zhifa.people import access
from zhifa.people.models import Officer, Unit
from zhifa.records import compliance, ledger
from zhifa.records import ring as ring_svg
from zhifa.records.ledger import CATEGORIES, CATEGORY_LABELS, RequirementRow
from zhifa.records.models import HoursEntry, HoursRequirement, HoursYearly, Statement

OFFICERS_PAGE_SIZE = 50


# --- requirements -------------------------------------------------------------------------------------------------


def requirement_rows(year: int) -> list[RequirementRow]:
    """Every configured requirement up to `year` (a small table), ready for ledger.effective_requirement."""
    rows = HoursRequirement.objects.filter(year__lte=year).select_related("unit").order_by("year")
    return [
        RequirementRow(
            year=r.year,
            category=r.category,
            hours=r.hours,
            province=r.province,
            unit_path=r.unit.path if r.unit is not None else "",
        )
        for r in rows
    ]


def requirement_for(*, unit: Unit, year: int, rows: list[RequirementRow] | None = None) -> dict[str, Decimal]:
    rows = requirement_rows(year) if rows is None else rows
    return ledger.effective_requirement(rows, year=year, unit_path=unit.path, province=unit.province)


def requirements_visible_to(user) -> QuerySet[HoursRequirement]:
    """Configured requirements the user may read: national and province rows, and units he can view."""
    if not access.can_use_console(user):
        raise Http404
    rows = HoursRequirement.objects.select_related("unit").order_by("-year", "province", "unit__path", "category")
    paths = access.viewable_unit_paths(user)
    if paths is None:
        return rows
    return rows.filter(unit__in=access.units_viewable_by(user)) | rows.filter(unit__isnull=True)


# --- one officer --------------------------------------------------------------------------------------------------


@dataclass
class CategoryLine:
    category: str
    label: str
    earned: Decimal
    required: Decimal
    pending: Decimal

    @property
    def percent(self) -> int:
        if self.required <= 0:
            return 100
        return min(100, int(100 * self.earned / self.required))


@dataclass
class HoursSummary:
    officer: Officer
    year: int
    lines: list[CategoryLine] = field(default_factory=list)
    status: str = ledger.BEHIND

    @property
    def earned(self) -> Decimal:
        return sum((line.earned for line in self.lines), Decimal("0"))

    @property
    def required(self) -> Decimal:
        return sum((line.required for line in self.lines), Decimal("0"))

    @property
    def status_label(self) -> str:
        return ledger.STATUS_LABELS[self.status]

    def ring(self) -> list[ring_svg.Segment]:
        """The ring chart's SVG segments: earned and still missing hours per category."""
        return ring_svg.ring_segments(
            [
                (line.category, line.label, float(line.earned), float(max(line.required - line.earned, Decimal("0"))))
                for line in self.lines
            ]
        )


def hours_summary_for(officer: Officer, year: int, *, today: date | None = None) -> HoursSummary:
    """This year's approved and pending hours of an officer against the requirement, by category (4 queries).

    Not access-checked: the caller passes an officer it already may see (himself, or one from a checked query).
    """
    if not Officer.unit.is_cached(officer):
        officer.unit = Unit.objects.get(pk=officer.unit_id)  # pages show the unit's name too: load it once
    unit = officer.unit
    required = requirement_for(unit=unit, year=year)
    totals = HoursYearly.objects.filter(officer=officer, year=year).values(*CATEGORIES).first() or {}
    earned = {c: totals.get(c) for c in CATEGORIES}
    pending = dict(
        HoursEntry.objects.filter(officer=officer, year=year, status=HoursEntry.Status.PENDING)
        .values("category")
        .annotate(total=Sum("hours"))
        .values_list("category", "total")
    )
    lines = [
        CategoryLine(
            category=c,
            label=CATEGORY_LABELS[c],
            earned=Decimal(earned.get(c) or 0),
            required=required[c],
            pending=Decimal(pending.get(c) or 0),
        )
        for c in CATEGORIES
    ]
    share = ledger.elapsed_share(year, today or timezone.localdate())
    status = ledger.classify({x.category: x.earned for x in lines}, required, share)
    return HoursSummary(officer=officer, year=year, lines=lines, status=status)


def officer_of_user(user) -> Officer:
    """The user's own officer profile; Http404 for accounts without one (instructors, evaluators…)."""
    officer = access.officer_of(user)
    if officer is None:
        raise Http404
    return officer


def officer_for_user(*, user, officer_id: int) -> Officer:
    officer = Officer.objects.select_related("unit").filter(pk=officer_id).first()
    if officer is None or not access.can_view_officer(user, officer):
        raise Http404
    return officer


def hours_entries_for(officer: Officer, year: int) -> QuerySet[HoursEntry]:
    """The officer's ledger for a year, without 待公布 entries: hours for an exam whose results are not yet out
    would tell him he passed."""
    rows = HoursEntry.objects.filter(officer=officer, year=year).exclude(status=HoursEntry.Status.SCHEDULED)
    # A withdrawn one too, until then: its reason names the regraded score.
    return rows.exclude(release_at__gt=timezone.now()).select_related("approved_by")


def statements_for(officer: Officer, *, year: int | None = None) -> QuerySet[Statement]:
    rows = Statement.objects.filter(officer=officer)
    return rows.filter(timestamp__year=year) if year else rows


def statement_release_at(statement: Statement):
    """When the statement's outcome may be shown: its context's `release_at` (an exam's results release), or None."""
    raw = (statement.context or {}).get("release_at") if isinstance(statement.context, dict) else None
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        return None
    return when if timezone.is_aware(when) else timezone.make_aware(when)


def statements_shown(officer: Officer, *, year: int | None = None, limit: int = 100) -> list[Statement]:
    """The officer's statements for a page: one whose outcome is not yet released is marked `withheld`
    (the page then shows 已交卷 and the release time, never the pass/fail or the score)."""
    now = timezone.now()
    rows = list(statements_for(officer, year=year)[:limit])
    for row in rows:
        release_at = statement_release_at(row)
        row.withheld = release_at is not None and now < release_at  # type: ignore[attr-defined]
        row.release_at = release_at  # type: ignore[attr-defined]
    return rows


def statements_released(officer: Officer) -> list[Statement]:
    """The officer's statements whose outcome is released (for exports), oldest first."""
    now = timezone.now()
    rows = statements_for(officer).order_by("timestamp", "pk")
    return [row for row in rows if (when := statement_release_at(row)) is None or when <= now]


def years_of(officer: Officer, current: int) -> list[int]:
    years = set(HoursEntry.objects.filter(officer=officer).order_by().values_list("year", flat=True).distinct())
    return sorted(years | {current}, reverse=True)


def entry_for_user(*, user, entry_id: int) -> HoursEntry:
    """An hours entry (e.g. for its evidence file) if the user may see its officer; Http404 otherwise."""
    entry = HoursEntry.objects.select_related("officer__unit").filter(pk=entry_id).first()
    if entry is None or not access.can_view_officer(user, entry.officer):
        raise Http404
    return entry


# --- review queue -------------------------------------------------------------------------------------------------


def pending_entries_for(user) -> QuerySet[HoursEntry]:
    """Manual entries waiting for review that the user may decide (his subtrees, never his own)."""
    if not access.can_use_console(user):
        raise Http404
    paths = access.managed_unit_paths(user)
    rows = HoursEntry.objects.filter(status=HoursEntry.Status.PENDING).select_related("officer__unit")
    if paths is not None:
        rows = rows.filter(officer__unit__in=access.units_managed_by(user))
    me = access.officer_of(user)
    if me is not None:
        rows = rows.exclude(officer=me)
    return rows.order_by("created_at", "pk")


def entry_for_review(*, user, entry_id: int) -> HoursEntry:
    entry = pending_entries_for(user).filter(pk=entry_id).first()
    if entry is None:
        raise Http404
    return entry


# --- compliance ---------------------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    unit: Unit
    figures: compliance.BucketFigures
    own_only: bool  # True: the unit's own officers ("本级"), False: the whole subtree


@dataclass
class ComplianceReport:
    unit: Unit | None
    year: int
    share: Decimal
    rows: list[ReportRow]

    @property
    def total(self) -> compliance.BucketFigures:
        total = compliance.BucketFigures(bucket=0)
        for row in self.rows:
            f = row.figures
            total.officers += f.officers
            total.done += f.done
            total.on_track += f.on_track
            total.behind += f.behind
            total.hours += f.hours
        return total


def _report_scope(user, unit_id: int | None) -> tuple[Unit | None, list[Unit], list[str] | None]:
    """The unit opened (None: the user's several top units), the bucket units, and path prefixes (None: everything);
    Http404 as access.console_unit."""
    roots: list[Unit] = []
    if unit_id is None and access.can_use_console(user):
        roots = list(access.top_units(user))
        if len(roots) > 1:
            return None, roots, None if access.viewable_unit_paths(user) is None else [r.path for r in roots]
    return _scope_of(access.console_unit(user, unit_id, default=roots[0] if roots else None))


def _scope_of(unit: Unit) -> tuple[Unit, list[Unit], list[str]]:
    return unit, [unit, *unit.children.order_by("path")], [unit.path]


def _unit_requirements(scope_unit: Unit | None, buckets: list[Unit], year: int) -> list[compliance.UnitRequirement]:
    """Every unit under the buckets with its bucket and requirement (2 queries, however many units)."""
    rows = requirement_rows(year)
    unit_scoped = sorted({r.unit_path for r in rows if r.unit_path})
    subtree_buckets = {b.path: b.pk for b in buckets if scope_unit is None or b.pk != scope_unit.pk}
    prefixes = [scope_unit.path] if scope_unit is not None else [b.path for b in buckets]
    units = Unit.objects.filter(reduce(operator.or_, (Q(path__startswith=p) for p in prefixes), Q(pk__in=[])))
    cache: dict[tuple, dict[str, Decimal]] = {}
    result = []
    for pk, path, province in units.values_list("pk", "path", "province"):
        bucket: int | None = pk if scope_unit is not None and pk == scope_unit.pk else None
        if bucket is None:
            bucket = _bucket_of(path, subtree_buckets)
            if bucket is None:
                continue
        # Units with the same province and the same unit-scoped rows above them share one requirement.
        key = (province, *(p for p in unit_scoped if path.startswith(p)))
        if key not in cache:
            cache[key] = ledger.effective_requirement(rows, year=year, unit_path=path, province=province)
        result.append(compliance.UnitRequirement(unit_id=pk, bucket=bucket, required=cache[key]))
    return result


def _bucket_of(path: str, buckets: dict[str, int]) -> int | None:
    """The bucket whose path is the shortest prefix of `path` ("/1/4/9/" → "/1/", "/1/4/", "/1/4/9/")."""
    end = 0
    while (end := path.find("/", end + 1)) != -1:
        bucket = buckets.get(path[: end + 1])
        if bucket is not None:
            return bucket
    return None


def compliance_report(*, user, unit_id: int | None, year: int, today: date) -> ComplianceReport:
    """Per child subtree of a unit (and the unit's own officers): officers done / on track / behind; Http404."""
    unit, buckets, prefixes = _report_scope(user, unit_id)
    share = ledger.elapsed_share(year, today)
    figures = compliance.bucket_figures(
        _unit_requirements(unit, buckets, year), year=year, share=share, prefixes=prefixes
    )
    rows = [
        ReportRow(
            unit=b,
            figures=figures.get(b.pk) or compliance.BucketFigures(bucket=b.pk),
            own_only=unit is not None and b.pk == unit.pk,
        )
        for b in buckets
    ]
    return ComplianceReport(unit=unit, year=year, share=share, rows=rows)


def compliance_officers(
    *,
    user,
    unit_id: int | None,
    year: int,
    today: date,
    status: str | None,
    page: int = 1,
    page_size: int = OFFICERS_PAGE_SIZE,
) -> tuple[Unit | None, int, list[compliance.OfficerFigures]]:
    """Officers of a unit subtree with their hours and status, behind first; one page; Http404 if not visible.

    Without a unit, the user's one top unit; (None, 0, []) when he has several (the caller asks him to choose).
    """
    unit, _, _ = _report_scope(user, unit_id)
    if unit is None:
        return None, 0, []
    if status not in (None, ledger.DONE, ledger.ON_TRACK, ledger.BEHIND):
        status = None
    units = _unit_requirements(None, [unit], year)
    count, officers = compliance.officer_figures(
        units,
        year=year,
        share=ledger.elapsed_share(year, today),
        prefixes=[unit.path],
        status=status,
        limit=page_size,
        offset=max(0, page - 1) * page_size,
    )
    return unit, count, officers
