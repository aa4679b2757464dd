"""The annual assessment's figures: every leaf's value for every officer of a subtree, in bulk (a handful of
grouped queries, whatever the number of officers), and the source rows behind one officer's figures.

The services call `leaf_values` to compute an assessment; the explanation page calls `source_rows` for one officer.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from zhifa.cases.models import DrillRun
from zhifa.evaluation.models import CaseFile, Indicator, IndicatorValue, Period, ThirdPartyReview
from zhifa.exams.models import Grade
from zhifa.people.models import Officer, Unit
from zhifa.records import queries as records_queries
from zhifa.records.models import HoursEntry, HoursYearly
from zhifa.surveys import queries as survey_queries


@dataclass(frozen=True)
class Value:
    value: float | None
    events: int = 0
    figure: str = ""  # the value as a person reads it: "36 / 40 学时"


def period_bounds(period: Period) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    since = datetime.combine(period.starts_on, time.min, tzinfo=tz)
    until = datetime.combine(period.ends_on, time.max, tzinfo=tz)
    return since, until


def _hours(period: Period, path: str, units: dict[int, Unit], officers: dict[int, int]) -> dict[int, Value]:
    rows = records_queries.requirement_rows(period.year)
    required: dict[int, float] = {}
    for unit_id, unit in units.items():
        req = records_queries.requirement_for(unit=unit, year=period.year, rows=rows)
        required[unit_id] = float(sum(req.values(), Decimal("0")))
    done = {
        officer_id: float(legal + skill + ethics)
        for officer_id, legal, skill, ethics in HoursYearly.objects.filter(
            year=period.year, unit_path__startswith=path
        ).values_list("officer_id", "legal", "skill", "ethics")
    }
    result = {}
    for officer_id, unit_id in officers.items():
        need, have = required.get(unit_id, 0.0), done.get(officer_id, 0.0)
        share = 100.0 if need <= 0 else min(100.0, 100.0 * have / need)
        result[officer_id] = Value(round(share, 1), figure=f"{have:g} / {need:g} 学时")
    return result


def _exams(period: Period, path: str, officers: dict[int, int]) -> dict[int, Value]:
    since, until = period_bounds(period)
    best: dict[tuple[int, int], float] = {}
    rows = Grade.objects.filter(
        status=Grade.Status.FINAL,
        attempt__submitted_at__range=(since, until),
        attempt__officer__unit__path__startswith=path,
        max_score__gt=0,
    ).values_list("attempt__officer_id", "attempt__exam_id", "total", "max_score")
    for officer_id, exam_id, total, max_score in rows:
        share = 100.0 * float(total) / float(max_score)
        key = (officer_id, exam_id)
        best[key] = max(best.get(key, 0.0), share)
    per_officer: dict[int, list[float]] = defaultdict(list)
    for (officer_id, _), share in best.items():
        per_officer[officer_id].append(share)
    return {
        o: Value(round(sum(s) / len(s), 1), figure=f"{len(s)} 场考试平均得分率 {sum(s) / len(s):.1f}%")
        for o, s in per_officer.items()
        if o in officers
    }


def _drills(period: Period, path: str, officers: dict[int, int]) -> dict[int, Value]:
    since, until = period_bounds(period)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = DrillRun.objects.filter(
        is_preview=False,
        status__in=[DrillRun.Status.COMPLETED, DrillRun.Status.FAILED],
        finished_at__range=(since, until),
        officer__unit__path__startswith=path,
    ).values_list("officer_id", "status")
    for officer_id, status in rows:
        counts[officer_id][0] += 1
        counts[officer_id][1] += status == DrillRun.Status.COMPLETED
    return {
        o: Value(round(100.0 * ok / n, 1), figure=f"{n} 次演练，合格 {ok} 次")
        for o, (n, ok) in counts.items()
        if o in officers
    }


def _case_files(period: Period, officers: dict[int, int]) -> dict[int, Value]:
    through = CaseFile.officers.through
    rows = through.objects.filter(
        casefile__period=period, casefile__is_training=False, casefile__status=CaseFile.Status.FINAL
    ).values_list("officer_id", "casefile__final_score", "casefile__failed")
    scores: dict[int, list[float]] = defaultdict(list)
    failed: dict[int, int] = defaultdict(int)
    for officer_id, score, is_failed in rows:
        if officer_id in officers:
            scores[officer_id].append(float(score or 0))
            failed[officer_id] += bool(is_failed)
    return {
        o: Value(
            round(sum(s) / len(s), 1),
            events=failed[o],
            figure=f"{len(s)} 卷平均 {sum(s) / len(s):.1f} 分" + (f"，不合格卷 {failed[o]} 卷" if failed[o] else ""),
        )
        for o, s in scores.items()
    }


def _satisfaction(period: Period, path: str, officers: dict[int, int]) -> dict[int, Value]:
    since, until = period_bounds(period)
    # Only officers with a counted response can reach the 5-response floor: ask about those, not 100k ids.
    rated = set(
        survey_queries.counted_between(since, until)
        .filter(officer__unit__path__startswith=path)
        .values_list("officer_id", flat=True)
        .distinct()
    )
    ids = [o for o in rated if o in officers]
    found = survey_queries.satisfaction_by_officer(officer_ids=ids, since=since, until=until) if ids else {}
    return {
        o: Value(round(s.smoothed / 5 * 100, 1), figure=f"{s.count} 份评价，平滑得分 {s.smoothed:.2f} / 5")
        for o, s in found.items()
        if s.shown and s.smoothed is not None
    }


def _third_party(period: Period, path: str, officers: dict[int, int]) -> dict[int, Value]:
    rows = ThirdPartyReview.objects.filter(
        assignment__period=period, submitted_at__isnull=False, unit__path__startswith=path
    ).values_list("unit_id", "officer_id", "total")
    by_unit: dict[int, list[float]] = defaultdict(list)
    by_officer: dict[int, list[float]] = defaultdict(list)
    for unit_id, officer_id, total in rows:
        (by_officer[officer_id] if officer_id else by_unit[unit_id]).append(float(total))
    result = {}
    for officer_id, unit_id in officers.items():
        own, unit = by_officer.get(officer_id), by_unit.get(unit_id)
        if own:
            result[officer_id] = Value(round(sum(own) / len(own), 1), figure=f"本人 {len(own)} 份评估表")
        elif unit:
            result[officer_id] = Value(round(sum(unit) / len(unit), 1), figure=f"所在单位 {len(unit)} 份评估表")
    return result


def _stored(leaves: list[Indicator], officers: dict[int, int]) -> dict[int, dict[int, Value]]:
    """Entered and imported values, per leaf."""
    result: dict[int, dict[int, Value]] = defaultdict(dict)
    rows = IndicatorValue.objects.filter(indicator__in=[leaf.pk for leaf in leaves]).values_list(
        "indicator_id", "officer_id", "value", "events"
    )
    for indicator_id, officer_id, value, events in rows:
        if officer_id in officers:
            figure = f"{value:g}" if value is not None else f"{events} 次"
            result[indicator_id][officer_id] = Value(float(value) if value is not None else None, events, figure)
    return result


def leaf_values(
    period: Period, root: Unit, leaves: list[Indicator], officers: dict[int, int], units: dict[int, Unit]
) -> dict[int, dict[int, Value]]:
    """{leaf id: {officer id: Value}} for the officers (id → unit id) of `root`'s subtree."""
    stored = _stored([leaf for leaf in leaves if leaf.source != Indicator.Source.COMPUTED], officers)
    computed_cache: dict[str, dict[int, Value]] = {}
    result = {}
    for leaf in leaves:
        if leaf.source != Indicator.Source.COMPUTED:
            result[leaf.pk] = stored.get(leaf.pk, {})
            continue
        key = leaf.computed_key
        if key not in computed_cache:
            computed_cache[key] = _computed(key, period, root.path, officers, units)
        result[leaf.pk] = computed_cache[key]
    return result


