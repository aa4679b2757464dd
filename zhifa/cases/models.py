"""Cases (案例) and drills (模拟执法演练): Case, Scenario with immutable published versions, DrillRun."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhifa.common.models import TimeStampedModel
from zhifa.people.models import Domain, Officer, Unit


class Case(TimeStampedModel):
    """A case for study: a typical case (典型案例) or a warning case of misconduct (以案示警).

    `article_keys` keeps every key as written; those the law library knows are also cited through laws.Citation
    (browse by article), the others wait until their law is imported (`case_cite_pending`).
    """

    class Kind(models.TextChoices):
        TYPICAL = "typical", "典型案例"
        WARNING = "warning", "以案示警"

    external_id = models.CharField("外部编号", max_length=80, unique=True, null=True, blank=True)
    title = models.CharField("标题", max_length=300)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.TYPICAL, db_index=True)
    domain = models.ForeignKey(
        Domain, verbose_name="执法领域", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    category = models.CharField("分类", max_length=60, blank=True, db_index=True)
    facts = models.TextField("基本案情", blank=True)
    issues = models.TextField("争议焦点", blank=True)
    analysis = models.TextField("分析", blank=True)
    outcome = models.TextField("处理结果", blank=True)
    discussion = models.JSONField("讨论题", default=list, blank=True)
    source = models.CharField("来源", max_length=300, blank=True)
    article_keys = models.JSONField("引用条文", default=list, blank=True)
    knowledge_points = models.ManyToManyField(
        "questions.KnowledgePoint", verbose_name="知识点", blank=True, related_name="cases"
    )
    pending_article_keys = models.JSONField("待解析条文", default=list, blank=True)

    class Meta:
        verbose_name = "案例"
        verbose_name_plural = "案例"
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, verbose_name="案例", on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField("名称", max_length=200)
    file = models.FileField("文件", upload_to="cases/attachments/")

    class Meta:
        verbose_name = "案例附件"
        verbose_name_plural = "案例附件"

    def __str__(self) -> str:
        return self.title


class Scenario(TimeStampedModel):
    """A drill across its versions; `key` is the YAML `id`. `unit` is the authoring unit (null: platform-wide)."""

    key = models.SlugField("编号", max_length=80, unique=True)
    title = models.CharField("标题", max_length=200)
    unit = models.ForeignKey(
        Unit, verbose_name="编写单位", null=True, blank=True, on_delete=models.PROTECT, related_name="scenarios"
    )
    current = models.ForeignKey(
        "ScenarioVersion", verbose_name="已发布版本", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "模拟执法演练"
        verbose_name_plural = "模拟执法演练"
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ScenarioVersion(models.Model):
    """One text of a scenario. A published version is immutable: editing makes a new draft; runs keep theirs."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        RETIRED = "retired", "已停用"

    scenario = models.ForeignKey(Scenario, verbose_name="演练", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    source = models.TextField("YAML 源文件")
    checksum = models.CharField("校验和", max_length=64)
    title = models.CharField("标题", max_length=200)
    role = models.CharField("角色", max_length=12, default="officer")
    domain = models.CharField("执法领域", max_length=40, blank=True)
    summary = models.TextField("简介", blank=True)
    articles_unchecked = models.BooleanField(
        "条文未核验", default=False, help_text="保存时法规库中缺少所引法规，条文待法规导入后核验"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "演练版本"
        verbose_name_plural = "演练版本"
        ordering = ["scenario", "-number"]
        constraints = [models.UniqueConstraint(fields=["scenario", "number"], name="cases_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class DrillRun(TimeStampedModel):
    """One play of one scenario version by one user; `state` (drill_engine.RunState) makes it resumable."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "进行中"
        COMPLETED = "completed", "合格"
        FAILED = "failed", "不合格"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="drill_runs"
    )
    officer = models.ForeignKey(
        Officer, verbose_name="执法人员", null=True, blank=True, on_delete=models.CASCADE, related_name="drill_runs"
    )
    version = models.ForeignKey(ScenarioVersion, verbose_name="演练版本", on_delete=models.PROTECT, related_name="runs")
    is_preview = models.BooleanField("预览", default=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.IN_PROGRESS, db_index=True)
    state = models.JSONField("进度", default=dict)
    score_total = models.IntegerField("总分", default=0)
    decision_amount = models.DecimalField("罚款金额", max_digits=12, decimal_places=2, null=True, blank=True)
    decision_measure = models.CharField("处罚种类", max_length=40, blank=True)
    decision_within = models.BooleanField("符合裁量基准", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "演练记录"
        verbose_name_plural = "演练记录"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["version", "status"]), models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.version}"
