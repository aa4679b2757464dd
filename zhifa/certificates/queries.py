"""Reads for the annual review (年审) and the certificate pages; every one goes through people.access.

The review of a unit subtree loads every ledger in bulk — one query each for officers, yearly hours, hours
requirements, enforcement acts, findings, exam grades, open suspensions and decisions, plus rotation from the
plans app — and hands each officer's facts to the pure `review.evaluate`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from zhifa.certificates import review
from zhifa.certificates.models import (
    CertificateEvent,
    CertificateExam,
    CertificateRuleSet,
    EnforcementActCount,
    ReviewDecision,
    ReviewFinding,
    Suspension,
)
from zhifa.certificates.review import CATEGORY_LABELS
from zhifa.certificates.rules import PARTS, RULE_CODES, Rules, sources_from_json
from zhifa.exams.models import Exam, Grade
from zhifa.people import access
from zhifa.people.models import Officer, Unit
from zhifa.plans.queries import rotation_last_completed
from zhifa.records import queries as records_queries
from zhifa.records.models import HoursYearly

COUNTED_EMPLOYMENT = (Officer.Employment.ACTIVE, Officer.Employment.SECONDED)
OFFICER_FIELDS = (
    "id",
    "name",
    "unit_id",
    "unit__name",
    "unit__path",
    "certificate_number",
    "certificate_status",
    "certificate_issued",
    "certificate_expires",
    "user_id",
)


# --- rules --------------------------------------------------------------------------------------------------------


def rules_from(rule_set: CertificateRuleSet) -> Rules:
    return Rules(
        province=rule_set.province,
        validity_years=rule_set.validity_years,
        yearly_hours_total=rule_set.yearly_hours_total,
        category_hours={c: Decimal(str(v)) for c, v in (rule_set.category_hours or {}).items()},
        hours_per_category=rule_set.hours_per_category,
        initial_training_hours=rule_set.initial_training_hours,
        exam_pass_mark=rule_set.exam_pass_mark,
        exam_parts=tuple(rule_set.exam_parts or ()),
        renewal_window_months=rule_set.renewal_window_months,
        rotation_years=rule_set.rotation_years,
        idle_years=rule_set.idle_years,
        review_month=rule_set.review_month,
        fail_on_failed_exam=rule_set.fail_on_failed_exam,
        fail_on_spot_check=rule_set.fail_on_spot_check,
        suspend_on_new_law_failure=rule_set.suspend_on_new_law_failure,
        revoke_on_second_failure=rule_set.revoke_on_second_failure,
        sources=sources_from_json(rule_set.sources),
    )


# Provinces without a rule set of their own use the example numbers, without citations (the page says so).
FALLBACK = Rules(province="", sources={})


class RuleBook:
    """Which province (and so which rules) a unit falls under: the nearest unit on its path naming a province."""

    def __init__(self) -> None:
        self._provinces = sorted(
            Unit.objects.exclude(province="").values_list("path", "province"), key=lambda r: -len(r[0])
        )
        self._rules = {rs.province: rules_from(rs) for rs in CertificateRuleSet.objects.all()}
        self._of_path: dict[str, str] = {}

    def province_of(self, unit_path: str) -> str:
        if unit_path not in self._of_path:
            self._of_path[unit_path] = next((p for path, p in self._provinces if unit_path.startswith(path)), "")
        return self._of_path[unit_path]

    def for_path(self, unit_path: str) -> Rules:
        return self._rules.get(self.province_of(unit_path), FALLBACK)

    def configured(self, unit_path: str) -> bool:
        return self.province_of(unit_path) in self._rules


@dataclass
class RuleLine:
    code: str
    label: str
    value: str
    document: str
    article: str
    text: str


def _rule_values(rs: CertificateRuleSet) -> dict[str, str]:
    parts = "、".join(PARTS.get(p, p) for p in rs.exam_parts or ())
    return {
        "validity": f"{rs.validity_years} 年",
        "hours": f"每年不少于 {review.number(rs.yearly_hours_total)} 学时"
        + "".join(f"；其中{CATEGORY_LABELS.get(c, c)}不少于 {v} 学时" for c, v in (rs.category_hours or {}).items())
        + ("；各类别达到本单位年度学时要求" if rs.hours_per_category else ""),
        "initial": f"{review.number(rs.initial_training_hours)} 学时",
        "exam": f"{parts}；合格分 {review.number(rs.exam_pass_mark)}",
        "renewal": f"到期前 {rs.renewal_window_months} 个月内",
        "rotation": f"每 {rs.rotation_years} 年至少一次",
        "idle": f"连续 {rs.idle_years} 年",
        "failed_exam": "年审不通过" if rs.fail_on_failed_exam else "不影响年审",
        "spot_check": "年审不通过" if rs.fail_on_spot_check else "不影响年审",
        "suspension": "年审不通过",
        "new_law": "暂扣并脱岗培训" if rs.suspend_on_new_law_failure else "不暂扣",
        "second_failure": "吊销" if rs.revoke_on_second_failure else "不吊销",
    }


def rule_sets_with_exams() -> list[tuple[CertificateRuleSet, list[RuleLine], list[CertificateExam]]]:
    """Every province's rules, each with its value and cited source, and the exams linked to them."""
    result = []
    for rs in CertificateRuleSet.objects.order_by("province").prefetch_related("exams__exam"):
        values = _rule_values(rs)
        sources = sources_from_json(rs.sources)
        lines = [
            RuleLine(code, label, values.get(code, ""), *(
                (sources[code].document, sources[code].article, sources[code].text) if code in sources else ("", "", "")
            ))
            for code, label in RULE_CODES.items()
        ]  # fmt: skip
        result.append((rs, lines, list(rs.exams.all())))
    return result


