"""Satisfaction survey (群众满意度调查): one-time act links, responses, daily device keys, rate buckets, flags.

What a response keeps: the four ratings, the optional comment (personal data masked), the optional call-back contact
(encrypted), what was rated (officer and/or unit) and when. What it never keeps: an IP address or a user agent. The
only trace of the device is `device_key`, an HMAC of (IP, user agent, target) under a random key of the day that is
deleted the day after (DeviceKey), so no one can later test an address against it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

DIMENSIONS = [
    ("civility", "文明规范"),
    ("integrity", "公正廉洁"),
    ("efficiency", "办事效率"),
    ("attitude", "服务态度"),
]
RATING_LABELS = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}


class Channel(models.TextChoices):
    POSTER = "poster", "二维码海报"
    OPEN = "open", "单位公开链接"
    ACT = "act", "执法行为一次性链接"


class ActBatch(models.Model):
    """One upload of an Excel of enforcement acts by a unit; each row became an ActLink."""

    unit = models.ForeignKey("people.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    filename = models.CharField("文件名", max_length=200, blank=True)

    class Meta:
        verbose_name = "执法行为批次"
        verbose_name_plural = "执法行为批次"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.unit} {self.created_at:%Y-%m-%d %H:%M}"


class ActLink(models.Model):
    """A one-time survey link for one enforcement act (e.g. printed on the notice handed to a shop owner)."""

    batch = models.ForeignKey(ActBatch, verbose_name="批次", on_delete=models.CASCADE, related_name="links")
    unit = models.ForeignKey("people.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(
        "people.Officer", verbose_name="执法人员", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    act_number = models.CharField("文书编号", max_length=60)
    acted_on = models.DateField("执法日期", null=True, blank=True)
    short_code = models.CharField("短码", max_length=12, unique=True)
    expires_at = models.DateTimeField("有效期至")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "一次性评价链接"
        verbose_name_plural = "一次性评价链接"
        ordering = ["batch", "pk"]

    def __str__(self) -> str:
        return f"{self.act_number} ({self.short_code})"


class Response(models.Model):
    """One citizen's answer. Only `status == COUNTED` enters results; HELD waits for review (a burst)."""

    class Status(models.TextChoices):
        COUNTED = "counted", "已计入"
        HELD = "held", "待复核（异常集中）"
        DISCARDED = "discarded", "已剔除"

    class CommentStatus(models.TextChoices):
        NONE = "none", "无留言"
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        HIDDEN = "hidden", "已隐藏"

    officer = models.ForeignKey(
        "people.Officer", verbose_name="执法人员", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("people.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    act_link = models.OneToOneField(
        ActLink, verbose_name="一次性链接", null=True, blank=True, on_delete=models.PROTECT, related_name="response"
    )
    civility = models.PositiveSmallIntegerField("文明规范")
    integrity = models.PositiveSmallIntegerField("公正廉洁")
    efficiency = models.PositiveSmallIntegerField("办事效率")
    attitude = models.PositiveSmallIntegerField("服务态度")
    score = models.FloatField("平均分")  # mean of the four, 1–5
    comment = models.TextField("留言", blank=True)  # phone and ID numbers already masked
    comment_status = models.CharField(
        "留言状态", max_length=10, choices=CommentStatus.choices, default=CommentStatus.NONE
    )
    contact_encrypted = models.TextField("回访联系方式（密文）", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.COUNTED)
    device_key = models.CharField("设备键", max_length=64, blank=True)  # keyed hash; see the module docstring
    created_at = models.DateTimeField("提交时间", db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "满意度评价"
        verbose_name_plural = "满意度评价"
        ordering = ["-created_at"]
        constraints = [
            # One response per device per day per target: the key already contains the target and the day's key.
            models.UniqueConstraint(fields=["device_key"], condition=~Q(device_key=""), name="surveys_one_per_device"),
            models.CheckConstraint(condition=Q(civility__gte=1, civility__lte=5), name="surveys_civility_1_5"),
            models.CheckConstraint(condition=Q(integrity__gte=1, integrity__lte=5), name="surveys_integrity_1_5"),
            models.CheckConstraint(condition=Q(efficiency__gte=1, efficiency__lte=5), name="surveys_efficiency_1_5"),
            models.CheckConstraint(condition=Q(attitude__gte=1, attitude__lte=5), name="surveys_attitude_1_5"),
        ]
        indexes = [
            models.Index(fields=["officer", "status", "created_at"]),
            models.Index(fields=["unit", "status", "created_at"]),
            models.Index(fields=["comment_status", "unit"]),
        ]

    def __str__(self) -> str:
        return f"{self.officer or self.unit} {self.score:.2f}"


class DeviceKey(models.Model):
    """The random HMAC key of one day for duplicate suppression; keys older than yesterday are deleted."""

    day = models.DateField("日期", unique=True)
    secret = models.CharField("密钥", max_length=64)

    class Meta:
        verbose_name = "设备键（日密钥）"
        verbose_name_plural = "设备键（日密钥）"

    def __str__(self) -> str:
        return str(self.day)


class RateBucket(models.Model):
    """A fixed-window counter for rate limits when no Redis is configured (the database is then the shared store)."""

    key = models.CharField(max_length=100, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class AnomalyFlag(models.Model):
    """A burst of responses for one officer (or unit): responses after the allowance were held, not counted."""

    officer = models.ForeignKey(
        "people.Officer", verbose_name="执法人员", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("people.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    window_start = models.DateTimeField("时间窗口起点")
    held = models.PositiveIntegerField("暂扣条数", default=0)
    reason = models.CharField("原因", max_length=200)
    created_at = models.DateTimeField("发现时间", auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "异常提示"
        verbose_name_plural = "异常提示"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "unit", "window_start"], name="surveys_one_flag_per_window")
        ]

    def __str__(self) -> str:
        return self.reason
