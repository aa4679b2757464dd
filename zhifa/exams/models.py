"""Blueprints, exams, frozen papers, attempts, answers, evidence events, grades and qualification records."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhifa.common.models import TimeStampedModel
from zhifa.people.models import Officer, Unit
from zhifa.questions.models import Question


class Blueprint(TimeStampedModel):
    """组卷规则: sections (kind × knowledge point × difficulty, count, points) and enemy groups, as JSON.

    sections: [{"kind": "single", "knowledge_point": "<code or ''>", "difficulties": [2, 3], "count": 10,
    "points": "1"}]; enemy_groups: [[question id, question id, …], …]. Read by assembly.parse_blueprint.
    """

    name = models.CharField("名称", max_length=120)
    unit = models.ForeignKey(Unit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="+")
    sections = models.JSONField("组卷部分", default=list)
    enemy_groups = models.JSONField("互斥组", default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "组卷规则"
        verbose_name_plural = "组卷规则"

    def __str__(self) -> str:
        return self.name


class Exam(TimeStampedModel):
    class PaperMode(models.TextChoices):
        FIXED = "fixed", "统一试卷"
        PARALLEL = "parallel", "平行试卷（多套）"
        PER_EXAMINEE = "per_examinee", "一人一卷"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    title = models.CharField("考试名称", max_length=200)
    description = models.TextField("说明", blank=True)
    unit = models.ForeignKey(Unit, verbose_name="组织单位", on_delete=models.PROTECT, related_name="+")
    blueprint = models.ForeignKey(
        Blueprint, verbose_name="组卷规则", null=True, on_delete=models.PROTECT, related_name="exams"
    )
    paper_mode = models.CharField("组卷方式", max_length=20, choices=PaperMode.choices, default=PaperMode.FIXED)
    form_count = models.PositiveSmallIntegerField("平行试卷套数", default=1)
    shuffle_questions = models.BooleanField("打乱题序", default=True)
    shuffle_options = models.BooleanField("打乱选项", default=True)
    opens_at = models.DateTimeField("开考时间")
    closes_at = models.DateTimeField("截止时间")
    duration_minutes = models.PositiveIntegerField("考试时长（分钟）", default=60)
    attempts_allowed = models.PositiveSmallIntegerField("允许作答次数", default=1)
    pass_mark = models.DecimalField("及格分", max_digits=7, decimal_places=2, default=60)
    partial_credit = models.CharField(
        "多选题部分得分",
        max_length=12,
        default="none",
        choices=[("none", "全对才得分"), ("half", "少选得一半"), ("proportional", "按比例得分")],
    )
    # Who may sit (参考人员): the one audience mechanism (people.audiences); none yet means nobody.
    audience = models.ForeignKey(
        "people.Audience", verbose_name="参考人员", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    results_release_at = models.DateTimeField("成绩公布时间", null=True, blank=True, help_text="留空则在考试截止时公布")
    explanations_release_at = models.DateTimeField(
        "答案解析公布时间", null=True, blank=True, help_text="留空则在考试截止时公布"
    )
    is_qualification = models.BooleanField("资格考试", default=False)
    credit_hours = models.DecimalField("通过计学时", max_digits=5, decimal_places=1, default=0)
    credit_category = models.CharField("学时类别", max_length=10, default="legal")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "考试"
        verbose_name_plural = "考试"
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="exams_exam_window_order")
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now: datetime) -> bool:
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.closes_at

    def results_released(self, now: datetime) -> bool:
        return now >= (self.results_release_at or self.closes_at)

    def explanations_released(self, now: datetime) -> bool:
        return now >= (self.explanations_release_at or self.closes_at)


class ExamPaper(models.Model):
    """A frozen paper: rows [{"question", "section", "points", "options"}] in display order, and the seed used.

    A case-analysis row also has "subs": [{"question", "points", "options"}], its sub-questions (of the exact case
    version) in order, the row's points split among them; examinees answer the sub-questions.

    Built before the exam opens; `form` numbers parallel forms; `officer` is set for one-paper-per-examinee.
    """

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="papers")
    form = models.PositiveSmallIntegerField("套号", default=1)
    officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    seed = models.BigIntegerField("随机种子")
    rows = models.JSONField("试题")
    total_points = models.DecimalField("总分", max_digits=7, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "试卷"
        verbose_name_plural = "试卷"
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "form"], condition=Q(officer__isnull=True), name="exams_paper_one_per_form"
            ),
            models.UniqueConstraint(fields=["exam", "officer"], name="exams_paper_one_per_officer"),
        ]

    def __str__(self) -> str:
        return f"{self.exam} 第{self.form}套"

    @property
    def leaves(self) -> list[dict]:
        """The scored rows in display order: a case question's sub-questions stand in its place, each with its
        own points and options and `"case"` (the case question's id); every other row is itself."""
        out: list[dict] = []
        for row in self.rows:
            subs = row.get("subs")
            if subs:
                out.extend({**sub, "section": row["section"], "case": row["question"]} for sub in subs)
            else:
                out.append(row)
        return out

    @property
    def question_ids(self) -> list[int]:
        """The ids an attempt answers (sub-questions of a case question, not the case itself)."""
        return [row["question"] for row in self.leaves]

    def points_of(self, question_id: int) -> Decimal:
        return next(Decimal(r["points"]) for r in self.leaves if r["question"] == question_id)


class Attempt(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "作答中"
        SUBMITTED = "submitted", "待阅卷"
        GRADED = "graded", "已评分"

    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="exam_attempts")
    paper = models.ForeignKey(ExamPaper, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField("第几次", default=1)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField("开始时间")
    deadline = models.DateTimeField("交卷期限")
    submitted_at = models.DateTimeField("交卷时间", null=True, blank=True)
    auto_submitted = models.BooleanField("到时自动交卷", default=False)
    last_seq = models.BigIntegerField("最近保存序号", default=0)
    device_token = models.CharField("作答设备", max_length=64)

    class Meta:
        verbose_name = "答卷"
        verbose_name_plural = "答卷"
        constraints = [
            models.UniqueConstraint(fields=["exam", "officer", "number"], name="exams_attempt_number"),
            models.UniqueConstraint(
                fields=["exam", "officer"], condition=Q(status="running"), name="exams_attempt_one_running"
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"答卷 #{self.pk}"

    def deadline_passed(self, now: datetime) -> bool:
        return now >= self.deadline

    @staticmethod
    def deadline_for(exam: Exam, started_at: datetime) -> datetime:
        return min(started_at + timedelta(minutes=exam.duration_minutes), exam.closes_at)


class Answer(models.Model):
    """The latest response to one question of one attempt; written by an upsert keyed by (attempt, question)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    response = models.JSONField("作答", null=True)
    flagged = models.BooleanField("标记", default=False)
    seq = models.BigIntegerField("客户端序号", default=0)
    saved_at = models.DateTimeField("保存时间")
    auto_score = models.DecimalField("自动评分", max_digits=7, decimal_places=2, null=True, blank=True)
    suggested_score = models.DecimalField("建议得分", max_digits=7, decimal_places=2, null=True, blank=True)
    needs_manual = models.BooleanField("待人工阅卷", default=False, db_index=True)

    class Meta:
        verbose_name = "作答"
        verbose_name_plural = "作答"
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="exams_answer_unique")]

    def __str__(self) -> str:
        return f"答卷 #{self.attempt_id} 第 {self.question_id} 题"


class AttemptEvent(models.Model):
    """Evidence for review only (tab switches, copy attempts, takeovers); never changes a score by itself."""

    class Kind(models.TextChoices):
        TAB_HIDDEN = "tab_hidden", "切换页面"
        COPY = "copy", "复制"
        PASTE = "paste", "粘贴"
        TAKEOVER = "takeover", "更换设备"
        AUTO_SUBMIT = "auto_submit", "到时自动交卷"

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    at = models.DateTimeField("时间", auto_now_add=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "作答事件"
        verbose_name_plural = "作答事件"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%H:%M:%S}"


class Grade(models.Model):
    """One grade per attempt (the unique attempt makes ten concurrent submissions give exactly one)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待人工阅卷"
        FINAL = "final", "已完成"

    attempt = models.OneToOneField(Attempt, on_delete=models.CASCADE, related_name="grade")
    auto_score = models.DecimalField("客观题得分", max_digits=7, decimal_places=2)
    manual_score = models.DecimalField("主观题得分", max_digits=7, decimal_places=2, default=0)
    total = models.DecimalField("总分", max_digits=7, decimal_places=2)
    max_score = models.DecimalField("满分", max_digits=7, decimal_places=2)
    passed = models.BooleanField("通过", null=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    graded_at = models.DateTimeField("评分时间")

    class Meta:
        verbose_name = "成绩"
        verbose_name_plural = "成绩"

    def __str__(self) -> str:
        return f"{self.attempt} {self.total}"


class ManualGrade(models.Model):
    """A person's score for one short / case answer; changes go through a service and are audited with a reason."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="manual_grade")
    score = models.DecimalField("得分", max_digits=7, decimal_places=2)
    rubric_marks = models.JSONField("评分要点", default=list, blank=True)
    comment = models.TextField("评语", blank=True)
    grader = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    graded_at = models.DateTimeField("阅卷时间")

    class Meta:
        verbose_name = "人工评分"
        verbose_name_plural = "人工评分"

    def __str__(self) -> str:
        return f"{self.answer} {self.score}"


class QualificationRecord(models.Model):
    """An officer's passed qualification exam (the people app's certificate fields are not changed from here)."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="exam_qualifications")
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="+")
    attempt = models.OneToOneField(Attempt, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("成绩", max_digits=7, decimal_places=2)
    passed_at = models.DateTimeField("通过时间")

    class Meta:
        verbose_name = "资格考试记录"
        verbose_name_plural = "资格考试记录"
        constraints = [models.UniqueConstraint(fields=["officer", "exam"], name="exams_qualification_once")]

    def __str__(self) -> str:
        return f"{self.officer} {self.exam} {self.score}"
