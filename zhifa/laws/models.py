"""The law library: laws, their versions, the provisions of each version, and citations to articles."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from zhifa.common.models import TimeStampedModel
from zhifa.people.models import Domain


class Law(TimeStampedModel):
    """A law or regulation, across all its versions. `short_title` (no 中华人民共和国) names it in article keys."""

    class Category(models.TextChoices):
        CONSTITUTION = "constitution", "宪法"
        LAW = "law", "法律"
        ADMINISTRATIVE_REGULATION = "administrative_regulation", "行政法规"
        DEPARTMENTAL_RULE = "departmental_rule", "部门规章"
        LOCAL_REGULATION = "local_regulation", "地方性法规"
        JUDICIAL_INTERPRETATION = "judicial_interpretation", "司法解释"
        NORMATIVE_DOCUMENT = "normative_document", "规范性文件"
        # No law, kept as paragraphs: court cases (the corpus's 案例) and guides (攻略, 指南, 问答).
        COURT_CASE = "court_case", "裁判案例"
        GUIDE = "guide", "指南与问答"

    title = models.CharField("标题", max_length=200, unique=True)
    short_title = models.CharField("简称", max_length=200, unique=True)
    category = models.CharField("类别", max_length=40, choices=Category.choices, default=Category.LAW, db_index=True)
    issuing_body = models.CharField("制定机关", max_length=100, blank=True)
    document_number = models.CharField("文号", max_length=100, blank=True)
    region = models.CharField(
        "地域", max_length=20, blank=True, db_index=True, help_text="地方性法规所属省份；全国性法律法规留空"
    )
    domains = models.ManyToManyField(Domain, verbose_name="执法领域", blank=True, related_name="laws")

    class Meta:
        verbose_name = "法律法规"
        verbose_name_plural = "法律法规"
        ordering = ["short_title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_law(self) -> bool:
        """False for a court case or a guide: kept as paragraphs, without versions or a status (现行有效 …)."""
        return self.category not in (self.Category.COURT_CASE, self.Category.GUIDE)


# The version date of a text without any date (no history line, none in its name, no 自…起施行): the oldest
# possible, so that it never displaces a dated version as the current one; court cases and guides keep it for good.
UNKNOWN_DATE = dt.date(1900, 1, 1)


class LawVersion(TimeStampedModel):
    """One text of a law: the original or an amendment. Exactly one version per law has is_current set."""

    class Status(models.TextChoices):
        NOT_YET_EFFECTIVE = "not_yet_effective", "尚未生效"
        IN_FORCE = "in_force", "现行有效"
        AMENDED = "amended", "已修改"
        REPEALED = "repealed", "已废止"

    law = models.ForeignKey(Law, verbose_name="法律法规", on_delete=models.CASCADE, related_name="versions")
    version_date = models.DateField("版本日期", help_text="公布或最近一次修正/修订的日期，用于区分版本")
    promulgated = models.DateField("公布日期", null=True, blank=True)
    amended = models.DateField("修改日期", null=True, blank=True)
    effective = models.DateField("施行日期", null=True, blank=True)
    status = models.CharField("时效性", max_length=20, choices=Status.choices, default=Status.IN_FORCE, db_index=True)
    is_current = models.BooleanField("当前版本", default=False, db_index=True)
    history = models.TextField("修订沿革", blank=True)
    source_name = models.CharField("来源文件", max_length=255, blank=True)
    checksum = models.CharField("校验和", max_length=64, db_index=True)
    source_text = models.TextField("原文", blank=True)
    article_count = models.PositiveIntegerField("条数", default=0)
    # A text without a dated history line or a date in its name: imported with a guessed (or placeholder)
    # version_date, listed at /laws/manage/dates/ until an administrator confirms the date.
    date_confirmed = models.BooleanField("日期已确认", default=True, db_index=True)
    date_note = models.CharField("日期说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "法规版本"
        verbose_name_plural = "法规版本"
        ordering = ["law", "-version_date"]
        constraints = [models.UniqueConstraint(fields=["law", "version_date"], name="laws_version_unique_date")]

    def __str__(self) -> str:
        return f"{self.law.short_title}（{self.version_date:%Y-%m-%d}）" if self.dated else self.law.short_title

    @property
    def dated(self) -> bool:
        """False for a version without any date (UNKNOWN_DATE: a court case, a guide, a text still to confirm)."""
        return self.version_date != UNKNOWN_DATE


class Provision(models.Model):
    """A node of a version's structure: 编, 分编, 章, 节, 条, 款, 项, 目, in document order.

    Articles carry a stable `key` ("行政处罚法#第三十二条", "民法典#第一千零一十条之一"), the same across versions
    when the number is unchanged; `text` of an article is its whole text (all paragraphs), so search and display
    need no join.
    """

    class Kind(models.TextChoices):
        PART = "part", "编"
        SUBPART = "subpart", "分编"
        CHAPTER = "chapter", "章"
        SECTION = "section", "节"
        ARTICLE = "article", "条"
        PARAGRAPH = "paragraph", "款"
        ITEM = "item", "项"
        SUBITEM = "subitem", "目"

    version = models.ForeignKey(LawVersion, verbose_name="版本", on_delete=models.CASCADE, related_name="provisions")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    kind = models.CharField("层级", max_length=12, choices=Kind.choices)
    position = models.PositiveIntegerField("顺序")
    label = models.CharField("编号", max_length=40, blank=True, help_text="第三十二条、第二章、（一）……")
    number = models.PositiveIntegerField("序号", null=True, blank=True)
    heading = models.CharField("标题", max_length=200, blank=True, help_text="编、章、节的名称")
    text = models.TextField("正文", blank=True)
    key = models.CharField("条文键", max_length=120, blank=True, db_index=True)

    class Meta:
        verbose_name = "条文"
        verbose_name_plural = "条文"
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="laws_provision_position")]
        indexes = [models.Index(fields=["version", "kind", "position"])]

    def __str__(self) -> str:
        return self.key or f"{self.label} {self.heading}".strip()


class Citation(models.Model):
    """Any object (question, lesson, case, scenario, …) citing an article of a law version.

    The one citation mechanism of the platform. When a new version changes or removes the cited article,
    `needs_review` is set and `review_note` holds the diff, so administrators see stale content (内容时效).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    article_key = models.CharField("条文键", max_length=120, db_index=True)
    version = models.ForeignKey(
        LawVersion, verbose_name="引用版本", null=True, blank=True, on_delete=models.SET_NULL, related_name="citations"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    needs_review = models.BooleanField("需复核", default=False, db_index=True)
    review_note = models.TextField("变更说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "法条引用"
        verbose_name_plural = "法条引用"
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "article_key"], name="laws_citation_unique")
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.article_key


class ImportJob(TimeStampedModel):
    """One upload on the import page: a law file, a .zip or a .tar.gz; its progress and report survive a reload."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField("文件名", max_length=255)
    upload = models.FileField("上传文件", upload_to="law-imports/")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField("文件数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    report = models.JSONField("导入报告", default=list, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "法规导入任务"
        verbose_name_plural = "法规导入任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.status == self.Status.DONE else 0)
