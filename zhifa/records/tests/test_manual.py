"""Manual entries (training done elsewhere): evidence required, reviewed by a unit administrator, audited."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhifa.common.models import AuditEvent
from zhifa.people.models import Role
from zhifa.people.testing import grant, make_officer, make_user
from zhifa.records import services
from zhifa.records.models import HoursEntry, HoursMonthly, HoursRequirement
from zhifa.records.tests.conftest import pdf_upload

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW)


def submit(officer, **overrides):
    kwargs = {
        "officer": officer,
        "by": officer.user,
        "category": "legal",
        "hours": "8",
        "occurred_on": date(2026, 5, 20),
        "title": "全省行政执法人员轮训班",
        "evidence": "省司法厅主办",
        "evidence_file": pdf_upload(),
    }
    return services.hours_entry_submit(**{**kwargs, **overrides})


def test_a_manual_entry_waits_for_approval_and_then_counts(officer, unit_admin):
    entry = submit(officer)
    assert entry.status == HoursEntry.Status.PENDING and entry.evidence_file.name.endswith(".pdf")
    assert not HoursMonthly.objects.exists()  # nothing credited before review
    services.hours_entry_review(entry=entry, by=unit_admin, approve=True)
    entry.refresh_from_db()
    assert entry.status == HoursEntry.Status.APPROVED and entry.approved_by == unit_admin
    row = HoursMonthly.objects.get()
    assert (row.month, row.category, row.hours) == (5, "legal", Decimal("8.00"))
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == ["hours.submit", "hours.approve"]


def test_a_rejection_needs_a_reason_and_credits_nothing(officer, unit_admin):
    entry = submit(officer)
    with pytest.raises(services.RecordsError, match="填写原因"):
        services.hours_entry_review(entry=entry, by=unit_admin, approve=False, reason=" ")
    services.hours_entry_review(entry=entry, by=unit_admin, approve=False, reason="证书不清晰，请重新上传")
    entry.refresh_from_db()
    assert entry.status == HoursEntry.Status.REJECTED and entry.review_reason == "证书不清晰，请重新上传"
    assert not HoursMonthly.objects.exists()
    assert AuditEvent.objects.filter(action="hours.reject", reason="证书不清晰，请重新上传").exists()


def test_an_entry_is_reviewed_only_once(officer, unit_admin, sysadmin):
    entry = submit(officer)
    services.hours_entry_review(entry=entry, by=unit_admin, approve=True)
    with pytest.raises(services.RecordsError, match="不能重复审核"):
        services.hours_entry_review(entry=entry, by=sysadmin, approve=True)
    assert HoursMonthly.objects.get().hours == Decimal("8.00")


def test_approving_outside_ones_subtree_is_refused(officer, outsider, unit_admin):
    entry = submit(outsider)
    with pytest.raises(services.NotPermitted, match="本单位及下级单位"):
        services.hours_entry_review(entry=entry, by=unit_admin, approve=True)
    assert HoursEntry.objects.get().status == HoursEntry.Status.PENDING
    assert not HoursMonthly.objects.exists()


def test_an_administrator_cannot_approve_his_own_entry(unit_admin):
    own = submit(unit_admin.officer)
    with pytest.raises(services.NotPermitted):
        services.hours_entry_review(entry=own, by=unit_admin, approve=True)


@pytest.mark.parametrize(
    "overrides, error, words",
    [
        ({"evidence_file": None}, services.InvalidEvidence, "请上传佐证材料"),
        ({"evidence_file": SimpleUploadedFile("a.pdf", b"")}, services.InvalidEvidence, "请上传佐证材料"),
        ({"evidence_file": SimpleUploadedFile("a.exe", b"MZ")}, services.InvalidEvidence, "格式不受支持"),
        ({"evidence_file": SimpleUploadedFile("a.pdf", b"MZ\x90")}, services.InvalidEvidence, "扩展名不符"),
        ({"hours": "-3"}, services.InvalidHours, "大于 0"),
        ({"hours": "100000"}, services.InvalidHours, "不能超过"),
        ({"hours": "两小时"}, services.InvalidHours, "不是数字"),
        ({"category": "sport"}, services.InvalidHours, "类别"),
        ({"title": "  "}, services.RecordsError, "培训名称"),
        ({"occurred_on": date(2026, 7, 1)}, services.RecordsError, "晚于今天"),
        ({"occurred_on": date(2023, 7, 1)}, services.RecordsError, "申报期限"),
    ],
)
def test_bad_manual_entries_are_refused_and_nothing_is_stored(officer, overrides, error, words):
    with pytest.raises(error, match=words):
        submit(officer, **overrides)
    assert not HoursEntry.objects.exists() and not AuditEvent.objects.exists()


def test_an_officer_cannot_declare_for_a_colleague(officer, outsider):
    with pytest.raises(services.NotPermitted):
        submit(outsider, by=officer.user)


def test_a_unit_admin_sets_a_requirement_for_his_subtree_only(org, unit_admin):
    requirement = services.hours_requirement_set(
        by=unit_admin, year=2026, category="skill", hours="24", unit=org.market
    )
    assert requirement.hours == Decimal("24.00")
    again = services.hours_requirement_set(by=unit_admin, year=2026, category="skill", hours="26", unit=org.market)
    assert again.pk == requirement.pk and HoursRequirement.objects.count() == 1
    event = AuditEvent.objects.filter(action="hours_requirement.set").order_by("id").last()
    assert event.old == {"hours": "24.00"} and event.new["hours"] == "26.00"
    with pytest.raises(services.NotPermitted):
        services.hours_requirement_set(by=unit_admin, year=2026, category="skill", hours="24", unit=org.west_transport)
    with pytest.raises(services.NotPermitted):
        services.hours_requirement_set(by=unit_admin, year=2026, category="skill", hours="24", province="江北省")


@pytest.mark.parametrize("hours", ["-1", "1001", "x"])
def test_bad_requirement_hours_are_refused(sysadmin, hours):
    with pytest.raises(services.InvalidHours):
        services.hours_requirement_set(by=sysadmin, year=2026, category="legal", hours=hours)
    assert not HoursRequirement.objects.exists()


def test_a_system_admin_sets_national_and_province_requirements(sysadmin):
    services.hours_requirement_set(by=sysadmin, year=2026, category="legal", hours="32")
    services.hours_requirement_set(by=sysadmin, year=2026, category="legal", hours="36", province="江北省")
    assert HoursRequirement.objects.count() == 2


def test_an_auditor_cannot_set_requirements(org):
    user = make_user()
    grant(user, Role.AUDITOR)
    with pytest.raises(services.NotPermitted):
        services.hours_requirement_set(by=user, year=2026, category="legal", hours="30", unit=org.market)


def test_a_sibling_units_admin_cannot_review(org, officer):
    admin = make_officer(org.west_transport).user
    grant(admin, Role.UNIT_ADMIN, org.west_transport)
    entry = submit(officer)
    with pytest.raises(services.NotPermitted):
        services.hours_entry_review(entry=entry, by=admin, approve=True)
