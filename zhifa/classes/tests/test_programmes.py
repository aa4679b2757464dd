"""Blended programmes: progress from the existing ledgers, the certificate once every part is done."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from zhifa.classes import programmes
from zhifa.classes.models import Programme, ProgrammeCertificate
from zhifa.classes.tests.factories import attend, enrol, make_class, make_course, make_exam, make_session, passed_exam
from zhifa.courses.models import Certificate


@pytest.fixture
def programme(org, unit_admin, officer):
    course, klass, exam = make_course(), make_class(org.market), make_exam(org.market)
    session = make_session(klass)
    enrol(klass, officer)
    item = programmes.programme_save(by=unit_admin, title="新任执法人员混合式培训", organiser=org.market)
    for kind, target in (("course", course), ("class", klass), ("exam", exam)):
        programmes.programme_part_add(by=unit_admin, programme=item, kind=kind, target_id=target.pk)
    return item, course, session, exam


def test_progress_follows_the_course_the_class_and_the_exam(client, officer, programme):
    item, course, session, exam = programme
    client.force_login(officer.user)
    url = reverse("classes:programme-detail", args=[item.pk])
    assert 'id="programme-progress">0/3' in client.get(url).content.decode()
    Certificate.objects.create(code="ZFTEST", officer=officer, course=course, issued_at=session.starts_at)
    attend(session, officer)
    page = client.get(url).content.decode()
    assert 'id="programme-progress">2/3' in page and "certificate-pdf" not in page and "/pdf" not in page
    assert not ProgrammeCertificate.objects.exists()
    passed_exam(officer, exam)
    page = client.get(url).content.decode()
    assert 'id="programme-progress">3/3' in page and '/pdf"' in page
    client.get(url)
    certificate = ProgrammeCertificate.objects.get()  # issued once
    assert certificate.officer == officer and certificate.programme == item


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils 未安装（apt-get install poppler-utils）")
def test_the_certificate_pdf_names_the_officer_and_verifies_publicly(client, officer, programme, tmp_path):
    item, *_ = programme
    certificate = ProgrammeCertificate.objects.create(
        code="ZPABCDEFGH23", programme=item, officer=officer, issued_at="2026-05-01T10:00+08:00"
    )
    client.force_login(officer.user)
    response = client.get(reverse("classes:certificate-pdf", args=[certificate.code]))
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert "张明" in text and "新任执法人员混合式培训" in text and "ZPABCDEFGH23" in text
    client.logout()
    verify = client.get(reverse("classes:certificate-verify", args=[certificate.code])).content.decode()
    assert "证书有效" in verify and "张明" in verify


def test_an_officer_outside_the_programme_does_not_see_it(client, outsider, programme):
    item, *_ = programme
    client.force_login(outsider.user)
    assert client.get(reverse("classes:programme-detail", args=[item.pk])).status_code == 404


def test_a_part_pointing_at_nothing_is_refused(client, unit_admin, programme):
    item, *_ = programme
    client.force_login(unit_admin)
    response = client.post(reverse("classes:programme-manage", args=[item.pk]), {"kind": "exam", "target_id": 999999})
    assert response.status_code == 400 and "找不到编号为 999999 的考试" in response.content.decode()
    assert Programme.objects.get().parts.count() == 3
