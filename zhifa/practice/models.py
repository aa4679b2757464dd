"""Review cards (FSRS), the review log, the mistakes book, daily activity and mastery snapshots."""

from __future__ import annotations

from django.db import models

from zhifa.people.models import Officer, Unit
from zhifa.questions.models import KnowledgePoint, Question


class ReviewCard(models.Model):
    """One officer × one question lineage, scheduled by FSRS. The indexed columns are what the queue reads.

    `question` is the lineage's first version: the card follows the question through new versions; what is shown is
    the latest published version of that lineage.
    """

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="review_cards")
    question = models.ForeignKey(Question, verbose_name="试题", on_delete=models.CASCADE, related_name="+")
    state = models.PositiveSmallIntegerField("状态", default=1, help_text="1 学习中, 2 复习, 3 重新学习")
    step = models.PositiveSmallIntegerField("学习步", null=True, blank=True)
    stability = models.FloatField("稳定性", null=True, blank=True)
    difficulty = models.FloatField("难度", null=True, blank=True)
    due = models.DateTimeField("到期")
    last_review = models.DateTimeField("上次复习", null=True, blank=True)
    last_review_day = models.FloatField("上次复习（纪元日）", null=True, blank=True, help_text="供 SQL 计算记忆保持率")
    reps = models.PositiveIntegerField("复习次数", default=0)
    lapses = models.PositiveIntegerField("遗忘次数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "复习卡片"
        verbose_name_plural = "复习卡片"
        constraints = [models.UniqueConstraint(fields=["officer", "question"], name="practice_card_unique")]
        indexes = [models.Index(fields=["officer", "due"]), models.Index(fields=["officer", "created_at"])]

    def __str__(self) -> str:
        return f"{self.officer_id}:{self.question_id}"


class ReviewLog(models.Model):
    """One answer in practice, as the phone reported it. Append-only; `client_id` makes offline resends idempotent.

    `applied` is False for a review that arrived after a later one of the same card (offline, out of order): it is
    kept as evidence and for the mistakes book, but it does not move the schedule backwards.
    """

    class Source(models.TextChoices):
        PRACTICE = "practice", "练习"
        EXAM = "exam", "考试"

    card = models.ForeignKey(ReviewCard, verbose_name="卡片", on_delete=models.CASCADE, related_name="logs")
    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, verbose_name="所答版本", on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField("客户端编号", max_length=64)
    rating = models.PositiveSmallIntegerField("评分")
    correct = models.BooleanField("正确")
    response = models.JSONField("作答", null=True, blank=True)
    response_ms = models.PositiveIntegerField("用时（毫秒）", null=True, blank=True)
    reviewed_at = models.DateTimeField("作答时间", help_text="手机上的时间，已校正到合理范围")
    received_at = models.DateTimeField("接收时间", auto_now_add=True)
    applied = models.BooleanField("计入排程", default=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.PRACTICE)

    class Meta:
        verbose_name = "复习记录"
        verbose_name_plural = "复习记录"
        constraints = [models.UniqueConstraint(fields=["officer", "client_id"], name="practice_log_client_unique")]
        indexes = [models.Index(fields=["officer", "reviewed_at"])]

    def __str__(self) -> str:
        return f"{self.officer_id}:{self.client_id}"


class Mistake(models.Model):
    """An entry of the mistakes book (错题本): a question lineage answered wrong, until right on two separate days."""

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="mistakes")
    question = models.ForeignKey(Question, verbose_name="试题", on_delete=models.CASCADE, related_name="+")
    source = models.CharField("首次来源", max_length=10, choices=ReviewLog.Source.choices)
    source_ref = models.CharField("来源编号", max_length=64, blank=True, help_text="考试答卷号等")
    wrong_count = models.PositiveIntegerField("答错次数", default=1)
    last_wrong_at = models.DateTimeField("最近答错")
    right_days = models.JSONField("此后答对的日期", default=list)
    resolved_at = models.DateTimeField("移出时间", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "错题"
        verbose_name_plural = "错题本"
        constraints = [models.UniqueConstraint(fields=["officer", "question"], name="practice_mistake_unique")]

    def __str__(self) -> str:
        return f"{self.officer_id}:{self.question_id}"


class DailyActivity(models.Model):
    """Per officer and day: reviews done and points earned (capped). Points never count in any assessment."""

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")
    reviews = models.PositiveIntegerField("练习题数", default=0)
    correct = models.PositiveIntegerField("答对题数", default=0)
    new_cards = models.PositiveIntegerField("新题数", default=0)
    points = models.PositiveIntegerField("积分", default=0)

    class Meta:
        verbose_name = "每日练习"
        verbose_name_plural = "每日练习"
        constraints = [models.UniqueConstraint(fields=["officer", "day"], name="practice_daily_unique")]

    def __str__(self) -> str:
        return f"{self.officer_id}:{self.day}"


class PracticeSettings(models.Model):
    """Practice settings of a unit subtree (the most specific unit wins; a row without unit is the default)."""

    unit = models.OneToOneField(
        Unit, verbose_name="单位", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    new_per_day = models.PositiveSmallIntegerField("每日新题数", default=10)
    session_minutes = models.PositiveSmallIntegerField("每次练习时长（分钟）", default=5)
    points_daily_cap = models.PositiveSmallIntegerField("每日积分上限", default=30)
    ranking_enabled = models.BooleanField("单位内排行", default=False, help_text="默认关闭；开启后仅本单位可见")

    class Meta:
        verbose_name = "练习设置"
        verbose_name_plural = "练习设置"

    def __str__(self) -> str:
        return f"练习设置（{self.unit or '默认'}）"


class Mastery(models.Model):
    """Expected recall per officer × knowledge point, computed nightly (`compute_mastery`)."""

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    knowledge_point = models.ForeignKey(
        KnowledgePoint, verbose_name="知识点", on_delete=models.CASCADE, related_name="+"
    )
    recall = models.FloatField("预期记忆保持率")
    cards = models.PositiveIntegerField("卡片数")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "掌握度"
        verbose_name_plural = "掌握度"
        constraints = [models.UniqueConstraint(fields=["officer", "knowledge_point"], name="practice_mastery_unique")]

    def __str__(self) -> str:
        return f"{self.officer_id}:{self.knowledge_point_id}={self.recall:.2f}"


class CollectedAttempt(models.Model):
    """An exam attempt whose wrong answers are already in the mistakes book (collection runs once per attempt)."""

    attempt_id = models.BigIntegerField("答卷", primary_key=True)
    collected_at = models.DateTimeField("收集时间", auto_now_add=True)

    class Meta:
        verbose_name = "已收集错题的答卷"
        verbose_name_plural = "已收集错题的答卷"

    def __str__(self) -> str:
        return str(self.attempt_id)
