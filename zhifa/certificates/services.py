"""Writes of the certificates app: the only code that changes an officer's certificate fields, always with a
CertificateEvent and an audit event; the ledgers the annual review reads; the review's confirmation; the expiry job
and its reminders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from zhifa.certificates import queries, review
from zhifa.certificates.models import (
    CertificateEvent,
    CertificateExam,
    CertificateRuleSet,
    EnforcementActCount,
    ReviewDecision,
    ReviewFinding,
    Suspension,
)
from zhifa.certificates.rules import JIANGBEI, JIANGBEI_DOCUMENT, JIANGBEI_SOURCES, Rules
from zhifa.common.audit import audit_record
from zhifa.exams.models import Exam
from zhifa.notices.models import Notice
from zhifa.notices.services import NoticeIn, notices_send
from zhifa.people import access
from zhifa.people.models import Officer, User

Status = Officer.CertificateStatus
MAX_REASON = 300
REMINDER_DAYS = (90, 30)


class CertificateError(ValueError):
    """A request the rules refuse; the message (Chinese) names the field and the fix."""


class NotPermitted(CertificateError):
    """The user may not manage this officer (views answer 404)."""


def _reason(reason: str, *, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(f"请填写{what}的原因（“原因”不能为空），例如所依据的文件或事实。")
    if len(reason) > MAX_REASON:
        raise CertificateError(f"原因不能超过 {MAX_REASON} 字（现为 {len(reason)} 字），请精简后再提交。")
    return reason


def _check_manager(by: User | None, officer: Officer) -> None:
    if by is not None and not access.can_manage_officer(by, officer):
        raise NotPermitted("您无权管理该执法人员的证件。")


def _change(
    officer: Officer,
    *,
    kind: str,
    by: User | None,
    reason: str,
    status: str,
    expires: date | None = None,
    issued: date | None = None,
) -> CertificateEvent:
    """Set the certificate fields of a locked officer row, with a CertificateEvent and an audit event."""
    locked = Officer.objects.select_for_update().get(pk=officer.pk)
    old = {"certificate_status": locked.certificate_status, "certificate_expires": _iso(locked.certificate_expires)}
    event = CertificateEvent.objects.create(
        officer=locked,
        kind=kind,
        reason=reason,
        status_before=locked.certificate_status,
        status_after=status,
        expires_before=locked.certificate_expires,
        expires_after=expires or locked.certificate_expires,
        by=by,
    )
    locked.certificate_status = status
    fields = ["certificate_status", "updated_at"]
    if expires is not None:
        locked.certificate_expires = expires
        fields.append("certificate_expires")
    if issued is not None:
        locked.certificate_issued = issued
        fields.append("certificate_issued")
    locked.save(update_fields=fields)
    new = {"certificate_status": status, "certificate_expires": _iso(locked.certificate_expires)}
    audit_record(actor=by, action=f"certificates.{kind}", obj=locked, old=old, new=new, reason=reason)
    officer.certificate_status, officer.certificate_expires = locked.certificate_status, locked.certificate_expires
    officer.certificate_issued = locked.certificate_issued
    return event


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- rules ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def rule_set_install_default(*, by: User | None = None) -> CertificateRuleSet:
    """江北省's example rule set, created once (an existing one is left as its administrators edited it)."""
    rule_set, created = CertificateRuleSet.objects.get_or_create(
        province=JIANGBEI.province,
        defaults={
            "name": "江北省行政执法证件管理规则（示例）",
            "validity_years": JIANGBEI.validity_years,
            "yearly_hours_total": JIANGBEI.yearly_hours_total,
            "category_hours": {c: str(v) for c, v in JIANGBEI.category_hours.items()},
            "hours_per_category": JIANGBEI.hours_per_category,
            "initial_training_hours": JIANGBEI.initial_training_hours,
            "exam_pass_mark": JIANGBEI.exam_pass_mark,
            "exam_parts": list(JIANGBEI.exam_parts),
            "renewal_window_months": JIANGBEI.renewal_window_months,
            "rotation_years": JIANGBEI.rotation_years,
            "idle_years": JIANGBEI.idle_years,
            "review_month": JIANGBEI.review_month,
            "sources": {code: {"document": JIANGBEI_DOCUMENT, **v} for code, v in JIANGBEI_SOURCES.items()},
        },
    )
    if created:
        audit_record(actor=by, action="certificates.rule_set_install", obj=rule_set, new={"province": "江北省"})
    return rule_set


