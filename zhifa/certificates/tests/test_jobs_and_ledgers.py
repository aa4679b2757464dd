"""The expiry job and its reminders, the enforcement-act ledger, spot-check findings, the badge, the seed."""

from datetime import date
from io import BytesIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from zhifa.certificates import services
from zhifa.certificates.models import CertificateEvent, EnforcementActCount, ReviewFinding
from zhifa.common.models import AuditEvent
from zhifa.notices.models import Notice
from zhifa.people.models import Officer
from zhifa.people.testing import make_officer

pytestmark = pytest.mark.usefixtures("rule_set")


def expiring(officer, expires):
    Officer.objects.filter(pk=officer.pk).update(certificate_expires=expires, certificate_issued=date(2021, 1, 1))
    officer.refresh_from_db()
    return officer


def test_the_expiry_job_marks_past_certificates_expired_and_reminds_each_officer_once(org, officer, outsider):
    expiring(officer, date(2026, 12, 6))  # yesterday
    soon = expiring(outsider, date(2026, 12, 30))  # in 23 days
    later = expiring(make_officer(org.market, name="周静"), date(2027, 2, 20))  # in 75 days
    call_command("expire_certificates")
    call_command("expire_certificates")  # the timer fired twice: nothing more happens
    officer.refresh_from_db()
    assert officer.certificate_status == "expired"
    assert CertificateEvent.objects.filter(officer=officer, kind="expire").count() == 1
    assert AuditEvent.objects.filter(action="certificates.expire", object_id=str(officer.pk)).count() == 1
    titles = {n.user_id: n.title for n in Notice.objects.filter(key__startswith="certificates:expiry:")}
    assert titles == {
        soon.user_id: "您的执法证将于 2026-12-30 到期（30 天内）",
        later.user_id: "您的执法证将于 2027-02-20 到期（90 天内）",
    }


def test_the_review_due_notice_goes_once_in_the_review_month_with_the_forecast(officer):
    services.certificate_reminders_send()
    services.certificate_reminders_send()
    notice = Notice.objects.get(user=officer.user, key__startswith="certificates:review-due:2026:")
    assert notice.title == "2026 年度执法证年审即将进行"
    assert notice.body.startswith("预计不通过：全年学时 0，低于 40 学时")


def test_an_administrator_records_enforcement_acts_one_by_one_and_refuses_a_stranger(client, unit_admin, officer):
    client.force_login(unit_admin)
    data = {"certificate_number": "JB00000001", "year": 2025, "count": 0, "explanation": "病休半年"}
    assert client.post(reverse("certificates:acts"), data).status_code == 302
    assert EnforcementActCount.objects.get(officer=officer, year=2025).explanation == "病休半年"
    response = client.post(reverse("certificates:acts"), {**data, "certificate_number": "JB00000002"})
    assert response.status_code == 400 and "执法证号不在您管理的人员中" in response.content.decode()
    negative = client.post(reverse("certificates:acts"), {**data, "count": -1})
    assert "“执法行为数”不能为负数" in negative.content.decode()


def sheet(*rows) -> bytes:
    book = Workbook()
    for row in [("执法证号", "年度", "执法行为数", "说明"), *rows]:
        book.active.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_import_with_one_bad_row_saves_nothing_and_names_the_row(client, unit_admin, officer, outsider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(unit_admin)
    bad = sheet(("JB00000001", 2025, 7, ""), ("JB00000002", 2025, 3, ""), ("JB00000001", 2026, "多", ""))
    response = client.post(reverse("certificates:acts"), {"file": SimpleUploadedFile("a.xlsx", bad)})
    html = response.content.decode()
    assert "未导入任何数据" in html
    assert "第 3 行：执法证号“JB00000002”不在您管理的人员中" in html and "第 4 行" in html
    assert not EnforcementActCount.objects.exists()
    good = sheet(("JB00000001", 2025, 7, ""), ("JB00000001", 2026, 9, ""))
    client.post(reverse("certificates:acts"), {"file": SimpleUploadedFile("a.xlsx", good)})
    assert EnforcementActCount.objects.filter(officer=officer).count() == 2


def test_a_spot_check_finding_is_recorded_once_per_source_and_can_be_corrected(officer):
    for passed in (False, True):
        services.review_finding_record(
            officer=officer, year=2026, passed=passed, summary="案卷评查", source_key="evaluation:casefile:9"
        )
    assert ReviewFinding.objects.get().passed is True
    assert AuditEvent.objects.filter(action="certificates.finding_record").count() == 2
    with pytest.raises(services.CertificateError, match="结论"):
        services.review_finding_record(officer=officer, year=2026, passed=False, summary=" ", source_key="x")


def test_the_people_console_flags_officers_without_a_valid_certificate(client, unit_admin, officer, org):
    suspended = make_officer(org.market, name="吴勇")
    services.certificate_suspend(officer=suspended, by=unit_admin, reason="调查期间暂扣")
    client.force_login(unit_admin)
    html = client.get("/people/officers/").content.decode()
    row_of = {name: html.split(name, 1)[1].split("</td>", 1)[0] for name in ("吴勇", "张明")}
    assert "无有效证" in row_of["吴勇"] and "无有效证" not in row_of["张明"]


def test_the_demo_seed_is_idempotent(db):
    from zhifa.people import demo

    demo.officers_seed(demo.units_seed(), count=12)
    call_command("seed_certificates")
    first = (EnforcementActCount.objects.count(), CertificateEvent.objects.count(), ReviewFinding.objects.count())
    call_command("seed_certificates")
    assert (
        EnforcementActCount.objects.count(),
        CertificateEvent.objects.count(),
        ReviewFinding.objects.count(),
    ) == first
    assert first[0] == 24 and first[1] == 1
