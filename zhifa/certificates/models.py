"""Provincial certificate rules (as data), exams linked to their purpose, the ledgers the annual review (年审) reads
that no other app keeps (enforcement-act counts, spot-check findings), suspensions, review decisions and the
certificate's history.

The certificate itself lives on people.Officer (number, issued, expires, status); only certificates.services
changes those fields, always with a CertificateEvent and an audit event.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zhifa.common.models import AppendOnlyModel, TimeStampedModel
from zhifa.exams.models import Exam
from zhifa.people.models import Officer


class CertificateRuleSet(TimeStampedModel):
    """One province's rules for the enforcement certificate; `sources` cites the text each rule comes from.

    `sources` maps a rule code (see certificates.rules.RULE_CODES) to {"document", "article", "text"}.
    """

    province = models.CharField("省份", max_length=20, unique=True)
    name = models.CharField("规则名称", max_length=120)
    validity_years = models.PositiveSmallIntegerField(
        "证件有效期（年）", choices=[(2, "2 年"), (3, "3 年"), (5, "5 年")], default=5
    )
    yearly_hours_total = models.DecimalField(
        "年度集中培训学时下限",
        max_digits=6,
        decimal_places=2,
        default=Decimal("40"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("500"))],
    )
    category_hours = models.JSONField(
        "各类别学时下限", default=dict, blank=True, help_text='例如 {"legal": 20}：其中法律知识不少于 20 学时'
    )
    hours_per_category = models.BooleanField(
        "各类别学时须达到学时台账的年度要求",
        default=False,
        help_text="按本单位在“学时要求”中配置的法律知识、业务技能、职业道德学时",
    )
    initial_training_hours = models.DecimalField(
        "申领证件的岗前培训学时", max_digits=6, decimal_places=2, default=Decimal("60")
    )
    exam_pass_mark = models.DecimalField(
        "考试合格分（百分制）",
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
    )
    exam_parts = models.JSONField("资格考试科目", default=list, help_text='例如 ["general", "specialised"]')
    renewal_window_months = models.PositiveSmallIntegerField("换证考试窗口（到期前 N 个月）", default=6)
    rotation_years = models.PositiveSmallIntegerField("轮训周期（年）", default=3)
    idle_years = models.PositiveSmallIntegerField("连续无执法行为年数（须说明理由）", default=2)
    review_month = models.PositiveSmallIntegerField(
        "年审月份", default=12, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    fail_on_failed_exam = models.BooleanField("考试不合格则年审不通过", default=True)
    fail_on_spot_check = models.BooleanField("案卷抽查不合格则年审不通过", default=True)
    suspend_on_new_law_failure = models.BooleanField("新法考试不合格暂扣证件并脱岗培训", default=True)
    revoke_on_second_failure = models.BooleanField("再次不合格吊销证件", default=True)
    sources = models.JSONField("规则依据", default=dict, blank=True)

    class Meta:
        verbose_name = "执法证件规则"
        verbose_name_plural = "执法证件规则"
        ordering = ["province"]

    def __str__(self) -> str:
        return self.name


class CertificateExam(models.Model):
    """An exam (from the exams app) and what it counts for in a province's certificate rules."""

    class Purpose(models.TextChoices):
        QUALIFICATION = "qualification", "资格考试"
        RENEWAL = "renewal", "换证考试"
        NEW_LAW = "new_law", "新法考试"

    class Part(models.TextChoices):
        GENERAL = "general", "公共法律知识（省级统一）"
        SPECIALISED = "specialised", "专业法律知识（行业主管部门）"

    exam = models.OneToOneField(Exam, verbose_name="考试", on_delete=models.CASCADE, related_name="+")
    rule_set = models.ForeignKey(
        CertificateRuleSet, verbose_name="证件规则", on_delete=models.CASCADE, related_name="exams"
    )
    purpose = models.CharField("用途", max_length=20, choices=Purpose.choices)
    part = models.CharField("科目", max_length=20, choices=Part.choices, default=Part.GENERAL)

    class Meta:
        verbose_name = "证件考试"
        verbose_name_plural = "证件考试"

    def __str__(self) -> str:
        return f"{self.exam} · {self.get_purpose_display()}"