@transaction.atomic
def certificate_exam_link(
    *, exam: Exam, rule_set: CertificateRuleSet, purpose: str, part: str, by: User | None
) -> CertificateExam:
    """Say what an exam counts for in a province's rules; raises CertificateError for an unknown purpose or part."""
    if purpose not in CertificateExam.Purpose.values:
        raise CertificateError("“用途”须为资格考试、换证考试或新法考试之一。")
    if part not in CertificateExam.Part.values:
        raise CertificateError("“科目”须为公共法律知识或专业法律知识。")
    if by is not None and not access.can_manage_unit(by, exam.unit):
        raise NotPermitted("您无权管理该考试。")
    link, _ = CertificateExam.objects.update_or_create(
        exam=exam, defaults={"rule_set": rule_set, "purpose": purpose, "part": part}
    )
    audit_record(actor=by, action="certificates.exam_link", obj=link, new={"purpose": purpose, "part": part})
    return link


# --- ledgers the review reads ---------------------------------------------------------------------------------------


def _check_year(year: int) -> None:
    current = timezone.localdate().year
    if not 2000 <= year <= current:
        raise CertificateError(f"年度 {year} 无效：请填写 2000 至 {current} 之间的年份。")


@transaction.atomic
def act_count_set(
    *, officer: Officer, year: int, count: int, explanation: str = "", by: User | None
) -> EnforcementActCount:
    """Record an officer's enforcement acts in a year (replacing an earlier figure); audited."""
    _check_manager(by, officer)
    _check_year(year)
    if count < 0:
        raise CertificateError(f"“执法行为数”不能为负数（现为 {count}），请填写 0 或正整数。")
    explanation = (explanation or "").strip()[:MAX_REASON]
    record = EnforcementActCount.objects.filter(officer=officer, year=year).first()
    old = {"count": record.count, "explanation": record.explanation} if record else None
    record, _ = EnforcementActCount.objects.update_or_create(
        officer=officer, year=year, defaults={"count": count, "explanation": explanation, "entered_by": by}
    )
    audit_record(
        actor=by, action="certificates.act_count_set", obj=officer, old=old,
        new={"year": year, "count": count, "explanation": explanation},
    )  # fmt: skip
    return record


@dataclass
class ImportResult:
    saved: int
    errors: list[str]


IMPORT_HEADERS = ("执法证号", "年度", "执法行为数", "说明")