def _computed(key: str, period: Period, path: str, officers: dict[int, int], units: dict[int, Unit]):
    if key == "hours":
        return _hours(period, path, units, officers)
    if key == "exams":
        return _exams(period, path, officers)
    if key == "drills":
        return _drills(period, path, officers)
    if key == "case_files":
        return _case_files(period, officers)
    if key == "satisfaction":
        return _satisfaction(period, path, officers)
    if key == "third_party":
        return _third_party(period, path, officers)
    raise ValueError(f"unknown computed source {key!r}")


# --- one officer's source rows (the explanation page) --------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    when: str
    label: str
    figure: str


def stored_values(officer: Officer, period: Period) -> dict[int, list[IndicatorValue]]:
    """The officer's entered and imported values of the period, per leaf (one query for the whole page)."""
    found: dict[int, list[IndicatorValue]] = defaultdict(list)
    for v in IndicatorValue.objects.filter(officer=officer, indicator__period=period):
        found[v.indicator_id].append(v)
    return found


def source_rows(
    leaf: Indicator, officer: Officer, period: Period, limit: int = 30, stored: dict | None = None
) -> list[SourceRow]:
    """The rows a leaf's figure for this officer was computed from (the newest `limit`)."""
    since, until = period_bounds(period)
    key = leaf.computed_key if leaf.source == Indicator.Source.COMPUTED else "stored"
    if key == "hours":
        entries = HoursEntry.objects.filter(officer=officer, year=period.year, status=HoursEntry.Status.APPROVED)
        return [
            SourceRow(f"{e.occurred_on:%Y-%m-%d}", f"{e.get_category_display()} · {e.source}", f"{e.hours:g} 学时")
            for e in entries.order_by("-occurred_on")[:limit]
        ]
    if key == "exams":
        grades = Grade.objects.filter(
            status=Grade.Status.FINAL, attempt__officer=officer, attempt__submitted_at__range=(since, until)
        ).select_related("attempt__exam")
        return [
            SourceRow(
                f"{timezone.localtime(g.attempt.submitted_at):%Y-%m-%d}",
                str(g.attempt.exam),
                f"{g.total:g} / {g.max_score:g}",
            )
            for g in grades.order_by("-attempt__submitted_at")[:limit]
        ]
    if key == "drills":
        runs = DrillRun.objects.filter(officer=officer, is_preview=False, finished_at__range=(since, until)).exclude(
            status=DrillRun.Status.IN_PROGRESS
        )
        return [
            SourceRow(f"{timezone.localtime(r.finished_at):%Y-%m-%d}", r.version.title, r.get_status_display())
            for r in runs.select_related("version").order_by("-finished_at")[:limit]
        ]
    if key == "case_files":
        files = CaseFile.objects.filter(
            period=period, officers=officer, is_training=False, status=CaseFile.Status.FINAL
        )
        return [
            SourceRow(
                f"{f.created_at:%Y-%m-%d}",
                f"{f.number} {f.title}",
                f"{f.final_score:g} 分" + ("（不合格卷）" if f.failed else ""),
            )
            for f in files.order_by("-created_at")[:limit]
        ]
    if key == "satisfaction":
        found = survey_queries.satisfaction_by_officer(officer_ids=[officer.pk], since=since, until=until)
        s = found.get(officer.pk)
        if s is None or not s.shown:
            return [SourceRow("", "群众评价不足 5 份，不计入（按满分计）", f"{s.count if s else 0} 份")]
        return [SourceRow("", f"{s.count} 份群众评价（向本单位平均值平滑）", f"{s.smoothed:.2f} / 5")]
    if key == "third_party":
        reviews = ThirdPartyReview.objects.filter(
            Q(officer=officer) | Q(officer__isnull=True, unit_id=officer.unit_id),
            assignment__period=period,
            submitted_at__isnull=False,
        ).select_related("assignment")
        return [
            SourceRow(f"{timezone.localtime(r.submitted_at):%Y-%m-%d}", r.assignment.organisation, f"{r.total:g}%")
            for r in reviews[:limit]
        ]
    values = (
        stored.get(leaf.pk, [])
        if stored is not None
        else IndicatorValue.objects.filter(indicator=leaf, officer=officer)
    )
    return [
        SourceRow(
            f"{timezone.localtime(v.entered_at):%Y-%m-%d}",
            f"{v.origin}：{v.evidence}",
            f"{v.value:g}" if v.value is not None else f"{v.events} 次",
        )
        for v in values
    ]