class EnforcementActCount(TimeStampedModel):
    """How many enforcement acts (执法行为: cases handled, inspections signed) an officer performed in a year."""

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    count = models.PositiveIntegerField("执法行为数")
    explanation = models.CharField("无执法行为的说明", max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "执法行为统计"
        verbose_name_plural = "执法行为统计"
        constraints = [models.UniqueConstraint(fields=["officer", "year"], name="certificates_acts_once_a_year")]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.year}: {self.count}"


class ReviewFinding(models.Model):
    """A finding the annual review reads, recorded by another app (a case-file spot check of the evaluation app)."""

    class Kind(models.TextChoices):
        SPOT_CHECK = "spot_check", "案卷抽查"

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.SPOT_CHECK)
    passed = models.BooleanField("合格")
    summary = models.CharField("结论", max_length=300)
    source_key = models.CharField("来源键", max_length=120, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField("记录时间", auto_now=True)

    class Meta:
        verbose_name = "年审发现"
        verbose_name_plural = "年审发现"
        indexes = [models.Index(fields=["year", "officer"])]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.year} {self.get_kind_display()} {'合格' if self.passed else '不合格'}"


class Suspension(models.Model):
    """A suspension (暂扣) of an officer's certificate, open until reinstated (or closed by a revocation)."""

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField("暂扣原因", max_length=300)
    off_duty_training = models.BooleanField("须脱岗培训", default=False)
    started_at = models.DateTimeField("暂扣时间")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)
    resolution = models.CharField("解除说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "证件暂扣"
        verbose_name_plural = "证件暂扣"
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["officer", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.started_at:%Y-%m-%d} {self.reason}"


class ReviewDecision(models.Model):
    """The administrator's confirmed outcome of an officer's annual review for a year (one per officer and year)."""

    class Outcome(models.TextChoices):
        PASSED = "passed", "通过"
        FAILED = "failed", "不通过"

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    outcome = models.CharField("结论", max_length=10, choices=Outcome.choices)
    reasons = models.JSONField("理由", default=list, blank=True)
    status_before = models.CharField("原证件状态", max_length=20)
    status_after = models.CharField("确认后证件状态", max_length=20)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("确认时间")

    class Meta:
        verbose_name = "年审结论"
        verbose_name_plural = "年审结论"
        constraints = [models.UniqueConstraint(fields=["officer", "year"], name="certificates_decision_once")]
        indexes = [models.Index(fields=["year", "officer"])]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.year} {self.get_outcome_display()}"


class CertificateEvent(AppendOnlyModel):
    """One step in a certificate's life: issued, renewed, suspended, reinstated, revoked, cancelled, expired…"""

    class Kind(models.TextChoices):
        ISSUE = "issue", "发证"
        RENEW = "renew", "换证（延续有效期）"
        SUSPEND = "suspend", "暂扣"
        REINSTATE = "reinstate", "恢复（解除暂扣）"
        REVOKE = "revoke", "吊销"
        CANCEL = "cancel", "注销"
        EXPIRE = "expire", "到期失效"
        REVIEW_PASS = "review_pass", "年审通过"
        REVIEW_FAIL = "review_fail", "年审不通过"

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("事项", max_length=20, choices=Kind.choices)
    reason = models.TextField("原因", blank=True)
    status_before = models.CharField("原状态", max_length=20)
    status_after = models.CharField("新状态", max_length=20)
    expires_before = models.DateField("原有效期至", null=True, blank=True)
    expires_after = models.DateField("新有效期至", null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "证件事项"
        verbose_name_plural = "证件事项"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["officer", "at"])]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.get_kind_display()}"

    @property
    def change_label(self) -> str:
        """ "有效 → 暂扣" (the people app's labels, except that a revoked status says 吊销/注销 as the kind tells)."""
        labels = dict(Officer.CertificateStatus.choices) | {"revoked": "吊销/注销"}
        before, after = labels.get(self.status_before, self.status_before), labels.get(self.status_after, "")
        return before if before == after else f"{before} → {after}"