def _cell(value: object) -> str:
    """A spreadsheet cell as text; 7.0 (a number typed in Excel) as "7"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def act_counts_import(*, by: User, content: bytes) -> ImportResult:
    """Enforcement-act counts from a spreadsheet (执法证号, 年度, 执法行为数, 说明): all rows or none."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception:
        return ImportResult(0, ["无法读取文件：请上传由模板填写的 .xlsx 文件。"])
    rows = list(sheet.iter_rows(values_only=True))
    if not rows or tuple(str(c or "").strip() for c in rows[0][:3]) != IMPORT_HEADERS[:3]:
        return ImportResult(0, [f"第 1 行须为表头：{'、'.join(IMPORT_HEADERS)}。"])
    if len(rows) > 20001:
        return ImportResult(0, ["一次最多导入 20000 行，请分批导入。"])
    numbers = {str(r[0]).strip() for r in rows[1:] if r and r[0]}
    officers = {
        o.certificate_number: o for o in Officer.objects.filter(certificate_number__in=numbers).select_related("unit")
    }
    errors, parsed = [], []
    for index, row in enumerate(rows[1:], start=2):
        cells = [*row, None, None, None, None][:4]
        if not any(cells):
            continue
        number, year_text, count_text, explanation = (_cell(c) for c in cells)
        officer = officers.get(number)
        if officer is None or not access.can_manage_officer(by, officer):
            errors.append(f"第 {index} 行：执法证号“{number}”不在您管理的人员中，请核对证号。")
            continue
        if not year_text.isdigit() or not count_text.isdigit():
            errors.append(f"第 {index} 行：“年度”和“执法行为数”须为整数（现为“{year_text}”“{count_text}”）。")
            continue
        parsed.append((officer, int(year_text), int(count_text), explanation))
    if errors:
        return ImportResult(0, errors[:50])
    try:
        with transaction.atomic():
            for officer, year, count, explanation in parsed:
                act_count_set(officer=officer, year=year, count=count, explanation=explanation, by=by)
    except CertificateError as error:
        return ImportResult(0, [str(error)])
    return ImportResult(len(parsed), [])


@transaction.atomic
def review_finding_record(
    *, officer: Officer, year: int, passed: bool, summary: str, source_key: str, by: User | None = None
) -> ReviewFinding:
    """Record a finding the annual review reads (a case-file spot check); idempotent per `source_key`.

    Called by the evaluation app when a case-file review concludes; a later call with the same key replaces
    the outcome (a corrected review). Raises CertificateError for an empty summary or key.
    """
    summary = (summary or "").strip()
    if not summary or not source_key:
        raise CertificateError("请填写抽查结论（“结论”不能为空）和来源。")
    finding = ReviewFinding.objects.filter(source_key=source_key).first()
    old = {"passed": finding.passed, "summary": finding.summary} if finding else None
    finding, _ = ReviewFinding.objects.update_or_create(
        source_key=source_key,
        defaults={"officer": officer, "year": year, "passed": passed, "summary": summary[:300], "recorded_by": by},
    )
    audit_record(
        actor=by, action="certificates.finding_record", obj=officer, old=old,
        new={"year": year, "passed": passed, "summary": summary[:300], "source": source_key},
    )  # fmt: skip
    return finding


# --- lifecycle actions ------------------------------------------------------------------------------------------------


@transaction.atomic
def certificate_suspend(
    *, officer: Officer, by: User | None, reason: str, off_duty_training: bool = False
) -> Suspension:
    """暂扣: suspend a valid certificate; raises CertificateError without a reason or when it is not valid."""
    _check_manager(by, officer)
    reason = _reason(reason, what="暂扣")
    if officer.certificate_status != Status.VALID:
        raise CertificateError(f"只有有效的证件可以暂扣（当前状态：{officer.get_certificate_status_display()}）。")
    _change(officer, kind=CertificateEvent.Kind.SUSPEND, by=by, reason=reason, status=Status.SUSPENDED)
    return Suspension.objects.create(
        officer=officer, reason=reason, off_duty_training=off_duty_training, started_at=timezone.now(), started_by=by
    )


def _close_suspensions(officer: Officer, resolution: str) -> None:
    Suspension.objects.filter(officer=officer, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolution=resolution[:300]
    )


@transaction.atomic
def certificate_reinstate(*, officer: Officer, by: User | None, reason: str) -> CertificateEvent:
    """Lift a suspension (解除暂扣); raises CertificateError without a reason or when it is not suspended."""
    _check_manager(by, officer)
    reason = _reason(reason, what="恢复证件")
    if officer.certificate_status != Status.SUSPENDED:
        raise CertificateError("只有被暂扣的证件可以恢复。")
    if officer.certificate_expires is not None and officer.certificate_expires < timezone.localdate():
        raise CertificateError("证件已过有效期，不能恢复，请办理换证。")
    _close_suspensions(officer, reason)
    return _change(officer, kind=CertificateEvent.Kind.REINSTATE, by=by, reason=reason, status=Status.VALID)


