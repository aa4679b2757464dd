"""The question bank: knowledge points, questions (versioned), their options, and import batches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.common.models import TimeStampedModel
from zhifa.people.models import Domain


class KnowledgePoint(models.Model):
    """A node of the knowledge point tree (知识点). `path` is the materialised path of primary keys ("/1/5/")."""

    code = models.SlugField("代码", max_length=60, unique=True)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=255, blank=True, db_index=True)
    position = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "知识点"
        verbose_name_plural = "知识点"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class QuestionUse(models.TextChoices):
    """What a question may be used for; exam-only questions (保密题) never reach practice."""

    BOTH = "both", "练习和考试"
    PRACTICE = "practice", "仅练习"
    EXAM = "exam", "仅考试（保密题）"


class QuestionBank(TimeStampedModel):
    """A named bank (题库) with the default use of the questions created in it or imported into it."""

    name = models.CharField("题库名称", max_length=100, unique=True)
    description = models.TextField("说明", blank=True)
    default_use = models.CharField(
        "默认用途",
        max_length=10,
        choices=QuestionUse.choices,
        default=QuestionUse.BOTH,
        help_text="在本题库中新建或导入的试题默认取此用途，导入文件的“用途”列另有填写的除外",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "题库"
        verbose_name_plural = "题库"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Question(TimeStampedModel):
    """One version of a question. Published rows are immutable: editing makes a new row in the same lineage.

    `lineage` points at the first version (the first version points at itself), so all versions share it;
    exactly one row per lineage has `is_latest`. Sub-questions of a case question have `parent` and `position`.
    `answer` by kind: single/multiple ["A","C"]; judge [true]; blank [["accepted","alternative"], ...] per blank;
    short/case {"reference": "...", "rubric": [{"point": "...", "score": 2}]}.
    """

    class Kind(models.TextChoices):
        SINGLE = "single", "单选题"
        MULTIPLE = "multiple", "多选题"
        JUDGE = "judge", "判断题"
        BLANK = "blank", "填空题"
        SHORT = "short", "简答题"
        CASE = "case", "案例分析题"

    Use = QuestionUse

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        REVIEW = "review", "待审核"
        PUBLISHED = "published", "已发布"
        RETIRED = "retired", "已停用"

    kind = models.CharField("题型", max_length=10, choices=Kind.choices, db_index=True)
    stem = models.TextField("题干", help_text="经 nh3 清洗的 HTML")
    answer = models.JSONField("答案", default=list, blank=True)
    explanation = models.TextField("解析", blank=True)
    difficulty = models.PositiveSmallIntegerField("难度", default=3, help_text="1（易）到 5（难）")
    knowledge_points = models.ManyToManyField(
        KnowledgePoint, verbose_name="知识点", blank=True, related_name="questions"
    )
    domains = models.ManyToManyField(Domain, verbose_name="执法领域", blank=True, related_name="questions")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    use = models.CharField(
        "用途",
        max_length=10,
        choices=Use.choices,
        default=Use.BOTH,
        db_index=True,
        help_text="仅考试的保密题不进入练习、错题本（答案公布前）和任何带答案的接口",
    )
    bank = models.ForeignKey(
        QuestionBank, verbose_name="题库", null=True, blank=True, on_delete=models.PROTECT, related_name="questions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_questions",
    )
    lineage = models.ForeignKey(
        "self", verbose_name="首个版本", null=True, blank=True, on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveIntegerField("版本", default=1)
    is_latest = models.BooleanField("最新版本", default=True, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="所属案例题",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sub_questions",
    )
    position = models.PositiveIntegerField("小题顺序", default=0)
    source = models.CharField("来源", max_length=200, blank=True)
    external_id = models.CharField("外部编号", max_length=100, blank=True, db_index=True)
    stem_hash = models.CharField("题干指纹", max_length=64, blank=True, db_index=True)
    content_hash = models.CharField("内容指纹", max_length=64, blank=True, db_index=True)
    article_keys = models.JSONField(
        "法条依据",
        default=list,
        blank=True,
        help_text="声明的条文键；已导入的法条另有 laws.Citation，其余为待关联",
    )
    extra = models.JSONField("其他信息", default=dict, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "试题"
        verbose_name_plural = "试题"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(difficulty__gte=1, difficulty__lte=5), name="questions_difficulty_1_to_5"
            ),
            models.UniqueConstraint(fields=["lineage", "version"], name="questions_lineage_version"),
            models.UniqueConstraint(
                fields=["lineage"], condition=Q(is_latest=True), name="questions_one_latest_per_lineage"
            ),
        ]
        indexes = [models.Index(fields=["is_latest", "status", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} v{self.version}"

    @property
    def practicable_use(self) -> bool:
        return self.use in PRACTICE_USES

    @property
    def is_objective(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE, self.Kind.JUDGE, self.Kind.BLANK)


PRACTICE_USES = (Question.Use.PRACTICE.value, Question.Use.BOTH.value)  # uses whose keys may reach a device


class Option(models.Model):
    """A choice of a single/multiple choice question, labelled "A".."H"."""

    question = models.ForeignKey(Question, verbose_name="试题", on_delete=models.CASCADE, related_name="options")
    label = models.CharField("选项", max_length=1)
    text = models.TextField("内容")
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "选项"
        verbose_name_plural = "选项"
        ordering = ["question", "position"]
        constraints = [models.UniqueConstraint(fields=["question", "label"], name="questions_option_label")]

    def __str__(self) -> str:
        return f"{self.label}. {self.text[:30]}"


class QuestionImport(models.Model):
    """An uploaded file of questions: previewed first (dry run), committed all-or-nothing by the same person."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel"
        JSONL = "jsonl", "JSONL"
        DOCX = "docx", "Word"

    class Status(models.TextChoices):
        CHECKING = "checking", "检查中"
        PREVIEWED = "previewed", "待确认"
        IMPORTING = "importing", "导入中"
        COMMITTED = "committed", "已导入"
        FAILED = "failed", "有错误"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    filename = models.CharField("文件名", max_length=255)
    format = models.CharField("格式", max_length=10, choices=Format.choices)
    file = models.FileField("文件", upload_to="question_imports/%Y/%m/")
    sha256 = models.CharField("校验和", max_length=64)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.CHECKING)
    summary = models.JSONField("统计", default=dict, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        verbose_name = "试题导入"
        verbose_name_plural = "试题导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"
