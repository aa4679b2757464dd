"""Offline classes (培训班) and their sessions, enrolment, attendance; blended programmes; the instructor registry
(师资库) with bookings; anonymous class ratings."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zhifa.common.crypto_provider import get_provider
from zhifa.common.models import TimeStampedModel
from zhifa.people.models import Audience, Domain, Officer, Unit
from zhifa.records.models import Category as HoursCategory


class Instructor(TimeStampedModel):
    """An instructor of the registry: internal (an officer or staff member) or external (法律专家, 高校学者, …).

    `user` is optional: an instructor without an account is booked by the organiser and never logs in.
    """

    class Kind(models.TextChoices):
        INTERNAL = "internal", "内部讲师"
        EXTERNAL = "external", "外聘讲师"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instructor_profile",
    )
    name = models.CharField("姓名", max_length=60)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.EXTERNAL)
    unit = models.ForeignKey(
        Unit, verbose_name="登记单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.CharField("工作单位", max_length=100, blank=True)
    title = models.CharField("职称/职务", max_length=60, blank=True)
    bio = models.TextField("简介", blank=True)
    photo = models.FileField("照片", upload_to="classes/instructors/", blank=True)
    knowledge_points = models.ManyToManyField(
        "questions.KnowledgePoint", verbose_name="擅长知识点", blank=True, related_name="+"
    )
    domains = models.ManyToManyField(Domain, verbose_name="擅长执法领域", blank=True, related_name="+")
    phone_encrypted = models.TextField("联系电话（密文）", blank=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    active = models.BooleanField("在库", default=True)

    class Meta:
        verbose_name = "讲师"
        verbose_name_plural = "师资库"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def phone_plain(self) -> str:
        return get_provider().decrypt(self.phone_encrypted) if self.phone_encrypted else ""


class Programme(TimeStampedModel):
    """A blended programme (线上线下混合式培训): ordered parts — a course, offline classes, an exam or a drill."""

    title = models.CharField("项目名称", max_length=200)
    summary = models.TextField("简介", blank=True)
    organiser = models.ForeignKey(Unit, verbose_name="主办单位", on_delete=models.PROTECT, related_name="+")
    audience = models.ForeignKey(
        Audience, verbose_name="培训对象", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "混合式培训项目"
        verbose_name_plural = "混合式培训项目"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class OfflineClass(TimeStampedModel):
    """A class (培训班): dates, sessions, capacity, audience, enrolment mode, materials."""

    class Mode(models.TextChoices):
        ASSIGNED = "assigned", "指定参训"
        APPLY = "apply", "报名审核"
        OPEN = "open", "自由报名"

    class Status(models.TextChoices):
        DRAFT = "draft", "筹备中"
        PUBLISHED = "published", "已发布"
        CANCELLED = "cancelled", "已取消"

    title = models.CharField("培训班名称", max_length=200)
    summary = models.TextField("简介", blank=True)
    organiser = models.ForeignKey(Unit, verbose_name="主办单位", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField("开班日期")
    ends_on = models.DateField("结业日期")
    capacity = models.PositiveIntegerField("容量（人）", validators=[MinValueValidator(1)])
    audience = models.ForeignKey(
        Audience, verbose_name="培训对象", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mode = models.CharField("报名方式", max_length=10, choices=Mode.choices, default=Mode.ASSIGNED)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    pre_course = models.ForeignKey(
        "courses.Course",
        verbose_name="课前学习课程",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    post_exam = models.ForeignKey(
        "exams.Exam", verbose_name="结业考试", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class ClassDocument(models.Model):
    """A document handed out with a class (讲义, 课件)."""

    offline_class = models.ForeignKey(OfflineClass, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField("资料名称", max_length=200)
    file = models.FileField("文件", upload_to="classes/documents/%Y/")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "培训资料"
        verbose_name_plural = "培训资料"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class ClassSession(models.Model):
    """One session (课次) of a class: time, place, instructor, topic, hours; how check-in works for it.

    `group` splits a class into parallel groups (e.g. "一组"): a session with a group is for that group's officers
    only; blank means everyone. `booking` is the instructor's answer to the organiser's request.
    """

    class Booking(models.TextChoices):
        NONE = "none", "未邀请"
        REQUESTED = "requested", "待讲师确认"
        ACCEPTED = "accepted", "讲师已接受"
        DECLINED = "declined", "讲师已谢绝"

    offline_class = models.ForeignKey(OfflineClass, on_delete=models.CASCADE, related_name="sessions")
    topic = models.CharField("专题", max_length=200)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    venue = models.CharField("地点", max_length=200, blank=True)
    online_url = models.URLField("线上会议链接", blank=True)
    instructor = models.ForeignKey(
        Instructor, verbose_name="讲师", null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    booking = models.CharField("讲师邀请", max_length=10, choices=Booking.choices, default=Booking.NONE)
    hours = models.DecimalField(
        "学时",
        max_digits=4,
        decimal_places=1,
        default=Decimal("2"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("12"))],
    )
    category = models.CharField("学时类别", max_length=10, choices=HoursCategory.choices, default=HoursCategory.LEGAL)
    group = models.CharField("分组", max_length=20, blank=True)
    required = models.BooleanField("必修课次", default=True)
    checkout_required = models.BooleanField("须签退", default=False)
    step_seconds = models.PositiveSmallIntegerField(
        "二维码刷新间隔（秒）", null=True, blank=True, help_text="留空则使用系统默认（15 秒）"
    )
    geofence_lat = models.FloatField("场地纬度", null=True, blank=True)
    geofence_lng = models.FloatField("场地经度", null=True, blank=True)
    geofence_radius_m = models.PositiveIntegerField("签到范围（米）", null=True, blank=True)

    class Meta:
        verbose_name = "课次"
        verbose_name_plural = "课次"
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["instructor", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="classes_session_times")
        ]

    def __str__(self) -> str:
        return f"{self.offline_class} · {self.topic}"

    @property
    def has_geofence(self) -> bool:
        return None not in (self.geofence_lat, self.geofence_lng, self.geofence_radius_m)


class Enrolment(models.Model):
    """An officer on a class: enrolled, on the waiting list (ordered by `queued_at`), or applying."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "已报名"
        WAITING = "waiting", "候补"
        APPLIED = "applied", "待审核"
        REJECTED = "rejected", "未通过"
        WITHDRAWN = "withdrawn", "已退出"

    offline_class = models.ForeignKey(OfflineClass, on_delete=models.CASCADE, related_name="enrolments")
    officer = models.ForeignKey(
        Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="class_enrolments"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, db_index=True)
    group = models.CharField("分组", max_length=20, blank=True)
    queued_at = models.DateTimeField("登记时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "参训登记"
        verbose_name_plural = "参训登记"
        ordering = ["queued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["offline_class", "officer"], name="classes_enrolment_once")]

    def __str__(self) -> str:
        return f"{self.officer} · {self.offline_class} · {self.get_status_display()}"


class Attendance(models.Model):
    """One officer at one session (unique): when he checked in and out, and how."""

    class Method(models.TextChoices):
        QR = "qr", "扫码签到"
        ROLL_CALL = "roll_call", "人工点名"

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="attendances")
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="class_attendances")
    checked_in_at = models.DateTimeField("签到时间")
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    method = models.CharField("方式", max_length=10, choices=Method.choices, default=Method.QR)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "考勤"
        verbose_name_plural = "考勤"
        ordering = ["checked_in_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "officer"], name="classes_attendance_once")]

    def __str__(self) -> str:
        return f"{self.officer_id}@{self.session_id}"


class RatingReceipt(models.Model):
    """That an officer has rated a session (enforces one response each); it does not say what he answered."""

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="rating_receipts")
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "评价回执"
        verbose_name_plural = "评价回执"
        constraints = [models.UniqueConstraint(fields=["session", "officer"], name="classes_rating_once")]

    def __str__(self) -> str:
        return f"{self.officer_id}@{self.session_id}"