@transaction.atomic
def certificate_revoke(*, officer: Officer, by: User | None, reason: str) -> CertificateEvent:
    """吊销: revoke a valid or suspended certificate; raises CertificateError without a reason."""
    _check_manager(by, officer)
    reason = _reason(reason, what="吊销")
    if officer.certificate_status not in (Status.VALID, Status.SUSPENDED):
        raise CertificateError(f"该证件当前状态为“{officer.get_certificate_status_display()}”，不能吊销。")
    _close_suspensions(officer, f"证件已吊销：{reason}")
    return _change(officer, kind=CertificateEvent.Kind.REVOKE, by=by, reason=reason, status=Status.REVOKED)


@transaction.atomic
def certificate_cancel(*, officer: Officer, by: User | None, reason: str) -> CertificateEvent:
    """注销: cancel a certificate (the officer leaves enforcement work); raises CertificateError without a reason."""
    _check_manager(by, officer)
    reason = _reason(reason, what="注销")
    if officer.certificate_status in (Status.REVOKED, Status.NONE):
        raise CertificateError(f"该证件当前状态为“{officer.get_certificate_status_display()}”，无须注销。")
    _close_suspensions(officer, f"证件已注销：{reason}")
    return _change(officer, kind=CertificateEvent.Kind.CANCEL, by=by, reason=reason, status=Status.REVOKED)


@transaction.atomic
def certificate_issue(*, officer: Officer, by: User | None, number: str, today: date | None = None) -> CertificateEvent:
    """发证: an applicant who passed both qualification exam parts and the induction training gets a certificate
    valid for the province's validity from today. Raises CertificateError for a missing or taken number, an officer
    who already holds one, or unmet conditions (each named)."""
    _check_manager(by, officer)
    today = today or timezone.localdate()
    number = (number or "").strip()
    if not number:
        raise CertificateError("请填写“执法证号”。")
    if Officer.objects.filter(certificate_number=number).exclude(pk=officer.pk).exists():
        raise CertificateError(f"执法证号“{number}”已被他人使用，请核对。")
    if officer.certificate_status in (Status.VALID, Status.SUSPENDED):
        raise CertificateError("该人员已持有执法证，无须发证（到期请办理换证）。")
    row = queries.review_row_of_officer(officer=officer, year=today.year, today=today)
    rules = queries.RuleBook().for_path(officer.unit.path)
    missing = review.qualification(rules, row.facts)
    if missing:
        raise CertificateError("尚不满足申领条件：" + "；".join(r.text for r in missing))
    Officer.objects.filter(pk=officer.pk).update(certificate_number=number)
    officer.certificate_number = number
    expires = today + relativedelta(years=rules.validity_years) - timedelta(days=1)
    return _change(
        officer, kind=CertificateEvent.Kind.ISSUE, by=by, reason=f"发证：{number}", status=Status.VALID,
        expires=expires, issued=today,
    )  # fmt: skip


def _check_renewal_exam(officer: Officer, rules: Rules, today: date) -> None:
    """Where the province holds renewal exams on the platform, renewing needs a pass in one of this year's."""
    if not CertificateExam.objects.filter(
        rule_set__province=rules.province, purpose=CertificateExam.Purpose.RENEWAL
    ).exists():
        return  # renewal exams are held elsewhere: the administrator checks the paper certificate
    row = queries.review_row_of_officer(officer=officer, year=today.year, today=today)
    if not any(e.purpose == "renewal" and e.passed(rules.exam_pass_mark) for e in row.facts.exams):
        raise CertificateError(
            f"尚未通过本年度换证考试（合格分 {review.number(rules.exam_pass_mark)}），"
            f"请先在证件到期前 {rules.renewal_window_months} 个月内参加换证考试。"
        )


