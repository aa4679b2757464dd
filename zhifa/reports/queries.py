"""Reads of the dashboard: a unit subtree's figures from the rollups, their drill-downs, the heatmap, peers, weak
points and the officer's recommendations. Every figure is a count of rollup rows under a condition, and its
drill-down lists the same rows under the same condition, so the two always agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.http import Http404

from zhifa.cases.models import Case as LawCase
from zhifa.courses.models import Course, Lesson
from zhifa.people import access
from zhifa.people.models import Unit, User
from zhifa.practice.models import Mastery
from zhifa.questions.models import KnowledgePoint
from zhifa.reports import stats
from zhifa.reports.models import ExportJob, OfficerRollup, Recommendation, UnitKnowledgeRollup, UnitRollup

WEAK_RECALL = 0.6
MAX_PEERS = 50


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    condition: Q
    help: str = ""


# Officer counts, each with the condition that is also its drill-down.
FIGURES = [
    Figure("officers", "在职执法人员", Q()),
    Figure("hours_met", "学时已达标", Q(hours_met=True)),
    Figure("hours_behind", "学时未达标", Q(hours_met=False)),
    Figure("plan_overdue", "有逾期培训任务", Q(plan_overdue__gt=0)),
    Figure("exam_none", "本年未参加考试", Q(exams_sat=0)),
    Figure("exam_failed", "有考试未通过", Q(exams_sat__gt=0) & Q(exams_passed__lt=F("exams_sat"))),
    Figure("drill_outside", "演练处罚超出裁量基准", Q(drills_outside_standard__gt=0)),
    Figure("practice_inactive", "本年未做每日一练", Q(practice_days=0)),
    Figure("cert_invalid", "无有效执法证", ~Q(certificate_status="valid")),
    Figure("cert_due", "执法证90天内到期", Q(certificate_due=True)),
    Figure("tier_excellent", "考核优秀", Q(tier="excellent")),
    Figure("tier_fail", "考核不合格", Q(tier="fail")),
]
FIGURES_BY_KEY = {f.key: f for f in FIGURES}


@dataclass
class Group:
    """A row of the dashboard: the unit's own officers, or one child unit with its subtree."""

    unit: Unit
    own_only: bool
    n: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    sums: dict[str, float] = field(default_factory=dict)
    means: dict[str, float | None] = field(default_factory=dict)
    known: dict[str, int] = field(default_factory=dict)  # officers with a value, per mean

    def share(self, key: str) -> float | None:
        return stats.rate(self.counts.get(key, 0), self.n)

    @property
    def ranked(self) -> bool:
        return self.n >= stats.MIN_RANKED


SUMS = ["hours_legal", "hours_skill", "hours_ethics", "hours_required", "plan_items", "plan_done", "exams_sat",
        "exams_passed", "drills_run", "drills_failed", "drills_outside_standard", "practice_reviews",
        "practice_correct"]  # fmt: skip
MEANS = ["exam_score", "mastery", "satisfaction"]


def figure_annotations() -> dict:
    """Every figure of a group as aggregates over officer rollup rows: the count under each figure's condition (the
    same condition its drill-down lists), the sums, and the means with how many officers have a value."""
    annotations: dict = {"n": Count("id")}
    annotations.update({f"c_{f.key}": Count("id", filter=f.condition) for f in FIGURES})
    annotations.update({f"s_{s}": Sum(s) for s in SUMS})
    annotations.update({f"m_{m}": Avg(m) for m in MEANS})
    annotations.update({f"k_{m}": Count(m) for m in MEANS})
    return annotations


def _fill(group: Group, row: UnitRollup | None) -> Group:
    if row is not None:
        group.n, group.counts, group.sums, group.means, group.known = row.n, row.counts, row.sums, row.means, row.known
    return group


@dataclass
class Dashboard:
    unit: Unit
    year: int
    total: Group
    groups: list[Group]
    computed_at: object | None

    @property
    def empty(self) -> bool:
        return self.total.n == 0


def _group_rows(*, unit: Unit, year: int) -> dict[tuple[int, bool], UnitRollup]:
    """The unit's rows (own officers and subtree) and its children's subtree rows, by (unit, subtree)."""
    rows = UnitRollup.objects.filter(Q(unit=unit) | Q(unit__parent=unit, subtree=True), year=year)
    return {(r.unit_id, r.subtree): r for r in rows}


