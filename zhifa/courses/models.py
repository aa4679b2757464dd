"""Courses, chapters and lessons; uploaded videos and their renditions; watch sessions, heartbeats and progress;
checkpoints; course certificates."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models

from zhifa.common.models import AppendOnlyModel, TimeStampedModel
from zhifa.people.models import Domain, Officer, Unit
from zhifa.records.models import Category as HoursCategory


class Course(TimeStampedModel):
    """A course (课程): chapters of lessons, taught by instructors, required or elective for an audience."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        ARCHIVED = "archived", "已下架"

    class Requirement(models.TextChoices):
        REQUIRED = "required", "必修"
        ELECTIVE = "elective", "选修"

    code = models.SlugField("课程代码", max_length=60, unique=True)
    title = models.CharField("课程名称", max_length=120)
    summary = models.TextField("简介", blank=True)
    cover = models.FileField("封面", upload_to="courses/covers/", blank=True)
    requirement = models.CharField("类型", max_length=20, choices=Requirement.choices, default=Requirement.ELECTIVE)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    domains = models.ManyToManyField(Domain, verbose_name="执法领域", blank=True, related_name="courses")
    # Who the course is for (面向人员): the one audience mechanism (people.audiences); none means every officer.
    audience = models.ForeignKey(
        "people.Audience",
        verbose_name="面向人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="留空：面向全部执法人员",
    )
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="讲师", blank=True, related_name="courses_taught"
    )
    owner_unit = models.ForeignKey(
        Unit, verbose_name="主办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="owned_courses"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "课程"
        verbose_name_plural = "课程"
        ordering = ["-published_at", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_required(self) -> bool:
        return self.requirement == self.Requirement.REQUIRED


class Chapter(models.Model):
    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.CASCADE, related_name="chapters")
    title = models.CharField("章名", max_length=120)
    position = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "章"
        verbose_name_plural = "章"
        ordering = ["course", "position", "id"]

    def __str__(self) -> str:
        return self.title


class VideoAsset(TimeStampedModel):
    """An uploaded video: the original file, then (after the background task) its duration, poster and MP4."""

    class Status(models.TextChoices):
        PROCESSING = "processing", "转码中"
        READY = "ready", "可播放"
        FAILED = "failed", "处理失败"

    original = models.FileField("原始文件", upload_to="courses/videos/original/", max_length=255)
    original_name = models.CharField("文件名", max_length=200)
    size = models.BigIntegerField("大小（字节）", default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PROCESSING)
    progress = models.PositiveSmallIntegerField("转码进度 %", default=0)
    duration = models.FloatField("时长（秒）", default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    rendition = models.FileField("H.264 MP4", upload_to="courses/videos/mp4/", blank=True, max_length=255)
    poster = models.FileField("封面帧", upload_to="courses/videos/poster/", blank=True, max_length=255)
    error = models.TextField("错误", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "视频"
        verbose_name_plural = "视频"

    def __str__(self) -> str:
        return self.original_name


class UploadSession(TimeStampedModel):
    """A resumable chunked upload: chunks are appended at `received`; a dropped connection resumes from there."""

    class Status(models.TextChoices):
        OPEN = "open", "上传中"
        COMPLETE = "complete", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField("文件名", max_length=200)
    total_size = models.BigIntegerField("总大小")
    received = models.BigIntegerField("已接收", default=0)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    video = models.ForeignKey(VideoAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "上传会话"
        verbose_name_plural = "上传会话"


class Lesson(TimeStampedModel):
    """A lesson (课时): a video, a PDF document, a rich-text article or a short quiz, worth credit hours."""

    class Kind(models.TextChoices):
        VIDEO = "video", "视频"
        DOCUMENT = "document", "文档"
        ARTICLE = "article", "图文"
        QUIZ = "quiz", "小测验"

    chapter = models.ForeignKey(Chapter, verbose_name="章", on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField("课时名称", max_length=120)
    position = models.PositiveIntegerField("顺序", default=0)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    summary = models.TextField("要点", blank=True)
    credit_hours = models.DecimalField("学时", max_digits=5, decimal_places=2, default=Decimal("0.5"))
    hours_category = models.CharField("学时类别", max_length=20, choices=HoursCategory.choices)
    is_micro = models.BooleanField("微课（≤5分钟）", default=False, db_index=True)
    minutes = models.PositiveIntegerField("预计时长（分钟）", default=5)
    body_html = models.TextField("正文（已净化）", blank=True)
    document = models.FileField("PDF 文档", upload_to="courses/documents/", blank=True, max_length=255)
    video = models.ForeignKey(
        VideoAsset, verbose_name="视频", null=True, blank=True, on_delete=models.PROTECT, related_name="lessons"
    )
    completion_share = models.DecimalField(
        "完成所需观看比例",
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="留空则使用系统默认（95%）",
    )
    min_seconds = models.PositiveIntegerField("最短学习时间（秒）", default=60, help_text="文档、图文课时的最短停留")
    pass_share = models.DecimalField("测验及格比例", max_digits=3, decimal_places=2, default=Decimal("0.60"))
    quiz_questions = models.ManyToManyField(
        "questions.Question", verbose_name="测验题目", blank=True, related_name="quiz_lessons"
    )
    knowledge_points = models.ManyToManyField(
        "questions.KnowledgePoint", verbose_name="知识点", blank=True, related_name="lessons"
    )

    class Meta:
        verbose_name = "课时"
        verbose_name_plural = "课时"
        ordering = ["chapter__position", "chapter_id", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def course_id(self) -> int:
        return self.chapter.course_id


class Checkpoint(models.Model):
    """A question that pauses the video at `at_seconds` and must be answered for the lesson to complete."""

    lesson = models.ForeignKey(Lesson, verbose_name="课时", on_delete=models.CASCADE, related_name="checkpoints")
    at_seconds = models.PositiveIntegerField("出现时间（秒）")
    prompt = models.CharField("题目", max_length=300)
    options = models.JSONField("选项", default=list, help_text='[{"label": "A", "text": "…"}, …]')
    answer = models.CharField("正确选项", max_length=8)
    explanation = models.TextField("解析", blank=True)

    class Meta:
        verbose_name = "随堂提问"
        verbose_name_plural = "随堂提问"
        ordering = ["lesson", "at_seconds"]

    def __str__(self) -> str:
        return f"{self.at_seconds}s {self.prompt}"


class CheckpointAnswer(models.Model):
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="answers")
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="checkpoint_answers")
    response = models.CharField(max_length=8)
    correct = models.BooleanField(default=False)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "officer"], name="courses_checkpointanswer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.officer_id}→{self.checkpoint_id}: {self.response}"


class WatchSession(models.Model):
    """One opening of a lesson page by an officer. A newer session of the same officer supersedes older ones,
    so two tabs cannot earn seconds at the same time."""

    class Status(models.TextChoices):
        ACTIVE = "active", "进行中"
        SUPERSEDED = "superseded", "已被新窗口取代"

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="watch_sessions")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="watch_sessions")
    started_at = models.DateTimeField("开始时间")
    last_beat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    last_seq = models.IntegerField(default=0)
    clock = models.FloatField("计时起点（epoch 秒）", default=0, help_text="最近一次被接受的心跳或会话开始的时刻")
    media_seconds = models.FloatField("已接受的播放秒数", default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    user_agent = models.CharField(max_length=200, blank=True)
    # The officer × lesson summary this session adds to: one joined row lock per heartbeat instead of two lookups.
    progress = models.ForeignKey("LessonProgress", null=True, on_delete=models.CASCADE, related_name="sessions")
    # What purged heartbeats leave behind (`purge_heartbeats`): their counts, so the session still shows how it
    # earned its seconds (media_seconds, last_seq, last_beat_at) and how often the server refused a beat, and why.
    purged_accepted = models.PositiveIntegerField("已清理的被接受心跳数", default=0)
    purged_refused = models.JSONField("已清理的被拒心跳数（按原因）", default=dict, blank=True)
    purged_through = models.DateTimeField("已清理至（最晚一条的接收时间）", null=True, blank=True)

    class Meta:
        verbose_name = "观看会话"
        verbose_name_plural = "观看会话"
        indexes = [models.Index(fields=["officer", "status"])]

    def __str__(self) -> str:
        return f"{self.officer_id}@{self.lesson_id} {self.started_at:%Y-%m-%d %H:%M}"


class Heartbeat(AppendOnlyModel):
    """One heartbeat as received, accepted or not (append-only): the raw evidence behind credited hours."""

    session = models.ForeignKey(WatchSession, on_delete=models.CASCADE, related_name="heartbeats")
    received_at = models.DateTimeField()
    seq = models.IntegerField()
    intervals = models.JSONField()
    position = models.FloatField(default=0)
    rate = models.FloatField(default=1)
    accepted = models.BooleanField()
    reason = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = "心跳"
        verbose_name_plural = "心跳"

    def __str__(self) -> str:
        return f"{self.session_id}#{self.seq} {'ok' if self.accepted else self.reason}"


class LessonProgress(models.Model):
    """One row per officer × lesson: the union of watched seconds and whether the lesson is complete."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    watched = models.JSONField("已观看区间", default=list)
    unique_seconds = models.FloatField("去重观看秒数", default=0)
    furthest = models.FloatField("最远观看位置", default=0)
    last_position = models.FloatField("上次位置", default=0)
    quiz_score = models.FloatField("测验得分率", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "课时进度"
        verbose_name_plural = "课时进度"
        constraints = [models.UniqueConstraint(fields=["officer", "lesson"], name="courses_lessonprogress_unique")]
        indexes = [models.Index(fields=["officer", "-updated_at"])]

    def __str__(self) -> str:
        return f"{self.officer_id}@{self.lesson_id} {self.unique_seconds:.0f}s"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class Certificate(models.Model):
    """A course completion certificate; `code` is the public verification key printed as a QR code."""

    code = models.CharField("证书编号", max_length=24, unique=True)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="course_certificates")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    issued_at = models.DateTimeField("颁发时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "结业证书"
        verbose_name_plural = "结业证书"
        constraints = [models.UniqueConstraint(fields=["officer", "course"], name="courses_certificate_unique")]

    def __str__(self) -> str:
        return self.code

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