@transaction.atomic
def certificate_renew(
    *, officer: Officer, by: User | None, expires: date | None, reason: str = "", today: date | None = None
) -> CertificateEvent:
    """换证: a new expiry date after today, at most the province's validity; the certificate becomes valid again.

    Raises CertificateError for a missing or past date, one beyond the validity, or a revoked certificate.
    """
    _check_manager(by, officer)
    today = today or timezone.localdate()
    if expires is None:
        raise CertificateError("请填写“新的有效期至”，格式如 2031-12-31。")
    if expires <= today:
        raise CertificateError(f"“新的有效期至”须晚于今天（{today:%Y-%m-%d}），现为 {expires:%Y-%m-%d}。")
    rules = queries.RuleBook().for_path(officer.unit.path)
    limit = today + relativedelta(years=rules.validity_years)
    if expires > limit:
        raise CertificateError(
            f"“新的有效期至”不能晚于 {limit:%Y-%m-%d}（本省证件有效期为 {rules.validity_years} 年）。"
        )
    if officer.certificate_status in (Status.REVOKED, Status.NONE):
        raise CertificateError("已吊销、注销或未取得的证件不能换证，须重新申领。")
    if officer.certificate_status == Status.SUSPENDED:
        raise CertificateError("证件暂扣期间不能换证，请先解除暂扣。")
    _check_renewal_exam(officer, rules, today)
    reason = (reason or "").strip()[:MAX_REASON] or "换发新证"
    return _change(
        officer, kind=CertificateEvent.Kind.RENEW, by=by, reason=reason, status=Status.VALID, expires=expires
    )


# --- the annual review ----------------------------------------------------------------------------------------------


@dataclass
class ConfirmResult:
    passed: int
    failed: int
    skipped: int


@transaction.atomic
def review_confirm(*, by: User, officer_ids: list[int], year: int, today: date | None = None) -> ConfirmResult:
    """Confirm the annual review of these officers as the rules compute it now (never as a form says).

    Passed keeps the certificate as it is; failed suspends it (with off-duty training after a failed new-law exam)
    or revokes it when the rules say so. Officers already decided for the year, or not subject to review, are
    skipped. Raises NotPermitted when any officer is outside the user's subtree.
    """
    today = today or timezone.localdate()
    # Lock the officers first: a second administrator confirming at the same time waits, then finds the decision.
    officers = list(
        Officer.objects.select_for_update(of=("self",))
        .filter(pk__in_array=officer_ids)
        .select_related("unit")
        .order_by("pk")
    )
    if len(officers) != len(set(officer_ids)) or any(not access.can_manage_officer(by, o) for o in officers):
        raise NotPermitted("您无权确认这些人员的年审结论。")
    rows = queries.review_rows_for(
        [{**r} for r in Officer.objects.filter(pk__in_array=officer_ids).values(*queries.OFFICER_FIELDS)],
        year=year,
        today=today,
    )
    result = ConfirmResult(0, 0, 0)
    by_id = {o.pk: o for o in officers}
    for row in rows:
        if row.decision is not None or not row.verdict.applicable:
            result.skipped += 1
            continue
        _decide(by_id[row.officer_id], row, by=by, year=year)
        if row.verdict.passed:
            result.passed += 1
        else:
            result.failed += 1
    return result


