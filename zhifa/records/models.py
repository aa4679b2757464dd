"""Learning records (xAPI-style statements), the hours ledger (学时), yearly requirements and the monthly rollup."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zhifa.common.models import AppendOnlyModel
from zhifa.people.models import Officer, Unit
from zhifa.records.ledger import MAX_ENTRY_HOURS, rollup_month


class Verb(models.TextChoices):
    COMPLETED = "completed", "完成"
    PASSED = "passed", "通过"
    FAILED = "failed", "未通过"
    ATTENDED = "attended", "参加"
    ANSWERED = "answered", "作答"
    EXPERIENCED = "experienced", "学习"


class Statement(AppendOnlyModel):
    """One learning event, written once (xAPI-style: actor, verb, object, result, context, timestamp).

    Append-only: update and delete refuse. `dedupe_key` makes writing idempotent for the calling app.
    """

    uuid = models.UUIDField("语句编号", default=uuid.uuid4, unique=True, editable=False)
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="statements")
    verb = models.CharField("动作", max_length=20, choices=Verb.choices)
    object_type = models.CharField("对象类型", max_length=40)
    object_id = models.CharField("对象编号", max_length=64)
    object_name = models.CharField("对象名称", max_length=200)
    result = models.JSONField("结果", null=True, blank=True)
    context = models.JSONField("情境", null=True, blank=True)
    timestamp = models.DateTimeField("发生时间")
    stored = models.DateTimeField("记录时间", auto_now_add=True)
    dedupe_key = models.CharField("去重键", max_length=200, unique=True)

    class Meta:
        verbose_name = "学习记录"
        verbose_name_plural = "学习记录"
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["officer", "timestamp"], name="records_stmt_officer_ts")]

    def __str__(self) -> str:
        return f"{self.officer} {self.get_verb_display()} {self.object_name}"


class Category(models.TextChoices):
    LEGAL = "legal", "法律知识"
    SKILL = "skill", "业务技能"
    ETHICS = "ethics", "职业道德"


class HoursEntry(models.Model):
    """One credit of training hours (学时) in the ledger, with its source and evidence.

    Entries credited by the platform (a completed lesson, a passed exam) are approved at once, or at `release_at`
    when their evidence is not yet public (an exam's results); manual entries (training elsewhere) wait for a unit
    administrator. Only approved entries count.
    """

    Category = Category

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已认定"
        REJECTED = "rejected", "已退回"
        WITHDRAWN = "withdrawn", "已撤销"  # its evidence no longer holds (e.g. a regraded exam now failed)
        # Credited before the officer may learn of it (an exam passed before its results' release time): it counts,
        # and the officer sees it, only from `release_at` on (services.hours_release_due).
        SCHEDULED = "scheduled", "待公布"

    officer = models.ForeignKey(
        Officer, verbose_name="执法人员", on_delete=models.PROTECT, related_name="hours_entries"
    )
    year = models.PositiveSmallIntegerField("年度")
    occurred_on = models.DateField("培训日期")
    category = models.CharField("类别", max_length=10, choices=Category.choices)
    hours = models.DecimalField(
        "学时",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_ENTRY_HOURS)],
    )
    source = models.CharField("来源", max_length=200)
    evidence = models.TextField("佐证说明", blank=True)
    evidence_file = models.FileField("佐证材料", upload_to="records/evidence/%Y/%m/", blank=True)
    is_manual = models.BooleanField("个人申报", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.APPROVED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    release_at = models.DateTimeField("公布时间", null=True, blank=True)
    review_reason = models.TextField("审核意见", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    dedupe_key = models.CharField("去重键", max_length=200, unique=True)

    class Meta:
        verbose_name = "学时记录"
        verbose_name_plural = "学时记录"
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["officer", "year", "status"], name="records_hours_officer_year"),
            models.Index(fields=["status", "created_at"], name="records_hours_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=MAX_ENTRY_HOURS), name="records_hours_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} {self.year} {self.get_category_display()} {self.hours}学时"

    @property
    def rollup_month(self) -> int:
        """The month of `year` the entry counts in (the last month when it was trained in an earlier year)."""
        return rollup_month(year=self.year, occurred_on=self.occurred_on)


class HoursRequirement(models.Model):
    """The yearly hours an officer must reach in one category, for a province or a unit subtree.

    The most specific requirement applies: a unit's own (or its nearest ancestor's) over its province's over the
    national default (no province, no unit). A year with no row of its own uses the latest earlier year's rows.
    """

    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("类别", max_length=10, choices=Category.choices)
    hours = models.DecimalField(
        "要求学时",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
    )
    province = models.CharField("省份", max_length=20, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name="单位", null=True, blank=True, on_delete=models.CASCADE, related_name="hours_requirements"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "学时要求"
        verbose_name_plural = "学时要求"
        ordering = ["-year", "province", "unit__path", "category"]
        constraints = [
            models.UniqueConstraint(fields=["year", "category", "province", "unit"], name="records_req_unique_scope"),
            models.UniqueConstraint(
                fields=["year", "category", "province"],
                condition=models.Q(unit__isnull=True),
                name="records_req_unique_province",
            ),
            models.CheckConstraint(
                condition=models.Q(unit__isnull=True) | models.Q(province=""), name="records_req_one_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.scope_label} {self.get_category_display()} {self.hours}学时"

    @property
    def scope_label(self) -> str:
        if self.unit_id:
            return str(self.unit)
        return self.province or "全国默认"


class HoursMonthly(models.Model):
    """Approved hours per officer, month and category; kept by the services in the same transaction as the entry.

    `unit_path` copies the officer's unit path so a subtree's compliance is one prefix range scan.
    """

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField("单位路径", max_length=255)
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    category = models.CharField("类别", max_length=10, choices=Category.choices)
    hours = models.DecimalField("学时", max_digits=8, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = "月度学时汇总"
        verbose_name_plural = "月度学时汇总"
        constraints = [
            models.UniqueConstraint(fields=["officer", "year", "month", "category"], name="records_monthly_unique"),
        ]
        indexes = [
            # On PostgreSQL a prefix LIKE on unit_path needs the pattern opclass (SQLite ignores opclasses).
            models.Index(
                fields=["year", "unit_path"],
                name="records_monthly_year_path",
                opclasses=["int2_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.year}-{self.month:02d} {self.category} {self.hours}"


class HoursYearly(models.Model):
    """Approved hours per officer and year, one column per category: the compliance report reads one row per officer.

    Kept by the same services and in the same transaction as HoursMonthly; always equal to the sum of an officer's
    monthly rows of that year.
    """

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField("单位路径", max_length=255)
    year = models.PositiveSmallIntegerField("年度")
    legal = models.DecimalField("法律知识", max_digits=8, decimal_places=2, default=Decimal("0"))
    skill = models.DecimalField("业务技能", max_digits=8, decimal_places=2, default=Decimal("0"))
    ethics = models.DecimalField("职业道德", max_digits=8, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = "年度学时汇总"
        verbose_name_plural = "年度学时汇总"
        constraints = [models.UniqueConstraint(fields=["officer", "year"], name="records_yearly_unique")]
        indexes = [
            models.Index(
                fields=["year", "unit_path"],
                name="records_yearly_year_path",
                opclasses=["int2_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.year} {self.legal}/{self.skill}/{self.ethics}"
