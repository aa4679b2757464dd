"""Writes of the learning record and the hours ledger. Other apps call statement_record() and hours_credit()."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from zhifa.common import cache as shared_cache
from zhifa.common.audit import audit_record
from zhifa.people import access
from zhifa.people.models import Officer, Unit, User
from zhifa.records import ledger
from zhifa.records.ledger import InvalidEvidence, InvalidHours
from zhifa.records.models import (
    Category,
    HoursEntry,
    HoursMonthly,
    HoursRequirement,
    HoursYearly,
    Statement,
    Verb,
)

logger = logging.getLogger(__name__)

__all__ = [
    "InvalidEvidence",
    "InvalidHours",
    "NotPermitted",
    "RecordsError",
    "hours_credit",
    "hours_entry_review",
    "hours_entry_submit",
    "hours_release_due",
    "hours_requirement_set",
    "hours_rollup_sync",
    "hours_withdraw",
    "statement_record",
]


class RecordsError(ValueError):
    """A request the ledger refuses; the message is Chinese and says how to fix it."""


class NotPermitted(RecordsError):
    """The user may not do this to this officer or unit."""


def _check_category(category: str) -> None:
    if category not in Category.values:
        names = "、".join(f"{c.value}（{c.label}）" for c in Category)
        raise InvalidHours(f"学时类别“{category}”不存在，请使用 {names}。")


def statement_record(
    *,
    officer: Officer,
    verb: str,
    object_type: str,
    object_id: str,
    object_name: str,
    result: dict | None = None,
    context: dict | None = None,
    timestamp: datetime | None = None,
    dedupe_key: str,
) -> Statement:
    """Write one xAPI-style statement; a second call with the same dedupe_key returns the existing row.

    Raises RecordsError for an unknown verb or an empty dedupe_key.
    """
    if verb not in Verb.values:
        raise RecordsError(f"学习记录的动作“{verb}”不存在，请使用 {'、'.join(Verb.values)} 之一。")
    if not dedupe_key:
        raise RecordsError("学习记录缺少去重键（dedupe_key），请用“应用:对象:人员”之类的稳定字符串。")
    existing = Statement.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: a concurrent writer of the same key wins, we return its row
            return Statement.objects.create(
                officer=officer,
                verb=verb,
                object_type=object_type[:40],
                object_id=str(object_id)[:64],
                object_name=object_name[:200],
                result=result,
                context=context,
                timestamp=timestamp or timezone.now(),
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return Statement.objects.get(dedupe_key=dedupe_key)


def _rollup_add(entry: HoursEntry, *, sign: int = 1) -> None:
    """Add an approved entry to its officer's monthly and yearly rollups, or take a withdrawn one out (sign=-1),
    inside the entry's transaction."""
    unit_path = Unit.objects.values_list("path", flat=True).get(pk=entry.officer.unit_id)
    monthly_key = {
        "officer_id": entry.officer_id,
        "year": entry.year,
        "month": entry.rollup_month,
        "category": entry.category,
    }
    amount = entry.hours * sign
    _add_to(HoursMonthly, monthly_key, "hours", amount, unit_path)
    _add_to(HoursYearly, {"officer_id": entry.officer_id, "year": entry.year}, entry.category, amount, unit_path)
    # An officer who changed unit: move the rest of his rows so subtree reports count him where he is now.
    for model in (HoursMonthly, HoursYearly):
        model.objects.filter(officer_id=entry.officer_id).exclude(unit_path=unit_path).update(unit_path=unit_path)


def _add_to(model, key: dict, field: str, amount: Decimal, unit_path: str) -> None:
    """Upsert: add `amount` to `field` of the row with `key`, creating the row when it is missing."""
    if model.objects.filter(**key).update(**{field: F(field) + amount, "unit_path": unit_path}):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, unit_path=unit_path, **{field: amount})
    except IntegrityError:  # created concurrently: add to it
        model.objects.filter(**key).update(**{field: F(field) + amount})


