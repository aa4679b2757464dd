"""Rollups the dashboard reads (rebuilt by `compute_rollups`, never scanned from raw logs at request time) and the
recommendations shown to officers with whether they were followed."""

from __future__ import annotations

from django.db import models

from zhifa.people.models import Officer, Unit
from zhifa.questions.models import KnowledgePoint


class OfficerRollup(models.Model):
    """One row per officer and year: every figure of the dashboard for him, so that a figure over a unit subtree
    is one aggregate over these rows and its drill-down is the same rows under the same condition."""

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField("单位路径", max_length=255)
    hours_legal = models.FloatField("法律知识学时", default=0)
    hours_skill = models.FloatField("业务技能学时", default=0)
    hours_ethics = models.FloatField("职业道德学时", default=0)
    hours_required = models.FloatField("应修学时", default=0)
    hours_met = models.BooleanField("学时达标", default=False)
    plan_items = models.PositiveIntegerField("计划任务", default=0)
    plan_done = models.PositiveIntegerField("已完成任务", default=0)
    plan_overdue = models.PositiveIntegerField("逾期任务", default=0)
    exams_sat = models.PositiveIntegerField("参加考试", default=0)
    exams_passed = models.PositiveIntegerField("通过考试", default=0)
    exam_score = models.FloatField("考试平均得分率", null=True, blank=True)
    drills_run = models.PositiveIntegerField("完成演练", default=0)
    drills_failed = models.PositiveIntegerField("不合格演练", default=0)
    drills_outside_standard = models.PositiveIntegerField("超出裁量基准", default=0)
    practice_days = models.PositiveIntegerField("练习天数", default=0)
    practice_reviews = models.PositiveIntegerField("练习题数", default=0)
    practice_correct = models.PositiveIntegerField("答对题数", default=0)
    mastery = models.FloatField("平均掌握度", null=True, blank=True)
    certificate_status = models.CharField("执法证状态", max_length=20)
    certificate_due = models.BooleanField("执法证90天内到期", default=False)
    satisfaction = models.FloatField("群众满意度（平滑）", null=True, blank=True)
    tier = models.CharField("年度考核等次", max_length=20, blank=True)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "人员汇总"
        verbose_name_plural = "人员汇总"
        constraints = [models.UniqueConstraint(fields=["officer", "year"], name="reports_officer_rollup_once")]
        indexes = [
            models.Index(
                fields=["year", "unit_path"], name="reports_rollup_path", opclasses=["int2_ops", "varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} · {self.year}"


class UnitRollup(models.Model):
    """Per unit and year, the dashboard's figures summed over the unit's own officers (`subtree` False) and over its
    whole subtree (`subtree` True), built nightly from the officer rollups: a dashboard reads one row per group
    instead of every officer of a province. Counts per figure, sums, and means with the officers who have one."""

    year = models.PositiveSmallIntegerField("年度")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    subtree = models.BooleanField("含下级单位")
    n = models.PositiveIntegerField("人数")
    counts = models.JSONField("各指标人数", default=dict)
    sums = models.JSONField("合计", default=dict)
    means = models.JSONField("平均", default=dict)
    known = models.JSONField("有值人数", default=dict)
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "单位汇总"
        verbose_name_plural = "单位汇总"
        constraints = [models.UniqueConstraint(fields=["year", "unit", "subtree"], name="reports_unit_rollup_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.year}"


class Recommendation(models.Model):
    """One suggestion shown to an officer on one day, with its one-line reason; `followed_at` is set when he opens
    it through the tracking link. `recall_before` keeps the mastery it was meant to raise, to measure the effect."""

    class Kind(models.TextChoices):
        DEADLINE = "deadline", "计划到期"
        WEAK_POINT = "weak_point", "薄弱知识点"
        PRACTICE = "practice", "到期复习"
        LAW_CHANGE = "law_change", "法条修订"

    officer = models.ForeignKey(Officer, verbose_name="执法人员", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    title = models.CharField("建议", max_length=200)
    reason = models.CharField("理由", max_length=300)
    url = models.CharField("链接", max_length=300)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    knowledge_point = models.ForeignKey(
        KnowledgePoint, verbose_name="知识点", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recall_before = models.FloatField("建议时掌握度", null=True, blank=True)
    followed_at = models.DateTimeField("采纳时间", null=True, blank=True)

    class Meta:
        verbose_name = "学习建议"
        verbose_name_plural = "学习建议"
        ordering = ["day", "position"]
        constraints = [models.UniqueConstraint(fields=["officer", "day", "position"], name="reports_rec_once")]

    def __str__(self) -> str:
        return self.title


class UnitKnowledgeRollup(models.Model):
    """Per unit and knowledge point, over the unit's own officers (`subtree` False) or its whole subtree (True):
    officers with a mastery, how many are weak, recall summed — the heatmap reads one row per group and point
    instead of every officer's mastery."""

    year = models.PositiveSmallIntegerField("年度")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    knowledge_point = models.ForeignKey(
        KnowledgePoint, verbose_name="知识点", on_delete=models.CASCADE, related_name="+"
    )
    subtree = models.BooleanField("含下级单位", default=False)
    officers = models.PositiveIntegerField("人数")
    weak = models.PositiveIntegerField("薄弱人数")
    recall_sum = models.FloatField("掌握度合计")
    computed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = "知识点汇总"
        verbose_name_plural = "知识点汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit", "knowledge_point", "subtree"], name="reports_kp_rollup_once_per_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.knowledge_point_id}"


class ExportJob(models.Model):
    """A drill-down export too big to answer in the request (over EXPORT_LIMIT rows): written by a background task,
    with its progress, and downloadable by the person who asked for it only."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    user = models.ForeignKey("people.User", verbose_name="申请人", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    figure = models.CharField("指标", max_length=40)
    own_only = models.BooleanField("仅本级", default=False)
    title = models.CharField("标题", max_length=200)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField("总行数", default=0)
    done = models.PositiveIntegerField("已写行数", default=0)
    file = models.FileField("文件", upload_to="report-exports/", blank=True)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