def _decide(officer: Officer, row: queries.ReviewRow, *, by: User, year: int) -> None:
    verdict = row.verdict
    outcome = ReviewDecision.Outcome.PASSED if verdict.passed else ReviewDecision.Outcome.FAILED
    before = officer.certificate_status
    after = before if verdict.passed else verdict.status_after
    reasons = [{"code": r.code, "text": r.text} for r in verdict.reasons]
    ReviewDecision.objects.create(
        officer=officer, year=year, outcome=outcome, reasons=reasons, status_before=before, status_after=after,
        decided_by=by, decided_at=timezone.now(),
    )  # fmt: skip
    text = f"{year} 年度年审" + ("通过" if verdict.passed else f"不通过：{verdict.summary}")
    kind = CertificateEvent.Kind.REVIEW_PASS if verdict.passed else CertificateEvent.Kind.REVIEW_FAIL
    if after == Status.REVOKED:
        _close_suspensions(officer, text)
    _change(officer, kind=kind, by=by, reason=text, status=after)
    if after == Status.SUSPENDED and not Suspension.objects.filter(officer=officer, resolved_at__isnull=True).exists():
        Suspension.objects.create(
            officer=officer, reason=text[:300], off_duty_training=verdict.off_duty_training,
            started_at=timezone.now(), started_by=by,
        )  # fmt: skip


# --- the daily job: expiry and reminders ------------------------------------------------------------------------------


@transaction.atomic
def certificates_expire(*, today: date | None = None) -> int:
    """Mark every valid or suspended certificate past its expiry date as expired; returns how many."""
    today = today or timezone.localdate()
    due = Officer.objects.filter(
        certificate_status__in=(Status.VALID, Status.SUSPENDED), certificate_expires__lt=today
    ).select_related("unit")
    count = 0
    for officer in due:
        reason = f"有效期至 {officer.certificate_expires:%Y-%m-%d}，已过期"
        _close_suspensions(officer, reason)
        _change(officer, kind=CertificateEvent.Kind.EXPIRE, by=None, reason=reason, status=Status.EXPIRED)
        count += 1
    return count


def certificate_reminders_send(*, today: date | None = None) -> int:
    """Expiry in 90 and 30 days, and the annual review when its month has come: each notice once per officer."""
    today = today or timezone.localdate()
    notices: list[NoticeIn] = []
    expiring = Officer.objects.filter(
        certificate_status=Status.VALID, certificate_expires__gte=today,
        certificate_expires__lte=today + timedelta(days=max(REMINDER_DAYS)),
    ).values_list("user_id", "pk", "certificate_expires")  # fmt: skip
    for user_id, officer_id, expires in expiring:
        if expires is None:
            continue
        days = min(d for d in REMINDER_DAYS if expires <= today + timedelta(days=d))
        notices.append(
            NoticeIn(
                user_id=user_id,
                key=f"certificates:expiry:{officer_id}:{expires:%Y%m%d}:{days}",
                title=f"您的执法证将于 {expires:%Y-%m-%d} 到期（{days} 天内）",
                body="请按规定参加换证考试并办理换证，逾期证件失效，不得从事行政执法活动。",
                url="/certificates/",
                kind=Notice.Kind.CERTIFICATE,
            )
        )
    notices += _review_due_notices(today)
    return notices_send(notices)


def _review_due_notices(today: date) -> list[NoticeIn]:
    book = queries.RuleBook()
    officers = [
        o
        for o in Officer.objects.filter(
            certificate_status__in=(Status.VALID, Status.SUSPENDED), employment__in=queries.COUNTED_EMPLOYMENT
        ).values(*queries.OFFICER_FIELDS)
        if today.month >= book.for_path(o["unit__path"]).review_month
    ]
    decided = set(
        ReviewDecision.objects.filter(year=today.year, officer_id__in_array=[o["id"] for o in officers]).values_list(
            "officer_id", flat=True
        )
    )
    officers = [o for o in officers if o["id"] not in decided]
    notices = []
    for row in queries.review_rows_for(officers, year=today.year, today=today):
        forecast = "预计通过。" if row.verdict.passed else f"预计不通过：{row.verdict.summary}"
        notices.append(
            NoticeIn(
                user_id=row.user_id,
                key=f"certificates:review-due:{today.year}:{row.officer_id}",
                title=f"{today.year} 年度执法证年审即将进行",
                body=forecast[:1000],
                url="/certificates/",
                kind=Notice.Kind.CERTIFICATE,
            )
        )
    return notices
