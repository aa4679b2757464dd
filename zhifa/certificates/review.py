"""The annual review (年审) as pure rule evaluation (no ORM): an officer's facts and a province's rules in, a
verdict out — passes or not, every reason with the rule's citation, and the certificate status that should follow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from zhifa.certificates.rules import PARTS, Rules

CATEGORY_LABELS = {"legal": "法律知识", "skill": "业务技能", "ethics": "职业道德"}
REVIEWED_STATUSES = ("valid", "suspended")
STATUS_LABELS = {"valid": "有效", "suspended": "暂扣", "revoked": "吊销/注销", "expired": "过期", "none": "未取得"}

FAIL, SUSPEND, REVOKE, NOTE = "fail", "suspend", "revoke", "note"


@dataclass(frozen=True)
class ExamResult:
    """An officer's graded attempts at one certificate exam, oldest first, as scores out of 100."""

    title: str
    purpose: str  # qualification / renewal / new_law
    part: str  # general / specialised
    scores: tuple[Decimal, ...]

    def passed(self, pass_mark: Decimal) -> bool:
        return any(s >= pass_mark for s in self.scores)

    def failures(self, pass_mark: Decimal) -> int:
        return 0 if self.passed(pass_mark) else len(self.scores)

    @property
    def best(self) -> Decimal:
        return max(self.scores, default=Decimal("0"))


@dataclass(frozen=True)
class ActCount:
    count: int
    explanation: str = ""


@dataclass(frozen=True)
class Facts:
    """What the ledgers say about one officer for one review year."""

    year: int
    today: date
    status: str
    issued: date | None = None
    expires: date | None = None
    earned: Mapping[str, Decimal] = field(default_factory=dict)
    required: Mapping[str, Decimal] = field(default_factory=dict)
    acts: Mapping[int, ActCount] = field(default_factory=dict)
    spot_checks: Sequence[tuple[bool, str]] = ()
    exams: Sequence[ExamResult] = ()
    rotation_known: bool = False
    rotation_last: date | None = None
    open_suspension: str | None = None


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    citation: str = ""
    consequence: str = FAIL

    @property
    def text(self) -> str:
        return f"{self.message}（依据{self.citation}）" if self.citation else self.message


@dataclass
class Verdict:
    applicable: bool
    passed: bool
    reasons: list[Reason] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)
    status_after: str = "valid"

    @property
    def label(self) -> str:
        if not self.applicable:
            return "不参加年审"
        return "通过" if self.passed else "不通过"

    @property
    def summary(self) -> str:
        return "；".join(r.text for r in self.reasons) if self.reasons else ""

    @property
    def off_duty_training(self) -> bool:
        return any(r.code == "new_law" for r in self.reasons)


def number(value: Decimal) -> str:
    """A Decimal without trailing zeros: 60.00 → "60", 19.50 → "19.5"."""
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")


_hours = number


def hours_rule_text(rules: Rules) -> str:
    """The hours rule in one sentence, e.g. "全年不少于 40 学时，其中法律知识不少于 20 学时"."""
    text = f"全年不少于 {_hours(rules.yearly_hours_total)} 学时"
    floors = [f"{CATEGORY_LABELS.get(c, c)}不少于 {_hours(Decimal(v))} 学时" for c, v in rules.category_hours.items()]
    if floors:
        text += "，其中" + "、".join(floors)
    if rules.hours_per_category:
        text += "；各类别达到本单位年度学时要求"
    return text


def _hours_reasons(rules: Rules, facts: Facts) -> list[Reason]:
    earned = {c: facts.earned.get(c, Decimal("0")) for c in CATEGORY_LABELS}
    total = sum(earned.values(), Decimal("0"))
    gaps = []
    if total < rules.yearly_hours_total:
        gaps.append(f"全年学时 {_hours(total)}，低于 {_hours(rules.yearly_hours_total)} 学时")
    # Each category's floor: the province's own, and the unit's yearly requirement when the rules adopt it.
    floors = {c: Decimal(rules.category_hours.get(c, 0)) for c in CATEGORY_LABELS}
    if rules.hours_per_category:
        floors = {c: max(floors[c], facts.required.get(c, Decimal("0"))) for c in CATEGORY_LABELS}
    short = [
        f"{CATEGORY_LABELS[c]} {_hours(earned[c])}/{_hours(floors[c])}"
        for c in CATEGORY_LABELS
        if floors[c] > 0 and earned[c] < floors[c]
    ]
    if short:
        gaps.append("学时未达要求：" + "、".join(short))
    return [Reason("hours", "；".join(gaps), rules.cite("hours"))] if gaps else []


def _exam_reasons(rules: Rules, facts: Facts) -> list[Reason]:
    reasons: list[Reason] = []
    mark = rules.exam_pass_mark
    new_law_failures = 0
    for exam in facts.exams:
        if exam.purpose == "qualification" or not exam.scores or exam.passed(mark):
            continue
        if exam.purpose == "new_law":
            new_law_failures += exam.failures(mark)
        if rules.fail_on_failed_exam:
            message = f"“{exam.title}”最高 {_hours(exam.best)} 分，未达合格分 {_hours(mark)} 分"
            reasons.append(Reason("failed_exam", message, rules.cite("failed_exam")))
    if new_law_failures >= 2 and rules.revoke_on_second_failure:
        reasons.append(
            Reason("second_failure", "新法考试补考仍不合格，应吊销证件", rules.cite("second_failure"), REVOKE)
        )
    elif new_law_failures >= 1 and rules.suspend_on_new_law_failure:
        reasons.append(Reason("new_law", "新法考试不合格，应暂扣证件并脱岗培训后补考", rules.cite("new_law"), SUSPEND))
    return reasons


