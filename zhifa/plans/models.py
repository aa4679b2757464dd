"""Training plans (年度培训计划), their items and per-officer assignments, rotation (定期轮训) and content review."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models

from zhifa.common.models import TimeStampedModel
from zhifa.people.models import Audience, Officer, Unit
from zhifa.records.models import Category


class TrainingPlan(TimeStampedModel):
    """A unit's plan for one year. A published plan applies to the unit and every unit below it (inherited)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"

    unit = models.ForeignKey(Unit, verbose_name="制定单位", on_delete=models.PROTECT, related_name="training_plans")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("计划名称", max_length=120)
    description = models.TextField("说明", blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    copied_from = models.ForeignKey(
        "self", verbose_name="复制自", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdraw_reason = models.CharField("撤回原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "培训计划"
        verbose_name_plural = "培训计划"
        ordering = ["-year", "unit__path"]
        constraints = [
            # One live plan per unit and year; a withdrawn plan makes room for a new one.
            models.UniqueConstraint(
                fields=["unit", "year"], condition=~models.Q(status="withdrawn"), name="plans_plan_one_live_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class PlanItem(models.Model):
    """One thing the plan asks of its audience by a deadline: a course, an exam, a drill, a class or a target."""

    class Kind(models.TextChoices):
        COURSE = "course", "课程"
        EXAM = "exam", "考试"
        DRILL = "drill", "模拟演练"
        OFFLINE_CLASS = "offline_class", "线下培训班"
        PRACTICE_TARGET = "practice_target", "每日练习目标"
        HOURS_TARGET = "hours_target", "学时目标"

    plan = models.ForeignKey(TrainingPlan, verbose_name="培训计划", on_delete=models.CASCADE, related_name="items")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    title = models.CharField("名称", max_length=120)
    category = models.CharField("学时类别", max_length=10, choices=Category.choices, default=Category.LEGAL)
    course = models.ForeignKey(
        "courses.Course", verbose_name="课程", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exam = models.ForeignKey(
        "exams.Exam", verbose_name="考试", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scenario = models.ForeignKey(
        "cases.Scenario", verbose_name="模拟演练", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    offline_class = models.ForeignKey(
        "classes.OfflineClass",
        verbose_name="线下培训班",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target = models.DecimalField(
        "目标值",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text="每日练习目标为天数，学时目标为学时数",
    )
    audience = models.ForeignKey(
        Audience, verbose_name="培训对象", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window_start = models.DateField("开始日期")
    deadline = models.DateField("截止日期")
    required = models.BooleanField("必修", default=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    reason = models.CharField("安排理由", max_length=200, blank=True, help_text="学员首页“为什么要学”的说明")

    class Meta:
        verbose_name = "计划事项"
        verbose_name_plural = "计划事项"
        ordering = ["plan", "deadline", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(window_start__lte=models.F("deadline")), name="plans_item_window")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


class Assignment(models.Model):
    """One plan item for one officer. `status` is computed from the ledgers by services.assignments_refresh, never
    set by hand; only an exemption (with a reason, audited) is a person's decision."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未开始"
        IN_PROGRESS = "in_progress", "进行中"
        DONE = "done", "已完成"
        OVERDUE = "overdue", "已逾期"
        EXEMPTED = "exempted", "已免修"

    item = models.ForeignKey(PlanItem, verbose_name="计划事项", on_delete=models.CASCADE, related_name="assignments")
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField("单位路径", max_length=255)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.DecimalField("进度值", max_digits=8, decimal_places=2, default=Decimal("0"))
    done_on = models.DateField("完成日期", null=True, blank=True)
    exempted = models.BooleanField("免修", default=False)
    exempt_reason = models.CharField("免修理由", max_length=200, blank=True)
    created_at = models.DateTimeField("分配时间", auto_now_add=True)
    refreshed_at = models.DateTimeField("状态计算时间", null=True, blank=True)

    class Meta:
        verbose_name = "培训任务"
        verbose_name_plural = "培训任务"
        constraints = [models.UniqueConstraint(fields=["item", "officer"], name="plans_assignment_once")]
        # No index holds `status`: the refresh rewrites it in bulk, and the officer's FK index serves his lookups.
        indexes = [
            models.Index(
                fields=["item", "unit_path"], name="plans_asg_item_path", opclasses=["int8_ops", "varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} · {self.item_id} · {self.status}"


class RotationRule(TimeStampedModel):
    """Every officer of the unit subtree through the intensive programme at least once every `every_years` years."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="rotation_rules")
    name = models.CharField("轮训名称", max_length=120)
    every_years = models.PositiveSmallIntegerField("轮训周期（年）", default=3, validators=[MinValueValidator(1)])
    certificate_months = models.PositiveSmallIntegerField(
        "执法证到期提前（月）", default=12, help_text="执法证在此月数内到期的人员提前轮训"
    )
    items = models.ManyToManyField(PlanItem, verbose_name="轮训内容", blank=True, related_name="rotation_rules")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "轮训规则"
        verbose_name_plural = "轮训规则"
        ordering = ["unit__path"]

    def __str__(self) -> str:
        return self.name


class RotationBatch(TimeStampedModel):
    """One intake of a rotation (轮训批次) with a capacity."""

    class Status(models.TextChoices):
        OPEN = "open", "报名中"
        FINISHED = "finished", "已结业"

    rule = models.ForeignKey(RotationRule, verbose_name="轮训规则", on_delete=models.PROTECT, related_name="batches")
    name = models.CharField("批次名称", max_length=120)
    year = models.PositiveSmallIntegerField("年度")
    capacity = models.PositiveIntegerField("容量", validators=[MinValueValidator(1)])
    starts_on = models.DateField("开班日期")
    ends_on = models.DateField("结业日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = "轮训批次"
        verbose_name_plural = "轮训批次"
        ordering = ["-year", "starts_on"]

    def __str__(self) -> str:
        return self.name


class RotationEnrolment(models.Model):
    batch = models.ForeignKey(RotationBatch, verbose_name="批次", on_delete=models.CASCADE, related_name="enrolments")
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField("入选理由", max_length=200, blank=True)
    enrolled_at = models.DateTimeField("入选时间", auto_now_add=True)

    class Meta:
        verbose_name = "轮训学员"
        verbose_name_plural = "轮训学员"
        constraints = [models.UniqueConstraint(fields=["batch", "officer"], name="plans_enrolment_once")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.officer_id}"


class RotationRecord(models.Model):
    """A finished rotation on the officer's record (read by the certificates app's 年审)."""

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="rotations")
    completed_on = models.DateField("完成日期")
    batch = models.ForeignKey(
        RotationBatch, verbose_name="批次", null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "轮训记录"
        verbose_name_plural = "轮训记录"
        ordering = ["-completed_on"]
        indexes = [models.Index(fields=["officer", "completed_on"], name="plans_rotation_officer")]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "batch"], condition=models.Q(batch__isnull=False), name="plans_rotation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.completed_on}"


class ContentOwner(models.Model):
    """Who answers for a course, question, drill or case being current (内容责任人)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit, verbose_name="责任单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "内容责任人"
        verbose_name_plural = "内容责任人"
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id"], name="plans_owner_once")]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}"


class ContentReview(models.Model):
    """The outcome of reviewing one piece of content whose cited articles changed (audited)."""

    class Outcome(models.TextChoices):
        REVISED = "revised", "已修订"
        CONFIRMED = "confirmed", "确认仍有效"
        RETIRED = "retired", "已停用"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    outcome = models.CharField("复核结论", max_length=12, choices=Outcome.choices)
    note = models.CharField("说明", max_length=300)
    citations = models.JSONField("涉及条文", default=list)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="复核人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("复核时间", auto_now_add=True)

    class Meta:
        verbose_name = "内容复核"
        verbose_name_plural = "内容复核"
        ordering = ["-decided_at"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="plans_review_object")]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.outcome}"
