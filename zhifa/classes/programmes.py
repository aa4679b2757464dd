"""Blended programmes: parts in order, an officer's progress read from the existing ledgers, the certificate.

Progress of each part comes from where the platform already records it: a course from its (valid) course certificate,
an offline class from attendance (class_completion), an exam from a passing final grade, a drill from a passed run.
The certificate follows courses' pattern (a random code, a PDF with a QR code to a public verify page); it is a
ProgrammeCertificate of this app because courses.Certificate belongs to one course.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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

from zhifa.cases.models import DrillRun
from zhifa.classes.models import OfflineClass, Programme, ProgrammeCertificate, ProgrammePart
from zhifa.classes.queries import class_completion
from zhifa.classes.services import ClassError, NotPermitted
from zhifa.courses.models import Certificate, Course
from zhifa.exams.models import Attempt, Exam
from zhifa.people import access
from zhifa.people.models import Audience, Officer, Unit, User

FONT = "STSong-Light"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class PartProgress:
    part: ProgrammePart
    done: bool
    url: str


@dataclass
class Progress:
    parts: list[PartProgress]

    @property
    def done_count(self) -> int:
        return sum(p.done for p in self.parts)

    @property
    def complete(self) -> bool:
        return bool(self.parts) and all(p.done for p in self.parts)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / len(self.parts)) if self.parts else 0


def _part_url(part: ProgrammePart) -> str:
    if part.kind == ProgrammePart.Kind.COURSE:
        return reverse("courses:course-detail", args=[part.course_id])
    if part.kind == ProgrammePart.Kind.CLASS:
        return reverse("classes:class-detail", args=[part.offline_class_id])
    if part.kind == ProgrammePart.Kind.EXAM:
        return reverse("exams:exam-detail", args=[part.exam_id])
    return reverse("cases:scenario-detail", args=[part.scenario.key]) if part.scenario else ""


def progress_for(*, programme: Programme, officer: Officer) -> Progress:
    """Each part of the programme, in order, with whether the officer has completed it (one query per kind)."""
    parts = list(programme.parts.select_related("course", "offline_class", "exam", "scenario"))
    ids = {kind: {p.target.pk for p in parts if p.kind == kind and p.target} for kind in ProgrammePart.Kind.values}
    courses_done = set(
        Certificate.objects.filter(officer=officer, course_id__in=ids["course"], revoked_at__isnull=True).values_list(
            "course_id", flat=True
        )
    )
    classes_done = {
        c for (c, _), ok in class_completion(class_ids=ids["class"], officer_ids=[officer.pk]).items() if ok
    }
    exams_done = set(
        Attempt.objects.filter(
            officer=officer, exam_id__in=ids["exam"], grade__passed=True, grade__status="final"
        ).values_list("exam_id", flat=True)
    )
    drills_done = set(
        DrillRun.objects.filter(
            officer=officer, version__scenario_id__in=ids["drill"], status=DrillRun.Status.COMPLETED, is_preview=False
        ).values_list("version__scenario_id", flat=True)
    )
    done_sets = {"course": courses_done, "class": classes_done, "exam": exams_done, "drill": drills_done}
    return Progress([PartProgress(p, bool(p.target) and p.target.pk in done_sets[p.kind], _part_url(p)) for p in parts])


# ---- writes -----------------------------------------------------------------------------------------------------


@transaction.atomic
def programme_save(
    *,
    by: User,
    programme: Programme | None = None,
    title: str,
    organiser: Unit,
    summary: str = "",
    audience: Audience | None = None,
) -> Programme:
    if not access.can_manage_unit(by, organiser) or (programme and not access.can_manage_unit(by, programme.organiser)):
        raise NotPermitted("主办单位须是您管理的单位。")
    if not title.strip():
        raise ClassError("请填写项目名称。")
    programme = programme or Programme(created_by=by)
    programme.title, programme.organiser, programme.summary, programme.audience = (
        title.strip(),
        organiser,
        summary,
        audience,
    )
    programme.save()
    return programme


@transaction.atomic
def programme_part_add(*, by: User, programme: Programme, kind: str, target_id: int) -> ProgrammePart:
    """Append a part (course, class, exam or drill) to the programme; raises ClassError for an unknown target."""
    if not access.can_manage_unit(by, programme.organiser):
        raise NotPermitted("您无权修改该项目。")
    from zhifa.cases.models import Scenario

    models: dict[str, Any] = {"course": Course, "class": OfflineClass, "exam": Exam, "drill": Scenario}
    if kind not in models:
        raise ClassError("环节类型只能是线上课程、线下培训班、考试或模拟演练。")
    target = models[kind].objects.filter(pk=target_id).first()
    if target is None:
        raise ClassError(f"找不到编号为 {target_id} 的{ProgrammePart.Kind(kind).label}，请从列表中选择。")
    if kind == "class" and not access.can_manage_unit(by, target.organiser):
        raise NotPermitted("只能加入您管理的单位主办的培训班。")
    position = programme.parts.count() + 1
    field = {"course": "course", "class": "offline_class", "exam": "exam", "drill": "scenario"}[kind]
    return ProgrammePart.objects.create(programme=programme, position=position, kind=kind, **{field: target})


@transaction.atomic
def programme_part_remove(*, by: User, part: ProgrammePart) -> None:
    if not access.can_manage_unit(by, part.programme.organiser):
        raise NotPermitted("您无权修改该项目。")
    programme = part.programme
    part.delete()
    for index, rest in enumerate(programme.parts.order_by("position", "pk"), start=1):
        if rest.position != index:
            rest.position = index
            rest.save(update_fields=["position"])


@transaction.atomic
def programme_part_move(*, by: User, part: ProgrammePart, direction: str) -> list[ProgrammePart]:
    """Move a part one place up or down (it swaps with its neighbour; at either end nothing changes) and return
    the parts in their new order. Raises NotPermitted, ClassError for a direction other than "up" or "down"."""
    if not access.can_manage_unit(by, part.programme.organiser):
        raise NotPermitted("您无权修改该项目。")
    if direction not in ("up", "down"):
        raise ClassError("只能上移（up）或下移（down）一个环节。")
    Programme.objects.select_for_update().filter(pk=part.programme_id).first()  # one reorder at a time
    parts = list(ProgrammePart.objects.filter(programme_id=part.programme_id).order_by("position", "pk"))
    index = next(i for i, p in enumerate(parts) if p.pk == part.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(parts):
        parts[index], parts[other] = parts[other], parts[index]
    for position, item in enumerate(parts, start=1):  # also closes any gap or tie left by older data
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    return parts


def programme_try_complete(
    *, programme: Programme, officer: Officer, now: datetime | None = None
) -> ProgrammeCertificate | None:
    """Issue the programme certificate once every part is complete (idempotent); None while parts remain."""
    if not progress_for(programme=programme, officer=officer).complete:
        return None
    existing = ProgrammeCertificate.objects.filter(programme=programme, officer=officer).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return ProgrammeCertificate.objects.create(
                code="ZP" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10)),
                programme=programme,
                officer=officer,
                issued_at=now or timezone.now(),
            )
    except IntegrityError:
        return ProgrammeCertificate.objects.get(programme=programme, officer=officer)


# ---- the certificate PDF ----------------------------------------------------------------------------------------


def verify_url(certificate: ProgrammeCertificate) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("classes:certificate-verify", args=[certificate.code])


def certificate_pdf(certificate: ProgrammeCertificate) -> bytes:
    """A landscape A4 certificate with the parts completed and a QR code to the public verify page."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"结业证书 {certificate.code}")
    pdf.setLineWidth(3)
    pdf.rect(30, 30, width - 60, height - 60)
    pdf.setFont(FONT, 34)
    pdf.drawCentredString(width / 2, height - 130, "结 业 证 书")
    pdf.setFont(FONT, 20)
    pdf.drawString(90, height - 200, f"{certificate.officer.name} 同志：")
    pdf.setFont(FONT, 17)
    pdf.drawString(90, height - 245, f"已完成混合式培训项目《{certificate.programme.title}》的全部环节：")
    y = height - 280
    for part in certificate.programme.parts.select_related("course", "offline_class", "exam", "scenario"):
        pdf.setFont(FONT, 13)
        pdf.drawString(110, y, f"{part.position}. {part.get_kind_display()}：{part.target}"[:60])
        y -= 22
    pdf.setFont(FONT, 17)
    pdf.drawString(90, y - 10, "特发此证。")
    pdf.setFont(FONT, 14)
    pdf.drawString(90, 110, f"证书编号：{certificate.code}")
    pdf.drawString(
        90,
        85,
        f"颁发日期：{timezone.localtime(certificate.issued_at):%Y年%m月%d日}    {certificate.programme.organiser.name}",
    )
    qr = io.BytesIO()
    segno.make(verify_url(certificate), error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.drawImage(ImageReader(qr), width - 230, 60, 150, 150)
    pdf.setFont(FONT, 10)
    pdf.drawString(width - 235, 48, "扫码核验证书真伪")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