def dashboard(*, unit: Unit, year: int) -> Dashboard:
    """The unit subtree's figures for the year, in total and per child unit (and the unit's own officers): one
    unit rollup row each, so a province reads some twenty rows, not its 100,000 officers."""
    rows = _group_rows(unit=unit, year=year)
    total = _fill(Group(unit=unit, own_only=False), rows.get((unit.pk, True)))
    groups = [_fill(Group(unit=unit, own_only=True), rows.get((unit.pk, False)))] + [
        _fill(Group(unit=c, own_only=False), rows.get((c.pk, True))) for c in unit.children.order_by("path")
    ]
    computed = max((r.computed_at for r in rows.values()), default=None)
    return Dashboard(unit=unit, year=year, total=total, groups=[g for g in groups if g.n], computed_at=computed)


def drilldown(*, unit: Unit, year: int, figure: str, own_only: bool = False) -> QuerySet[OfficerRollup]:
    """The officers behind a figure (the same rows and condition the figure counts); Http404 for an unknown one."""
    if figure not in FIGURES_BY_KEY:
        raise Http404
    where = Q(unit_id=unit.pk) if own_only else Q(unit_path__startswith=unit.path)
    return (
        OfficerRollup.objects.filter(where, FIGURES_BY_KEY[figure].condition, year=year)
        .select_related("officer", "unit")
        .order_by("unit_path", "officer__name")
    )


@dataclass
class HeatCell:
    group: Group
    knowledge_point: KnowledgePoint
    officers: int
    weak: int
    recall: float | None


def heatmap(*, unit: Unit, year: int, groups: list[Group], limit: int = 12) -> tuple[list[KnowledgePoint], list]:
    """The weakest knowledge points of the subtree (by share of weak officers) × the dashboard's groups."""
    weakest = list(
        UnitKnowledgeRollup.objects.filter(year=year, unit=unit, subtree=True, officers__gte=1)
        .order_by("-weak", "knowledge_point_id")
        .values_list("knowledge_point_id", flat=True)[:limit]
    )
    points = {p.pk: p for p in KnowledgePoint.objects.filter(pk__in=weakest)}
    columns = [points[pk] for pk in weakest if pk in points]
    # One row per group and point: the unit's own officers, and each child's subtree.
    cells = UnitKnowledgeRollup.objects.filter(
        Q(unit=unit, subtree=False) | Q(unit__parent=unit, subtree=True), year=year, knowledge_point__in=columns
    )
    found = {(c.unit_id, c.subtree, c.knowledge_point_id): c for c in cells}
    rows = []
    for g in groups:
        row = []
        for kp in columns:
            c = found.get((g.unit.pk, not g.own_only, kp.pk))
            row.append(
                HeatCell(g, kp, c.officers, c.weak, c.recall_sum / c.officers)
                if c and c.officers
                else HeatCell(g, kp, 0, 0, None)
            )
        rows.append((g, row))
    return columns, rows


def weak_officers(*, unit: Unit, knowledge_point: KnowledgePoint, own_only: bool = False) -> QuerySet[Mastery]:
    """The heatmap cell's drill-down: officers of the group whose mastery of the point is weak."""
    where = Q(officer__unit_id=unit.pk) if own_only else Q(officer__unit__path__startswith=unit.path)
    return (
        Mastery.objects.filter(where, knowledge_point=knowledge_point, recall__lt=WEAK_RECALL)
        .filter(officer__employment__in=("active", "seconded"))
        .select_related("officer", "officer__unit")
        .order_by("recall")
    )


@dataclass
class Peer:
    unit: Unit
    n: int
    met: int
    rate: float | None
    rank: int | None
    before: float | None
    changed: bool


def peers(*, user: User, unit: Unit, year: int) -> list[Peer]:
    """Units of the same level and kind that the user may view, ranked by the share of officers with their hours
    met (from 5 officers), with last year's share and whether the change is beyond chance."""
    candidates = list(
        access.units_viewable_by(user).filter(level=unit.level, kind=unit.kind).order_by("path")[:MAX_PEERS]
    )
    if len(candidates) < 2:
        return []
    # Each peer's subtree row, this year and last.
    rows = UnitRollup.objects.filter(unit__in=candidates, subtree=True, year__in=(year, year - 1))
    found = {(r.unit_id, r.year): r for r in rows}
    groups_now = [_fill(Group(unit=u, own_only=False), found.get((u.pk, year))) for u in candidates]
    groups_before = [_fill(Group(unit=u, own_only=False), found.get((u.pk, year - 1))) for u in candidates]
    ranked = {r.key: r for r in stats.rank([(i, g.counts.get("hours_met", 0), g.n) for i, g in enumerate(groups_now)])}
    result = []
    for i, (now, before) in enumerate(zip(groups_now, groups_before, strict=True)):
        r = ranked[i]
        met_before = before.counts.get("hours_met", 0)
        result.append(
            Peer(
                unit=now.unit,
                n=now.n,
                met=r.part,
                rate=r.rate,
                rank=r.rank,
                before=stats.rate(met_before, before.n),
                changed=stats.change_is_real(r.part, now.n, met_before, before.n),
            )
        )
    return sorted(result, key=lambda p: (p.rank is None, p.rank or 0, p.unit.path))


