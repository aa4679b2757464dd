"""Persona stories through HTTP: the unit administrator's annual review, confirmation, lifecycle actions, access."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhifa.certificates import services
from zhifa.certificates.models import CertificateEvent, EnforcementActCount, ReviewDecision, Suspension
from zhifa.common.models import AuditEvent
from zhifa.people.models import Officer
from zhifa.people.testing import make_officer
from zhifa.plans.models import RotationRecord
from zhifa.records import services as records_services

pytestmark = pytest.mark.usefixtures("rule_set")


def credit(officer, **hours):
    for category, value in hours.items():
        records_services.hours_credit(
            officer=officer, category=category, hours=Decimal(str(value)), source="轮训班", evidence="签到",
            dedupe_key=f"cert-test:{officer.pk}:{category}", year=2026,
        )  # fmt: skip


def active(officer, *, rotated=True):
    """An officer with a certificate issued years ago, enforcement acts in both years and a recent rotation."""
    Officer.objects.filter(pk=officer.pk).update(
        certificate_issued=date(2020, 3, 1), certificate_expires=date(2030, 2, 28)
    )
    for year in (2025, 2026):
        EnforcementActCount.objects.create(officer=officer, year=year, count=6)
    if rotated:
        RotationRecord.objects.create(officer=officer, completed_on=date(2025, 4, 20))
    officer.refresh_from_db()
    return officer


@pytest.fixture
def passing(officer):
    credit(active(officer), legal=30, skill=20, ethics=10)
    return officer


@pytest.fixture
def failing(org):
    weak = active(make_officer(org.market, name="刘洋"), rotated=False)
    credit(weak, legal=16, skill=8, ethics=4)
    services.review_finding_record(
        officer=weak, year=2026, passed=False, summary="行政处罚决定书说理不充分", source_key="evaluation:casefile:1"
    )
    return weak


def test_the_review_list_shows_passing_and_failing_officers_with_reasons_from_the_records(
    client, unit_admin, passing, failing, outsider
):
    client.force_login(unit_admin)
    html = client.get(reverse("certificates:review-list")).content.decode()
    assert "江北市市场监督管理局 · 2026 年度执法证年审" in html
    assert "张明" in html and "刘洋" in html and "李强" not in html  # 李强 works in another subtree
    assert "全年学时 28，低于 40 学时" in html
    assert "学时未达要求：法律知识 16/20" in html
    assert "案卷抽查不合格：行政处罚决定书说理不充分" in html
    assert "近 3 年（2024—2026）未参加轮训（无轮训记录）" in html
    assert "依据《江北省行政执法证件管理办法（示例）》第十八条第一款" in html
    failed_only = client.get(reverse("certificates:review-list"), {"outcome": "failed"}).content.decode()
    assert "刘洋" in failed_only and "张明" not in failed_only


def test_confirming_the_review_keeps_passes_valid_suspends_failures_and_audits_each(
    client, unit_admin, passing, failing
):
    client.force_login(unit_admin)
    response = client.post(reverse("certificates:review-confirm"), {"year": 2026, "all": "1"}, follow=True)
    # 王芳, the administrator, is an officer of the bureau too, without any hours this year.
    assert "已确认 2026 年度年审：通过 1 人，不通过 2 人" in response.content.decode()
    passing.refresh_from_db()
    failing.refresh_from_db()
    assert passing.certificate_status == "valid"
    assert failing.certificate_status == "suspended"
    assert ReviewDecision.objects.get(officer=failing, year=2026).outcome == "failed"
    assert Suspension.objects.get(officer=failing, resolved_at__isnull=True).reason.startswith("2026 年度年审不通过")
    events = AuditEvent.objects.filter(action__startswith="certificates.review_")
    assert {(e.object_id, e.action) for e in events} >= {
        (str(passing.pk), "certificates.review_pass"),
        (str(failing.pk), "certificates.review_fail"),
    }
    assert events.get(object_id=str(failing.pk)).new["certificate_status"] == "suspended"
    # A second confirmation changes nothing: each officer is decided once a year.
    client.post(reverse("certificates:review-confirm"), {"year": 2026, "all": "1"})
    assert ReviewDecision.objects.count() == 3 and events.count() == 3


def test_confirming_selected_officers_only_decides_those(client, unit_admin, passing, failing):
    client.force_login(unit_admin)
    client.post(reverse("certificates:review-confirm"), {"year": 2026, "officer": [failing.pk]})
    assert list(ReviewDecision.objects.values_list("officer_id", flat=True)) == [failing.pk]


def test_the_export_lists_every_officer_with_the_outcome_and_reasons(client, unit_admin, passing, failing):
    client.force_login(unit_admin)
    response = client.get(reverse("certificates:review-export"), {"year": 2026})
    sheet = load_workbook(BytesIO(response.content)).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["张明"][8] == "通过"
    assert rows["刘洋"][8] == "不通过" and "案卷抽查不合格" in rows["刘洋"][9]


def test_suspending_without_a_reason_is_refused_in_chinese_and_changes_nothing(client, unit_admin, passing):
    client.force_login(unit_admin)
    url = reverse("certificates:officer-action", args=[passing.pk, "suspend"])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "请填写暂扣的原因（“原因”不能为空）" in response.content.decode()
    passing.refresh_from_db()
    assert passing.certificate_status == "valid"
    assert not CertificateEvent.objects.exists() and not AuditEvent.objects.filter(action="certificates.suspend")


def test_renewing_with_a_past_date_is_refused_in_chinese(client, unit_admin, passing):
    client.force_login(unit_admin)
    url = reverse("certificates:officer-action", args=[passing.pk, "renew"])
    response = client.post(url, {"expires": "2025-01-01", "reason": "换发新证"})
    assert response.status_code == 400
    assert "“新的有效期至”须晚于今天（2026-12-07）" in response.content.decode()
    too_far = client.post(url, {"expires": "2035-01-01"})
    assert "本省证件有效期为 5 年" in too_far.content.decode()
    passing.refresh_from_db()
    assert passing.certificate_expires == date(2030, 2, 28)


def test_suspend_reinstate_renew_revoke_each_leave_an_event_and_an_audit_entry(client, unit_admin, passing):
    client.force_login(unit_admin)

    def act(action, **data):
        return client.post(reverse("certificates:officer-action", args=[passing.pk, action]), data)

    assert act("suspend", reason="涉嫌违法执法，调查期间暂扣", off_duty_training="1").status_code == 302
    assert Officer.objects.get(pk=passing.pk).certificate_status == "suspended"
    act("reinstate", reason="调查结束，未发现违法")
    act("renew", expires="2031-11-30", reason="换证考试合格")
    assert Officer.objects.get(pk=passing.pk).certificate_expires == date(2031, 11, 30)
    act("revoke", reason="故意违法执法，情节严重")
    assert Officer.objects.get(pk=passing.pk).certificate_status == "revoked"
    kinds = list(CertificateEvent.objects.filter(officer=passing).order_by("at", "id").values_list("kind", flat=True))
    assert kinds == ["suspend", "reinstate", "renew", "revoke"]
    assert AuditEvent.objects.filter(action__startswith="certificates.", object_id=str(passing.pk)).count() == 4
    html = client.get(reverse("certificates:officer-detail", args=[passing.pk])).content.decode()
    assert "故意违法执法，情节严重" in html and "吊销" in html


def test_outsiders_and_other_subtrees_get_404(client, unit_admin, outsider, passing, org):
    client.force_login(outsider.user)
    assert client.get(reverse("certificates:review-list")).status_code == 404
    assert client.get(reverse("certificates:officer-detail", args=[passing.pk])).status_code == 404
    client.force_login(unit_admin)
    assert client.get(reverse("certificates:review-list"), {"unit": org.west_transport.pk}).status_code == 404
    assert client.get(reverse("certificates:officer-detail", args=[outsider.pk])).status_code == 404
    url = reverse("certificates:officer-action", args=[outsider.pk, "suspend"])
    assert client.post(url, {"reason": "越权"}).status_code == 404
    response = client.post(reverse("certificates:review-confirm"), {"year": 2026, "officer": [outsider.pk]})
    assert response.status_code == 404
    assert Officer.objects.get(pk=outsider.pk).certificate_status == "valid"


def test_the_auditor_reads_the_review_but_cannot_confirm(client, auditor, passing):
    client.force_login(auditor)
    html = client.get(reverse("certificates:review-list")).content.decode()
    assert "张明" in html and "确认所选人员" not in html
    assert client.post(reverse("certificates:review-confirm"), {"officer": [passing.pk]}).status_code == 404


def test_the_review_list_loads_a_subtree_in_a_fixed_number_of_queries(client, unit_admin, passing, failing, org):
    client.force_login(unit_admin)
    url = reverse("certificates:review-list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(30):
        credit(make_officer(org.east_market, name=f"队员{n}"), legal=n + 1)
    # One query per ledger, however many officers: officers, rules, hours, requirements, acts, findings,
    # suspensions, decisions, exams, rotation (plus the layout's own: session, user, grants, menus).
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "队员29" in response.content.decode()
    assert len(many) == len(few) <= 26


def test_an_officer_sees_his_certificate_and_this_years_forecast(client, org):
    weak = active(make_officer(org.east_market, name="赵敏"))
    credit(weak, legal=18, skill=15, ethics=6)
    client.force_login(weak.user)
    html = client.get(reverse("certificates:my-certificate")).content.decode()
    assert "我的执法证" in html and "2030-02-28" in html and "有效" in html
    assert "2026 年度年审预测" in html and "不通过" in html
    assert "全年学时 39，低于 40 学时；学时未达要求：法律知识 18/20" in html
    assert "年审学时要求：全年不少于 40 学时，其中法律知识不少于 20 学时" in html


def test_an_officer_without_a_valid_certificate_is_told_he_may_not_enforce(client, officer):
    Officer.objects.filter(pk=officer.pk).update(certificate_status="expired", certificate_expires=date(2026, 1, 1))
    client.force_login(officer.user)
    html = client.get(reverse("certificates:my-certificate")).content.decode()
    assert "您当前没有有效的执法证，不得从事行政执法活动" in html and "不参加年审" in html


def test_an_applicant_gets_a_certificate_only_once_he_meets_the_conditions(client, unit_admin, org, rule_set):
    applicant = make_officer(org.east_market, name="新人")
    Officer.objects.filter(pk=applicant.pk).update(certificate_status="none", certificate_number=None)
    client.force_login(unit_admin)
    url = reverse("certificates:officer-action", args=[applicant.pk, "issue"])
    refused = client.post(url, {"number": "JB20260001"}).content.decode()
    assert "尚不满足申领条件：资格考试“公共法律知识”科目未合格" in refused and "岗前培训 0/60 学时" in refused
    assert Officer.objects.get(pk=applicant.pk).certificate_status == "none"
    rule_set.exam_parts = []  # a province whose rules ask only for the induction training
    rule_set.save()
    credit(applicant, legal=40, skill=20)
    assert client.post(url, {"number": "JB20260001"}).status_code == 302
    applicant.refresh_from_db()
    assert (applicant.certificate_status, applicant.certificate_number) == ("valid", "JB20260001")
    assert (applicant.certificate_issued, applicant.certificate_expires) == (date(2026, 12, 7), date(2031, 12, 6))
    assert AuditEvent.objects.filter(action="certificates.issue", object_id=str(applicant.pk)).exists()


def test_every_console_user_reads_the_provinces_rules_with_their_sources(client, auditor):
    client.force_login(auditor)
    html = client.get(reverse("certificates:rules")).content.decode()
    assert "江北省行政执法证件管理规则（示例）" in html
    assert "每年不少于 40 学时；其中法律知识不少于 20 学时" in html
    assert "公共法律知识、专业法律知识；合格分 60" in html
    assert "第二十四条第二款" in html and "补考仍不合格的，吊销其行政执法证件。" in html
    assert "关联证件考试" not in html  # the auditor reads; he links nothing


def test_the_unit_filter_keeps_the_officers_below_a_unit_without_officers_of_its_own(
    client, sysadmin, org, passing, outsider
):
    client.force_login(sysadmin)
    html = client.get(reverse("certificates:review-list"), {"sub": org.west_county.pk}).content.decode()
    assert "李强" in html and "张明" not in html
