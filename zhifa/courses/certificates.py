"""Course completion and certificates: issue (idempotent), revoke (audited), render the PDF with a QR code."""

from __future__ import annotations

import io
import secrets
from datetime import datetime
from decimal import Decimal

import segno
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from zhifa.common.audit import audit_record
from zhifa.courses.models import Certificate, Course, Lesson, LessonProgress
from zhifa.courses.services import CourseError
from zhifa.people import access
from zhifa.people.models import Officer, User
from zhifa.records import services as records

FONT = "STSong-Light"  # a CID font built into ReportLab: Chinese text without shipping a font file
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: the code is also typed by hand


def _new_code() -> str:
    return "ZF" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def course_try_complete(*, officer: Officer, course: Course, now: datetime | None = None) -> Certificate | None:
    """When every lesson of the course is complete, record the course as completed and issue its certificate."""
    lessons = Lesson.objects.filter(chapter__course=course)
    total = lessons.count()
    done = LessonProgress.objects.filter(officer=officer, lesson__in=lessons, completed_at__isnull=False).count()
    if total == 0 or done < total:
        return None
    now = now or timezone.now()
    records.statement_record(
        officer=officer,
        verb="completed",
        object_type="course",
        object_id=str(course.pk),
        object_name=course.title,
        result={"completion": True, "lessons": total},
        context={"course": course.code},
        timestamp=now,
        dedupe_key=f"courses:course:{course.pk}:officer:{officer.pk}",
    )
    return certificate_issue(officer=officer, course=course, now=now)


def certificate_issue(*, officer: Officer, course: Course, now: datetime | None = None) -> Certificate:
    """The officer's certificate for the course, created once (a second call returns the same certificate)."""
    existing = Certificate.objects.filter(officer=officer, course=course).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Certificate.objects.create(
                code=_new_code(), officer=officer, course=course, issued_at=now or timezone.now()
            )
    except IntegrityError:
        return Certificate.objects.get(officer=officer, course=course)


@transaction.atomic
def certificate_revoke(*, by: User, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate (audited); raises CourseError without a reason or without the right to manage."""
    if not access.can_manage_officer(by, certificate.officer):
        raise CourseError("您无权撤销该执法人员的证书。")
    if not reason.strip():
        raise CourseError("撤销证书必须填写原因。")
    if certificate.revoked_at:
        return certificate
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason = reason.strip()[:200]
    certificate.save(update_fields=["revoked_at", "revoke_reason"])
    audit_record(
        actor=by, action="certificate.revoke", obj=certificate, old={"valid": True}, new={"valid": False}, reason=reason
    )
    return certificate


def verify_url(certificate: Certificate) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("courses:certificate-verify", args=[certificate.code])


def certificate_pdf(certificate: Certificate) -> bytes:
    """A landscape A4 certificate: name, course, hours, date, code and a QR code to the public verify page."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"结业证书 {certificate.code}")
    pdf.setLineWidth(3)
    pdf.rect(30, 30, width - 60, height - 60)
    hours = sum(
        (lesson.credit_hours for lesson in Lesson.objects.filter(chapter__course=certificate.course)), Decimal(0)
    )
    lines = [
        (FONT, 34, height - 130, "结 业 证 书"),
        (FONT, 20, height - 210, f"{certificate.officer.name} 同志："),
        (FONT, 18, height - 260, f"已完成课程《{certificate.course.title}》的全部学习，"),
        (FONT, 18, height - 295, f"共计 {hours.normalize():f} 学时，特发此证。"),
        (FONT, 14, 110, f"证书编号：{certificate.code}"),
        (FONT, 14, 85, f"颁发日期：{timezone.localtime(certificate.issued_at):%Y年%m月%d日}    智慧执法学院"),
    ]
    for font, size, y, text in lines:
        pdf.setFont(font, size)
        if size >= 30:
            pdf.drawCentredString(width / 2, y, text)
        else:
            pdf.drawString(90, y, text)
    qr = io.BytesIO()
    segno.make(verify_url(certificate), error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.drawImage(ImageReader(qr), width - 230, 60, 150, 150)
    pdf.setFont(FONT, 10)
    pdf.drawString(width - 235, 48, "扫码核验证书真伪")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