@transaction.atomic
def hours_credit(
    *,
    officer: Officer,
    category: str,
    hours: Decimal,
    source: str,
    evidence: str,
    dedupe_key: str,
    year: int | None = None,
    by: User | None = None,
    release_at: datetime | None = None,
) -> HoursEntry:
    """Credit approved hours from evidence the platform holds (a completed lesson, a passed exam, attendance).

    With `release_at` in the future (an exam passed before its results' release time) the entry is 待公布: it
    neither counts nor shows to the officer until then, so his ledger cannot tell him he passed
    (`hours_release_due` approves it). Idempotent per dedupe_key: a second call returns the existing entry.
    Raises InvalidHours for a bad category or hours ≤ 0 or > 200; RecordsError without a dedupe_key.
    """
    _check_category(category)
    hours = ledger.parse_hours(hours)
    if not dedupe_key:
        raise RecordsError("学时记录缺少去重键（dedupe_key），请用“应用:对象:人员”之类的稳定字符串。")
    existing = HoursEntry.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        if existing.status == HoursEntry.Status.WITHDRAWN:  # the evidence holds again (regraded back to a pass)
            return _withdrawn_restore(existing, by=by)
        return existing
    today, now = timezone.localdate(), timezone.now()
    scheduled = release_at is not None and release_at > now
    try:
        with transaction.atomic():
            entry = HoursEntry.objects.create(
                officer=officer,
                year=year or today.year,
                occurred_on=today,
                category=category,
                hours=hours,
                source=source[:200],
                evidence=evidence,
                status=HoursEntry.Status.SCHEDULED if scheduled else HoursEntry.Status.APPROVED,
                submitted_by=by,
                approved_by=by,
                approved_at=None if scheduled else now,
                release_at=release_at,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return HoursEntry.objects.get(dedupe_key=dedupe_key)
    if release_at is not None and scheduled:
        transaction.on_commit(lambda: _release_later(release_at))
    else:
        _rollup_add(entry)
    return entry


def _release_later(when: datetime) -> None:
    """Queue one release job for this release time (the cron command is the fallback), where the backend defers."""
    from zhifa.records.tasks import hours_release_task  # the task module imports these services

    backend = hours_release_task.get_backend()
    if not backend.supports_defer:
        return
    # An exam's examinees share one release time: one job for all of them (per cache; per process
    # while Redis is down), not one per examinee.
    if shared_cache.add(f"records:release-job:{when.isoformat()}", 1, 7 * 24 * 3600, use="release-job"):
        try:
            hours_release_task.using(run_after=when).enqueue()
        except Exception:  # a queue outage must not fail the exam's submission: the periodic command catches up
            logger.exception("records: could not queue the hours release for %s", when.isoformat())


def hours_release_due(*, officer: Officer | None = None, now: datetime | None = None) -> int:
    """Approve the 待公布 entries whose release time has come (one officer's, or everyone's); returns how many.

    Run by `manage.py records_hours_release` (cron) and lazily before an officer's ledger is shown. Idempotent.
    """
    due = HoursEntry.objects.filter(status=HoursEntry.Status.SCHEDULED, release_at__lte=now or timezone.now())
    if officer is not None:
        due = due.filter(officer=officer)
    released = 0
    for entry_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            entry = HoursEntry.objects.select_for_update().select_related("officer").get(pk=entry_id)
            if entry.status != HoursEntry.Status.SCHEDULED:
                continue  # released concurrently
            entry.status, entry.approved_at = HoursEntry.Status.APPROVED, entry.release_at
            entry.save(update_fields=["status", "approved_at"])
            _rollup_add(entry)
            released += 1
    return released


@transaction.atomic
def hours_withdraw(*, dedupe_key: str, reason: str, by: User | None = None) -> HoursEntry | None:
    """Withdraw the approved hours credited under `dedupe_key` because their evidence no longer holds; audited.

    The entry stays in the ledger as 已撤销 and leaves the rollups. Idempotent: None when nothing was credited,
    the entry unchanged when it is not approved. Raises RecordsError without a reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RecordsError("撤销学时时请写明原因（例如“复核改分后考试未通过”）。")
    entry = HoursEntry.objects.select_for_update().filter(dedupe_key=dedupe_key).first()
    if entry is None or entry.status not in (HoursEntry.Status.APPROVED, HoursEntry.Status.SCHEDULED):
        return entry
    old_status = entry.status
    entry.status, entry.review_reason = HoursEntry.Status.WITHDRAWN, reason
    entry.save(update_fields=["status", "review_reason"])
    if old_status == HoursEntry.Status.APPROVED:  # a 待公布 entry never reached the rollups
        _rollup_add(entry, sign=-1)
    audit_record(
        actor=by,
        action="hours.withdraw",
        obj=entry,
        old={"status": old_status, "hours": str(entry.hours)},
        new={"status": entry.status},
        reason=reason,
    )
    return entry


def _withdrawn_restore(entry: HoursEntry, *, by: User | None) -> HoursEntry:
    with transaction.atomic():
        entry = HoursEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != HoursEntry.Status.WITHDRAWN:
            return entry
        scheduled = entry.release_at is not None and entry.release_at > timezone.now()
        entry.status = HoursEntry.Status.SCHEDULED if scheduled else HoursEntry.Status.APPROVED
        entry.review_reason = ""
        entry.save(update_fields=["status", "review_reason"])
        if not scheduled:
            _rollup_add(entry)
        audit_record(
            actor=by,
            action="hours.restore",
            obj=entry,
            old={"status": HoursEntry.Status.WITHDRAWN},
            new={"status": entry.status, "hours": str(entry.hours)},
            reason="佐证重新成立（如复核改分后考试通过）",
        )
    return entry


def _check_evidence(evidence_file: UploadedFile | None) -> None:
    if evidence_file is None:
        ledger.check_evidence_file(name="", size=0, head=b"")
        return
    head = evidence_file.read(16)
    evidence_file.seek(0)
    ledger.check_evidence_file(name=evidence_file.name or "", size=evidence_file.size or 0, head=head)


@transaction.atomic
def hours_entry_submit(
    *,
    officer: Officer,
    by: User,
    category: str,
    hours: object,
    occurred_on: date,
    title: str,
    evidence: str,
    evidence_file: UploadedFile | None,
) -> HoursEntry:
    """An officer declares training done elsewhere, with an evidence file; it waits for a unit administrator.

    Raises InvalidHours, InvalidEvidence (no file, wrong type, > 10 MB), RecordsError (bad date or title),
    NotPermitted when `by` is neither the officer nor one of his administrators.
    """
    if access.officer_of(by) != officer and not access.can_manage_officer(by, officer):
        raise NotPermitted("只能为本人或本单位（含下级单位）的执法人员申报学时。")
    _check_category(category)
    amount = ledger.parse_hours(hours)
    title = (title or "").strip()
    if not title:
        raise RecordsError("请填写培训名称（例如“2026 年全省行政执法人员轮训班”）。")
    today = timezone.localdate()
    if occurred_on > today:
        raise RecordsError(f"培训日期 {occurred_on} 晚于今天，请填写已经完成的培训。")
    if occurred_on.year < today.year - 1:
        raise RecordsError(f"培训日期 {occurred_on} 已超过申报期限（只能申报今年和去年的培训）。")
    _check_evidence(evidence_file)
    assert evidence_file is not None  # _check_evidence refuses a missing file
    entry = HoursEntry(
        officer=officer,
        year=occurred_on.year,
        occurred_on=occurred_on,
        category=category,
        hours=amount,
        source=f"个人申报：{title}"[:200],
        evidence=evidence.strip(),
        is_manual=True,
        status=HoursEntry.Status.PENDING,
        submitted_by=by,
        dedupe_key=f"records:manual:{officer.pk}:{uuid.uuid4().hex}",
    )
    entry.evidence_file.save(evidence_file.name or "evidence", evidence_file, save=False)
    entry.save()
    audit_record(
        actor=by,
        action="hours.submit",
        obj=entry,
        new={"category": category, "hours": str(amount), "occurred_on": str(occurred_on), "title": title},
    )
    return entry


@transaction.atomic
def hours_entry_review(*, entry: HoursEntry, by: User, approve: bool, reason: str = "") -> HoursEntry:
    """Approve (credit) or reject a pending manual entry; audited.

    Raises NotPermitted when the officer is outside the reviewer's subtree or the reviewer is the officer himself;
    RecordsError when the entry is no longer pending or a rejection has no reason.
    """
    entry = HoursEntry.objects.select_for_update().select_related("officer__unit").get(pk=entry.pk)
    if not access.can_manage_officer(by, entry.officer) or access.officer_of(by) == entry.officer:
        raise NotPermitted(f"您无权审核{entry.officer.name}的学时申报：只能审核本单位及下级单位其他人员的申报。")
    if entry.status != HoursEntry.Status.PENDING:
        raise RecordsError(f"这条申报已{entry.get_status_display()}，不能重复审核。")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise RecordsError("退回申报时请填写原因（例如“证书不清晰，请重新上传”），以便本人修改。")
    entry.status = HoursEntry.Status.APPROVED if approve else HoursEntry.Status.REJECTED
    entry.approved_by, entry.approved_at, entry.review_reason = by, timezone.now(), reason
    entry.save(update_fields=["status", "approved_by", "approved_at", "review_reason"])
    if approve:
        _rollup_add(entry)
    audit_record(
        actor=by,
        action="hours.approve" if approve else "hours.reject",
        obj=entry,
        old={"status": HoursEntry.Status.PENDING},
        new={"status": entry.status},
        reason=reason,
    )
    return entry


@transaction.atomic
def hours_requirement_set(
    *, by: User, year: int, category: str, hours: object, province: str = "", unit: Unit | None = None
) -> HoursRequirement:
    """Set the yearly requirement of one category for a unit subtree, a province or (no scope) the whole country.

    Unit administrators may set it for units they manage; province and national scopes need a system administrator.
    Raises NotPermitted, InvalidHours (negative or > 1000), RecordsError (both scopes given, bad year).
    """
    _check_category(category)
    if unit is not None and province:
        raise RecordsError("学时要求只能针对一个范围：请选择省份或单位其中之一。")
    allowed = access.can_manage_unit(by, unit) if unit is not None else access.is_system_admin(by)
    if not allowed:
        raise NotPermitted("您无权设置这个范围的学时要求：单位管理员只能设置本单位及下级单位的要求。")
    amount = _requirement_hours(hours)
    if not 2000 <= int(year) <= 2100:
        raise RecordsError(f"年度 {year} 不正确，请填写四位年份。")
    current = (
        HoursRequirement.objects.select_for_update()
        .filter(year=year, category=category, province=province, unit=unit)
        .order_by("pk")  # the default ordering joins the unit, which FOR UPDATE refuses on PostgreSQL
        .first()
    )
    old = {"hours": str(current.hours)} if current else None
    if current is None:
        current = HoursRequirement(year=year, category=category, province=province, unit=unit)
    current.hours = amount
    current.save()
    audit_record(
        actor=by,
        action="hours_requirement.set",
        obj=current,
        old=old,
        new={"year": year, "category": category, "hours": str(amount), "scope": current.scope_label},
    )
    return current


def _requirement_hours(value: object) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        raise InvalidHours(f"要求学时“{value}”不是数字，请填写例如 30。") from None
    if not amount.is_finite() or amount < 0 or amount > 1000:
        raise InvalidHours(f"要求学时必须在 0 到 1000 之间（现为 {value}）。")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def hours_rollup_sync(*, officer: Officer | None = None) -> int:
    """Move rollup rows to the current unit path of their officer (after transfers); returns rows changed."""
    changed = 0
    for model in (HoursMonthly, HoursYearly):
        current = Subquery(Officer.objects.filter(pk=OuterRef("officer_id")).values("unit__path")[:1])
        rows = model.objects.all() if officer is None else model.objects.filter(officer=officer)
        changed += rows.exclude(unit_path=current).update(unit_path=current)
    return changed