# --- the review of a set of officers ------------------------------------------------------------------------------


@dataclass
class ReviewRow:
    officer_id: int
    user_id: int
    name: str
    unit_name: str
    unit_path: str
    certificate_number: str
    status: str
    expires: date | None
    earned: dict[str, Decimal]
    required: dict[str, Decimal]
    verdict: review.Verdict
    decision: ReviewDecision | None
    facts: review.Facts

    @property
    def status_label(self) -> str:
        return review.STATUS_LABELS.get(self.status, self.status)

    @property
    def hours_lines(self) -> list[tuple[str, Decimal, Decimal]]:
        """(category label, earned, required) for each category of the hours ledger."""
        zero = Decimal("0")
        return [(label, self.earned.get(c, zero), self.required.get(c, zero)) for c, label in CATEGORY_LABELS.items()]

    @property
    def flagged(self) -> bool:
        """No valid certificate: this officer may not enforce."""
        return self.status != Officer.CertificateStatus.VALID

    @property
    def outcome(self) -> str:
        if not self.verdict.applicable:
            return "na"
        return "passed" if self.verdict.passed else "failed"


def _scoped(model_filter: str, prefix: str | None, ids: list[int]) -> Q:
    if prefix is not None:
        return Q(**{f"{model_filter}unit__path__startswith": prefix})
    return Q(**{f"{model_filter}id__in_array": ids})  # province-wide: one array parameter


def _exam_results(officer_q: Q, year: int, ids: set[int]) -> dict[int, list[review.ExamResult]]:
    """Graded certificate exams per officer: qualification exams of any year, the others closing in `year`."""
    links = {c.exam_id: c for c in CertificateExam.objects.select_related("exam")}
    counted = {
        exam_id
        for exam_id, c in links.items()
        if c.purpose == CertificateExam.Purpose.QUALIFICATION or c.exam.closes_at.year == year
    }
    if not counted:
        return {}
    scores: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    grades = (
        Grade.objects.filter(officer_q, status=Grade.Status.FINAL, attempt__exam_id__in_array=counted)
        .order_by("attempt__submitted_at", "attempt_id")
        .values_list("attempt__officer_id", "attempt__exam_id", "total", "max_score")
    )
    for officer_id, exam_id, total, max_score in grades:
        if officer_id in ids:
            percent = (Decimal(total) * 100 / Decimal(max_score)).quantize(Decimal("0.1")) if max_score else Decimal(0)
            scores[(officer_id, exam_id)].append(percent)
    results: dict[int, list[review.ExamResult]] = defaultdict(list)
    for (officer_id, exam_id), values in scores.items():
        link = links[exam_id]
        results[officer_id].append(review.ExamResult(link.exam.title, link.purpose, link.part, tuple(values)))
    return results


