"""Supervision and evaluation: Period, Indicator (tree, weights, source, rule), IndicatorWeight (a unit's own
weights), IndicatorValue (entered or imported), Rubric, CaseFile and CaseFileReview (案卷评查), ThirdPartyAssignment
and ThirdPartyReview (第三方评估), Assessment, AssessmentResult and Objection (年度考核)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from zhifa.common.models import TimeStampedModel
from zhifa.people.models import Officer, Unit


class Period(TimeStampedModel):
    """An assessment year for a province (or any unit's subtree): its indicator tree, cap and tier thresholds."""

    name = models.CharField("名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    unit = models.ForeignKey(Unit, verbose_name="制定单位", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    thresholds = models.JSONField("等次分数线", default=dict, blank=True)
    reconcile_gap = models.DecimalField("复核分差", max_digits=5, decimal_places=1, default=Decimal("10"))

    class Meta:
        verbose_name = "考核年度"
        verbose_name_plural = "考核年度"
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="evaluation_period_unique")]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """One node of the period's tree. A leaf has a source and a rule; a group has neither."""

    class Source(models.TextChoices):
        NONE = "", "（分组）"
        COMPUTED = "computed", "平台计算"
        ENTERED = "entered", "评审录入"
        IMPORTED = "imported", "Excel 导入"

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.SlugField("编码", max_length=40)
    name = models.CharField("名称", max_length=100)
    weight = models.DecimalField("权重（%）", max_digits=5, decimal_places=2)
    weight_min = models.DecimalField("单位可调下限", max_digits=5, decimal_places=2)
    weight_max = models.DecimalField("单位可调上限", max_digits=5, decimal_places=2)
    source = models.CharField("数据来源", max_length=10, choices=Source.choices, blank=True)
    computed_key = models.CharField("计算口径", max_length=20, blank=True)
    rule = models.JSONField("评分规则", null=True, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["period", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["period", "code"], name="evaluation_indicator_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_leaf(self) -> bool:
        return bool(self.source)


class IndicatorWeight(models.Model):
    """A unit's own weight for one indicator (its subtree uses it); within the template's bounds."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="unit_weights")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    weight = models.DecimalField("权重（%）", max_digits=5, decimal_places=2)
    reason = models.CharField("调整理由", max_length=300)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField("调整时间", auto_now=True)

    class Meta:
        verbose_name = "单位指标权重"
        verbose_name_plural = "单位指标权重"
        constraints = [models.UniqueConstraint(fields=["indicator", "unit"], name="evaluation_weight_unique")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.weight}"


class IndicatorValue(models.Model):
    """An entered or imported value of one leaf for one officer, with its evidence (the source row itself)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField("数值", max_digits=8, decimal_places=2, null=True, blank=True)
    events = models.PositiveSmallIntegerField("次数", default=0)
    evidence = models.TextField("依据说明")
    evidence_file = models.FileField("佐证材料", upload_to="evaluation/evidence/%Y/", blank=True)
    origin = models.CharField("来源", max_length=200)  # "评审录入" or the imported file's name and row
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField("录入时间", auto_now=True)

    class Meta:
        verbose_name = "指标数值"
        verbose_name_plural = "指标数值"
        constraints = [models.UniqueConstraint(fields=["indicator", "officer"], name="evaluation_value_unique")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.officer_id}"


class Rubric(TimeStampedModel):
    """One version of a case-file review standard (案卷评查标准) as data; see rubric.py for its shape.

    A version is never changed once saved: editing makes the next version of its line (the template's when `period`
    is empty, else the period's own), so a file keeps the version it was scored with. `is_current` marks the
    version new files take.
    """

    name = models.CharField("名称", max_length=100)
    period = models.ForeignKey(
        Period, verbose_name="考核年度", null=True, blank=True, on_delete=models.CASCADE, related_name="rubrics"
    )
    version = models.PositiveIntegerField("版本", default=1)
    is_current = models.BooleanField("现行版本", default=True)
    note = models.CharField("修订说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.JSONField("评查项目")

    class Meta:
        verbose_name = "案卷评查标准"
        verbose_name_plural = "案卷评查标准"
        ordering = ["period_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["period", "version"], name="evaluation_rubric_version"),
            models.UniqueConstraint(
                fields=["version"], condition=models.Q(period__isnull=True), name="evaluation_rubric_template_version"
            ),
            models.UniqueConstraint(
                fields=["period"], condition=models.Q(is_current=True), name="evaluation_rubric_current"
            ),
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True, period__isnull=True),
                name="evaluation_rubric_template_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.version} 版）"


class CaseFile(TimeStampedModel):
    """An enforcement case file (执法案卷) to review: the scan or PDF and the case's metadata.

    A training file (is_training) is synthetic, made from the case library, with an expert review to compare with.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待评查"
        RECONCILE = "reconcile", "待复核（两评分差过大）"
        FINAL = "final", "已评定"

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="case_files")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name="办案单位", on_delete=models.PROTECT, related_name="+")
    officers = models.ManyToManyField(Officer, verbose_name="承办人员", blank=True, related_name="+")
    number = models.CharField("案号", max_length=80)
    title = models.CharField("案由", max_length=200)
    case_type = models.CharField("案件类型", max_length=40, default="行政处罚")
    decision = models.TextField("处理决定", blank=True)
    file = models.FileField("案卷文件", upload_to="evaluation/casefiles/%Y/", blank=True)
    sampled = models.BooleanField("抽查", default=False)
    is_training = models.BooleanField("训练用", default=False)
    source_case = models.ForeignKey(
        "cases.Case", verbose_name="来源案例", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    final_score = models.DecimalField("评定得分", max_digits=5, decimal_places=1, null=True, blank=True)
    failed = models.BooleanField("不合格卷", default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "执法案卷"
        verbose_name_plural = "执法案卷"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseFileReview(models.Model):
    class Role(models.TextChoices):
        FIRST = "first", "初评"
        SECOND = "second", "复评"
        RECONCILE = "reconcile", "合议复核"
        EXPERT = "expert", "专家标准答案"
        TRAINING = "training", "训练评分"

    case_file = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField("评查角色", max_length=10, choices=Role.choices)
    marks = models.JSONField("扣分项", default=dict)
    vetoes = models.JSONField("否决项", default=list)
    score = models.DecimalField("得分", max_digits=5, decimal_places=1)
    vetoed = models.BooleanField("否决", default=False)
    comment = models.TextField("评查意见", blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "案卷评查"
        verbose_name_plural = "案卷评查"
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_file", "reviewer"], condition=~models.Q(role="training"), name="evaluation_review_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_file_id} {self.get_role_display()} {self.score}"


class ThirdPartyAssignment(TimeStampedModel):
    """What an outside evaluator may review: which units (and their officers), which case files, until when."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="assignments")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.CharField("评估机构", max_length=100)
    units = models.ManyToManyField(Unit, verbose_name="评估单位", blank=True, related_name="+")
    officers = models.ManyToManyField(Officer, verbose_name="评估人员", blank=True, related_name="+")
    case_files = models.ManyToManyField(CaseFile, verbose_name="评查案卷", blank=True, related_name="assignments")
    form = models.JSONField("评估表")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("截止日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "第三方评估任务"
        verbose_name_plural = "第三方评估任务"
        ordering = ["-ends_on", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.period}"


class ThirdPartyReview(models.Model):
    """One filled form about one unit (or one officer of it); visible to the unit only once submitted."""

    assignment = models.ForeignKey(ThirdPartyAssignment, on_delete=models.CASCADE, related_name="reviews")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField("各项得分", default=dict)
    total = models.DecimalField("得分率（%）", max_digits=5, decimal_places=1, default=Decimal("0"))
    comment = models.TextField("评估意见", blank=True)
    evidence_file = models.FileField("佐证材料", upload_to="evaluation/thirdparty/%Y/", blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "第三方评估表"
        verbose_name_plural = "第三方评估表"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.unit} {self.total}%"


class Assessment(TimeStampedModel):
    """The annual assessment of a unit's subtree for a period: computed, reviewed, publicised, final."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿（机器计算，未经审定）"
        APPROVED = "approved", "已审定"
        PUBLICISED = "publicised", "公示中"
        FINAL = "final", "已定等次"

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="assessments")
    unit = models.ForeignKey(Unit, verbose_name="考核范围", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    excellent_cap = models.DecimalField("优秀比例上限", max_digits=4, decimal_places=2, default=Decimal("0.20"))
    cap_approval = models.CharField("提高比例的审批依据", max_length=300, blank=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    publicity_starts = models.DateField("公示开始", null=True, blank=True)
    publicity_ends = models.DateField("公示结束", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="evaluation_assessment_unique")]

    def __str__(self) -> str:
        return f"{self.period.name} · {self.unit.name}"


class AssessmentResult(models.Model):
    """One officer's result: the machine score with its derivation (`detail`), a person's adjustment, the tier."""

    class Tier(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        PASS = "pass", "合格"
        BASIC = "basic", "基本合格"
        FAIL = "fail", "不合格"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")  # where the cap is counted
    machine_score = models.DecimalField("计算得分", max_digits=6, decimal_places=2)
    adjusted_score = models.DecimalField("调整后得分", max_digits=6, decimal_places=2, null=True, blank=True)
    adjust_reason = models.TextField("调整理由", blank=True)
    vetoed = models.BooleanField("一票否决", default=False)
    barred = models.CharField("不得评优原因", max_length=200, blank=True)
    tier = models.CharField("等次", max_length=10, choices=Tier.choices)
    detail = models.JSONField("计算明细", default=dict)

    class Meta:
        verbose_name = "考核结果"
        verbose_name_plural = "考核结果"
        ordering = ["unit_id", "-machine_score"]
        constraints = [models.UniqueConstraint(fields=["assessment", "officer"], name="evaluation_result_unique")]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.machine_score}"

    @property
    def score(self) -> Decimal:
        return self.adjusted_score if self.adjusted_score is not None else self.machine_score


class Objection(models.Model):
    """An officer's written objection during publicity (or request for review of an automated decision)."""

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        UPHELD = "upheld", "异议成立"
        REJECTED = "rejected", "维持原结果"

    result = models.ForeignKey(AssessmentResult, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField("异议内容")
    submitted_at = models.DateTimeField("提出时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField("处理意见", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "考核异议"
        verbose_name_plural = "考核异议"
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"异议 #{self.pk}"