def _idle(rules: Rules, facts: Facts) -> tuple[list[Reason], list[Reason]]:
    """Two (idle_years) years without an enforcement act fail unless explained; missing data is only noted."""
    years = [facts.year - i for i in range(rules.idle_years)]
    missing = [y for y in years if y not in facts.acts]
    if missing:
        note = f"{'、'.join(str(y) for y in sorted(missing))} 年执法行为数据未录入，暂无法核查"
        return [], [Reason("idle", note, rules.cite("idle"), NOTE)]
    counts = [facts.acts[y] for y in years]
    if any(a.count > 0 for a in counts):
        return [], []
    explained = [a.explanation for a in counts if a.explanation]
    if explained:
        return [], [Reason("idle", f"连续 {len(years)} 年无执法行为，已说明：{explained[0]}", "", NOTE)]
    message = f"{years[-1]}—{years[0]} 年连续 {len(years)} 年无执法行为且未说明理由"
    return [Reason("idle", message, rules.cite("idle"))], []


def _rotation(rules: Rules, facts: Facts) -> tuple[list[Reason], list[Reason]]:
    if not facts.rotation_known:
        return [], [Reason("rotation", "轮训记录暂不可用，本项未核查", "", NOTE)]
    window_start = date(facts.year - rules.rotation_years + 1, 1, 1)
    if facts.rotation_last is not None and facts.rotation_last >= window_start:
        return [], []
    if facts.issued is not None and facts.issued >= window_start:
        return [], [Reason("rotation", f"取证未满 {rules.rotation_years} 年，本年度无须轮训", "", NOTE)]
    last = f"最近一次 {facts.rotation_last:%Y-%m-%d}" if facts.rotation_last else "无轮训记录"
    message = f"近 {rules.rotation_years} 年（{window_start.year}—{facts.year}）未参加轮训（{last}）"
    return [Reason("rotation", message, rules.cite("rotation"))], []


@lru_cache(maxsize=64)
def _months_after(day: date, months: int) -> date:
    return day + relativedelta(months=months)


def _renewal_notes(rules: Rules, facts: Facts) -> list[Reason]:
    if facts.expires is None or facts.expires < facts.today:
        return []
    if facts.expires > _months_after(facts.today, rules.renewal_window_months):
        return []
    passed = any(e.purpose == "renewal" and e.passed(rules.exam_pass_mark) for e in facts.exams)
    message = (
        f"证件将于 {facts.expires:%Y-%m-%d} 到期，已通过换证考试，可办理换证"
        if passed
        else f"证件将于 {facts.expires:%Y-%m-%d} 到期，须在到期前 {rules.renewal_window_months} 个月内参加换证考试"
    )
    return [Reason("renewal", message, rules.cite("renewal"), NOTE)]


def qualification(rules: Rules, facts: Facts) -> list[Reason]:
    """What an applicant (no certificate yet) still lacks: both exam parts and the initial training hours."""
    missing: list[Reason] = []
    for part in rules.exam_parts:
        sat = [e for e in facts.exams if e.purpose == "qualification" and e.part == part]
        if not any(e.passed(rules.exam_pass_mark) for e in sat):
            label = PARTS.get(part, part)
            missing.append(Reason("exam", f"资格考试“{label}”科目未合格", rules.cite("exam"), NOTE))
    total = sum(facts.earned.values(), Decimal("0"))
    if total < rules.initial_training_hours:
        message = f"岗前培训 {_hours(total)}/{_hours(rules.initial_training_hours)} 学时"
        missing.append(Reason("initial", message, rules.cite("initial"), NOTE))
    return missing


def evaluate(rules: Rules, facts: Facts) -> Verdict:
    """The annual review of one officer: every failing rule as a reason, notes for what could not be checked."""
    if facts.status not in REVIEWED_STATUSES:
        label = STATUS_LABELS.get(facts.status, facts.status)
        status_notes = [Reason("status", f"证件状态为“{label}”，不参加年审", "", NOTE)]
        if facts.status == "none":
            status_notes += qualification(rules, facts) or [Reason("initial", "已满足申领证件条件", "", NOTE)]
        return Verdict(applicable=False, passed=False, notes=status_notes, status_after=facts.status)
    reasons: list[Reason] = []
    notes: list[Reason] = []
    if facts.open_suspension is not None:
        reasons.append(Reason("suspension", f"证件暂扣尚未解除（{facts.open_suspension}）", rules.cite("suspension")))
    reasons += _hours_reasons(rules, facts)
    reasons += _exam_reasons(rules, facts)
    if rules.fail_on_spot_check:
        reasons += [
            Reason("spot_check", f"案卷抽查不合格：{summary}", rules.cite("spot_check"))
            for passed, summary in facts.spot_checks
            if not passed
        ]
    for check in (_idle, _rotation):
        failed, noted = check(rules, facts)
        reasons += failed
        notes += noted
    notes += _renewal_notes(rules, facts)
    if not reasons:
        return Verdict(applicable=True, passed=True, notes=notes, status_after="valid")
    after = "revoked" if any(r.consequence == REVOKE for r in reasons) else "suspended"
    return Verdict(applicable=True, passed=False, reasons=reasons, notes=notes, status_after=after)