def _rotation(ids: list[int]) -> tuple[bool, dict[int, date]]:
    """Each officer's latest finished rotation, from the plans app (the rule is noted as unchecked without it)."""
    return True, rotation_last_completed(officer_ids=ids)


def review_rows_for(officers: list[dict], *, year: int, today: date, prefix: str | None = None) -> list[ReviewRow]:
    """Evaluate the annual review of these officers (rows of OFFICER_FIELDS); `prefix` when they are a subtree."""
    if not officers:
        return []
    ids = [o["id"] for o in officers]
    id_set = set(ids)
    book = RuleBook()
    idle_years = max([book.for_path(o["unit__path"]).idle_years for o in officers] + [2])
    hours = HoursYearly.objects.filter(year=year).filter(
        Q(unit_path__startswith=prefix) if prefix is not None else Q(officer_id__in_array=ids)
    )
    earned = {
        r[0]: {"legal": r[1], "skill": r[2], "ethics": r[3]}
        for r in hours.values_list("officer_id", "legal", "skill", "ethics")
    }
    requirement_rows = records_queries.requirement_rows(year)
    acts: dict[int, dict[int, review.ActCount]] = defaultdict(dict)
    for officer_id, y, count, explanation in EnforcementActCount.objects.filter(
        _scoped("officer__", prefix, ids), year__gt=year - idle_years, year__lte=year
    ).values_list("officer_id", "year", "count", "explanation"):
        acts[officer_id][y] = review.ActCount(count, explanation)
    findings: dict[int, list[tuple[bool, str]]] = defaultdict(list)
    for officer_id, passed, summary in ReviewFinding.objects.filter(
        _scoped("officer__", prefix, ids), year=year
    ).values_list("officer_id", "passed", "summary"):
        findings[officer_id].append((passed, summary))
    suspensions = dict(
        Suspension.objects.filter(_scoped("officer__", prefix, ids), resolved_at__isnull=True)
        .order_by("started_at")
        .values_list("officer_id", "reason")
    )
    decisions = {
        d.officer_id: d
        for d in ReviewDecision.objects.filter(_scoped("officer__", prefix, ids), year=year).select_related(
            "decided_by"
        )
    }
    exams = _exam_results(_scoped("attempt__officer__", prefix, ids), year, id_set)
    rotation_known, rotation = _rotation(ids)
    required_by_unit: dict[int, dict[str, Decimal]] = {}
    rows = []
    for o in officers:
        unit_id = o["unit_id"]
        if unit_id not in required_by_unit:
            # An unsaved Unit carries the path and the inherited province to the hours ledger's own rule.
            scope = Unit(path=o["unit__path"], province=book.province_of(o["unit__path"]))
            required_by_unit[unit_id] = records_queries.requirement_for(unit=scope, year=year, rows=requirement_rows)
        mine = {c: Decimal(v or 0) for c, v in earned.get(o["id"], {}).items()}
        facts = review.Facts(
            year=year,
            today=today,
            status=o["certificate_status"],
            issued=o["certificate_issued"],
            expires=o["certificate_expires"],
            earned=mine,
            required=required_by_unit[unit_id],
            acts=acts.get(o["id"], {}),
            spot_checks=findings.get(o["id"], []),
            exams=exams.get(o["id"], []),
            rotation_known=rotation_known,
            rotation_last=rotation.get(o["id"]),
            open_suspension=suspensions.get(o["id"]),
        )
        rows.append(
            ReviewRow(
                officer_id=o["id"],
                user_id=o["user_id"],
                name=o["name"],
                unit_name=o["unit__name"],
                unit_path=o["unit__path"],
                certificate_number=o["certificate_number"] or "",
                status=o["certificate_status"],
                expires=o["certificate_expires"],
                earned=mine,
                required=required_by_unit[unit_id],
                verdict=review.evaluate(book.for_path(o["unit__path"]), facts),
                decision=decisions.get(o["id"]),
                facts=facts,
            )
        )
    return rows