@dataclass
class Coverage:
    knowledge_point: KnowledgePoint
    lessons: list[Lesson]
    cases: list[LawCase]


def coverage(*, knowledge_point: KnowledgePoint) -> Coverage:
    """What trains a knowledge point: published lessons (micro-lessons first) and the cases that teach it."""
    lessons = list(
        Lesson.objects.filter(knowledge_points=knowledge_point, chapter__course__status="published")
        .select_related("chapter__course")
        .order_by("-is_micro", "minutes")[:20]
    )
    cases = list(LawCase.objects.filter(knowledge_points=knowledge_point)[:20])
    return Coverage(knowledge_point, lessons, cases)


def course_training(*, course_id: int, knowledge_point: KnowledgePoint) -> Course:
    """A published course with a lesson on the knowledge point (what the weak-point page offers); Http404 else."""
    course = Course.objects.filter(
        pk=course_id, status="published", chapters__lessons__knowledge_points=knowledge_point
    ).first()
    if course is None:
        raise Http404
    return course


def knowledge_point_get(*, knowledge_point_id: int) -> KnowledgePoint:
    kp = KnowledgePoint.objects.filter(pk=knowledge_point_id).first()
    if kp is None:
        raise Http404
    return kp


def export_job_get_for_user(*, job_id: int, user: User) -> ExportJob:
    """The user's own export; Http404 for anybody else's."""
    job = ExportJob.objects.filter(pk=job_id, user_id=user.pk).first()
    if job is None:
        raise Http404
    return job


def recommendation_get_for_user(*, recommendation_id: int, user: User) -> Recommendation:
    """The officer's own recommendation; Http404 for anybody else's."""
    officer = access.officer_of(user)
    rec = Recommendation.objects.filter(pk=recommendation_id).first()
    if rec is None or officer is None or rec.officer_id != officer.pk:
        raise Http404
    return rec


@dataclass
class FollowFigures:
    shown: int
    followed: int
    rate: float | None
    by_kind: list[tuple[str, int, int, float | None]]
    mastery_change: float | None  # mean later recall minus recall when suggested, for followed weak-point ones


def follow_figures(*, unit: Unit, since: date) -> FollowFigures:
    """Whether recommendations work: how many were followed, per kind, and the mastery change after a weak-point
    recommendation was followed (the officer's recall of that point now minus when it was suggested)."""
    recs = Recommendation.objects.filter(officer__unit__path__startswith=unit.path, day__gte=since)
    counts = {
        r["kind"]: (r["shown"], r["followed"])
        for r in recs.values("kind").annotate(
            shown=Count("id"), followed=Count("id", filter=Q(followed_at__isnull=False))
        )
    }
    by_kind = []
    for kind, label in Recommendation.Kind.choices:
        shown, followed = counts.get(kind, (0, 0))
        by_kind.append((str(label), shown, followed, stats.rate(followed, shown)))
    followed_weak = list(
        recs.filter(
            kind=Recommendation.Kind.WEAK_POINT, followed_at__isnull=False, recall_before__isnull=False
        ).values_list("officer_id", "knowledge_point_id", "recall_before")[:5000]
    )
    now = {
        (m.officer_id, m.knowledge_point_id): m.recall
        for m in Mastery.objects.filter(
            officer_id__in_array={o for o, _, _ in followed_weak},
            knowledge_point_id__in_array={k for _, k, _ in followed_weak},
        )
    }
    deltas = [now[(o, k)] - before for o, k, before in followed_weak if (o, k) in now and before is not None]
    shown_all, followed_all = sum(c[0] for c in counts.values()), sum(c[1] for c in counts.values())
    return FollowFigures(
        shown=shown_all,
        followed=followed_all,
        rate=stats.rate(followed_all, shown_all),
        by_kind=by_kind,
        mastery_change=round(100 * sum(deltas) / len(deltas), 1) if deltas else None,
    )
