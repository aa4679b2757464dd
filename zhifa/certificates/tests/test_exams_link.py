"""Exams linked to the rules: an administrator marks a new-law exam; a failed attempt fails the review and the
confirmation suspends the certificate with off-duty training."""

import pytest
from django.urls import reverse

from zhifa.certificates.models import CertificateExam, Suspension
from zhifa.exams import services as exam_services
from zhifa.exams.models import ExamPaper
from zhifa.exams.tests import factories

pytestmark = pytest.mark.usefixtures("rule_set")


def test_a_failed_new_law_exam_fails_the_review_and_suspends_with_off_duty_training(
    client, unit_admin, officer, org, rule_set
):
    factories.bank()
    exam = factories.exam(org, by=unit_admin, title="《行政处罚法》修订内容考试")
    client.force_login(unit_admin)
    missing = client.post(reverse("certificates:exam-link"), {"rule_set": rule_set.pk})
    assert missing.status_code == 400 and "请选择“考试”" in missing.content.decode()
    data = {"exam": exam.pk, "rule_set": rule_set.pk, "purpose": "new_law", "part": "general"}
    assert client.post(reverse("certificates:exam-link"), data).status_code == 302
    assert CertificateExam.objects.get(exam=exam).purpose == "new_law"

    paper = ExamPaper.objects.filter(exam=exam).first()
    attempt = exam_services.attempt_start(exam=exam, officer_id=officer.pk, paper_id=paper.pk, device_token="t")
    exam_services.attempt_submit(attempt=attempt, by=officer.user)  # nothing answered: 0 points

    html = client.get(reverse("certificates:review-list"), {"q": "张明"}).content.decode()
    assert "“《行政处罚法》修订内容考试”最高 0 分，未达合格分 60 分" in html
    assert "新法考试不合格，应暂扣证件并脱岗培训后补考" in html
    client.post(reverse("certificates:review-confirm"), {"year": 2026, "officer": [officer.pk]})
    officer.refresh_from_db()
    assert officer.certificate_status == "suspended"
    assert Suspension.objects.get(officer=officer).off_duty_training is True


def test_an_exam_of_another_subtree_cannot_be_linked(client, unit_admin, org, rule_set, sysadmin):
    factories.bank()
    exam = factories.exam(org, by=sysadmin, title="西城区考试", unit=org.west_transport)
    client.force_login(unit_admin)
    data = {"exam": exam.pk, "rule_set": rule_set.pk, "purpose": "renewal", "part": "general"}
    response = client.post(reverse("certificates:exam-link"), data)
    assert response.status_code == 400 and "请选择您管理的考试" in response.content.decode()
    assert not CertificateExam.objects.exists()


def test_failing_the_new_law_retake_too_revokes_the_certificate_on_confirmation(
    client, unit_admin, officer, org, rule_set
):
    factories.bank()
    exam = factories.exam(org, by=unit_admin, title="民法典专题考试", attempts_allowed=2)
    CertificateExam.objects.create(exam=exam, rule_set=rule_set, purpose="new_law", part="general")
    paper = ExamPaper.objects.filter(exam=exam).first()
    for _ in range(2):  # the first sitting and the 补考, both without an answer
        attempt = exam_services.attempt_start(exam=exam, officer_id=officer.pk, paper_id=paper.pk, device_token="t")
        exam_services.attempt_submit(attempt=attempt, by=officer.user)
    client.force_login(unit_admin)
    html = client.get(reverse("certificates:review-list"), {"q": "张明"}).content.decode()
    assert "新法考试补考仍不合格，应吊销证件" in html
    client.post(reverse("certificates:review-confirm"), {"year": 2026, "officer": [officer.pk]})
    officer.refresh_from_db()
    assert officer.certificate_status == "revoked"
    assert not Suspension.objects.filter(officer=officer, resolved_at__isnull=True).exists()


def test_where_renewal_exams_are_held_online_renewing_needs_a_pass(client, unit_admin, officer, org, rule_set):
    factories.bank()
    exam = factories.exam(org, by=unit_admin, title="2026年度换证考试")
    CertificateExam.objects.create(exam=exam, rule_set=rule_set, purpose="renewal", part="general")
    client.force_login(unit_admin)
    url = reverse("certificates:officer-action", args=[officer.pk, "renew"])
    refused = client.post(url, {"expires": "2031-06-30"})
    assert refused.status_code == 400 and "尚未通过本年度换证考试（合格分 60）" in refused.content.decode()