def _score_field(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, validators=[MinValueValidator(1), MaxValueValidator(5)])


class RatingResponse(models.Model):
    """One anonymous rating of a session. No officer, no time, a random key: nothing links it to its receipt."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="rating_responses")
    content = _score_field("内容")
    usefulness = _score_field("对执法工作的帮助")
    delivery = _score_field("讲授")
    comment = models.TextField("意见建议", blank=True)

    class Meta:
        verbose_name = "课程评价"
        verbose_name_plural = "课程评价"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content__range=(1, 5), usefulness__range=(1, 5), delivery__range=(1, 5)),
                name="classes_rating_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.content}/{self.usefulness}/{self.delivery}"


class ProgrammePart(models.Model):
    """One part of a programme, in order: exactly one of course, class, exam or drill (scenario)."""

    class Kind(models.TextChoices):
        COURSE = "course", "线上课程"
        CLASS = "class", "线下培训班"
        EXAM = "exam", "考试"
        DRILL = "drill", "模拟演练"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField("顺序")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    course = models.ForeignKey("courses.Course", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    offline_class = models.ForeignKey(OfflineClass, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    exam = models.ForeignKey("exams.Exam", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scenario = models.ForeignKey("cases.Scenario", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "项目环节"
        verbose_name_plural = "项目环节"
        ordering = ["programme", "position", "id"]

    def __str__(self) -> str:
        return f"{self.programme} #{self.position} {self.target}"

    @property
    def target(self):
        return {"course": self.course, "class": self.offline_class, "exam": self.exam, "drill": self.scenario}[
            self.kind
        ]


class ProgrammeCertificate(models.Model):
    """A programme completion certificate, as courses.Certificate is for a course: `code` is printed as a QR code."""

    code = models.CharField("证书编号", max_length=24, unique=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="certificates")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="programme_certificates")
    issued_at = models.DateTimeField("颁发时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "项目结业证书"
        verbose_name_plural = "项目结业证书"
        constraints = [models.UniqueConstraint(fields=["programme", "officer"], name="classes_programme_cert_once")]

    def __str__(self) -> str:
        return self.code

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