def subtree_officers(unit: Unit) -> list[dict]:
    return list(
        Officer.objects.filter(unit__path__startswith=unit.path, employment__in=COUNTED_EMPLOYMENT)
        .order_by("unit__path", "name", "id")
        .values(*OFFICER_FIELDS)
    )


def review_rows_of_unit(*, unit: Unit, year: int, today: date) -> list[ReviewRow]:
    """The whole subtree's review (the caller has checked that the user may view `unit`)."""
    return review_rows_for(subtree_officers(unit), year=year, today=today, prefix=unit.path)


def review_row_of_officer(*, officer: Officer, year: int, today: date) -> ReviewRow:
    row = Officer.objects.filter(pk=officer.pk).values(*OFFICER_FIELDS).get()
    return review_rows_for([row], year=year, today=today)[0]


# --- scope and objects for a user ---------------------------------------------------------------------------------


def review_unit_for(*, user, unit_id: int | None) -> Unit:
    """The unit whose review the user opens: the requested one if visible, else his top unit; Http404 otherwise."""
    if not access.can_use_console(user):
        raise Http404
    if unit_id is not None:
        unit = get_object_or_404(Unit, pk=unit_id)
        if not access.can_view_unit(user, unit):
            raise Http404
        return unit
    paths = access.viewable_unit_paths(user)
    units = Unit.objects.order_by("path")
    if paths is not None:
        if not paths:
            raise Http404
        units = units.filter(path__in=paths)
    top = min(units, key=lambda u: (u.depth, u.path), default=None)
    if top is None:
        raise Http404
    return top


def units_for_filter(*, user, unit: Unit) -> list[Unit]:
    """The unit and the units below it (for the unit filter), at most 300."""
    return list(unit.subtree().order_by("path")[:300])


def officer_for_viewer(*, user, officer_id: int) -> Officer:
    """An officer the user may see in the console (managers and auditors of his subtree); Http404 otherwise."""
    officer = Officer.objects.select_related("unit").filter(pk=officer_id).first()
    if officer is None or not access.can_use_console(user) or not access.can_view_unit(user, officer.unit):
        raise Http404
    return officer


def officer_for_manager(*, user, officer_id: int) -> Officer:
    officer = Officer.objects.select_related("unit").filter(pk=officer_id).first()
    if officer is None or not access.can_manage_officer(user, officer):
        raise Http404
    return officer


def own_officer(user) -> Officer | None:
    return access.officer_of(user)


def events_of(officer: Officer) -> list[CertificateEvent]:
    return list(CertificateEvent.objects.filter(officer=officer).select_related("by")[:50])


def suspension_open(officer: Officer) -> Suspension | None:
    return Suspension.objects.filter(officer=officer, resolved_at__isnull=True).first()


def exams_linkable(*, user) -> QuerySet[Exam]:
    """Exams the user may link to the certificate rules: those organised by units he manages."""
    return Exam.objects.filter(unit__in=access.units_managed_by(user)).order_by("-opens_at")


def act_counts_recent(*, user) -> list[EnforcementActCount]:
    """The latest enforcement-act counts of officers the user may see (the acts page's list)."""
    return list(
        EnforcementActCount.objects.filter(officer__in=access.officers_viewable_by(user))
        .select_related("officer__unit")
        .order_by("-updated_at")[:50]
    )
