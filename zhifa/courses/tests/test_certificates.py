"""Completing every lesson of a course issues a certificate: a PDF with a QR code to a public verification page."""

import shutil
import subprocess

import pytest
from django.utils import timezone

from zhifa.common.audit import AuditEvent
from zhifa.courses import certificates
from zhifa.courses.models import Certificate, LessonProgress
from zhifa.courses.tests.conftest import add_lesson
from zhifa.courses.tracking import lesson_complete
from zhifa.records.models import Statement


def complete(officer, lesson):
    progress, _ = LessonProgress.objects.get_or_create(officer=officer, lesson=lesson)
    lesson_complete(progress=progress, evidence="测试", result={})


@pytest.fixture
def certificate(officer, course):
    first, second = add_lesson(course, title="依法履职"), add_lesson(course, title="廉洁自律")
    complete(officer, first)
    assert not Certificate.objects.exists()  # one lesson left
    complete(officer, second)
    complete(officer, second)  # idempotent
    return Certificate.objects.get(officer=officer, course=course)


def test_the_certificate_is_issued_once_with_a_course_statement(certificate, officer):
    assert Certificate.objects.count() == 1
    assert Statement.objects.filter(officer=officer, object_type="course", verb="completed").count() == 1


def test_the_verify_page_is_public_and_shows_only_name_and_course(client, certificate, officer):
    page = client.get(f"/courses/certificates/{certificate.code}/verify/").content.decode()
    assert "证书有效" in page and officer.name in page and certificate.course.title in page
    assert officer.certificate_number not in page and officer.unit.name not in page


def test_a_revoked_certificate_shows_as_revoked_and_revocation_is_audited(client, certificate, unit_admin):
    client.force_login(unit_admin)
    client.post(f"/courses/manage/certificates/{certificate.code}/revoke", {"reason": "学时造假"})
    client.logout()
    assert "证书已撤销" in client.get(f"/courses/certificates/{certificate.code}/verify/").content.decode()
    assert AuditEvent.objects.filter(action="certificate.revoke").count() == 1


def test_revoking_needs_a_reason(certificate, unit_admin):
    with pytest.raises(certificates.CourseError, match="原因"):
        certificates.certificate_revoke(by=unit_admin, certificate=certificate, reason=" ")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils 未安装（apt-get install poppler-utils）：跳过")
def test_the_pdf_carries_the_name_course_and_a_readable_qr_code(client, certificate, officer, tmp_path):
    client.force_login(officer.user)
    response = client.get(f"/courses/certificates/{certificate.code}/pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = text.replace(" ", "")
    assert "结业证书" in text and "共计1学时" in text and officer.name in text and certificate.course.title in text
    assert certificate.code in text
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page.png").stat().st_size > 5000  # rendered, with the QR image


def test_someone_else_cannot_download_the_pdf(client, certificate, outsider):
    client.force_login(outsider.user)
    assert client.get(f"/courses/certificates/{certificate.code}/pdf").status_code == 404


def test_verify_url_points_at_the_public_page(certificate, settings):
    settings.SITE_URL = "https://academy.example.gov.cn"
    assert certificates.verify_url(certificate) == (
        f"https://academy.example.gov.cn/courses/certificates/{certificate.code}/verify/"
    )
    assert timezone.now() >= certificate.issued_at
