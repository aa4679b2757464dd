"""The in-app notice (the bell) and each user's choice of channels."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notice(models.Model):
    """One message to one user. `key` names the event ("plan-item:12:due-7"): a (user, key) pair exists once, so a
    reminder job that runs twice, or on two workers at once, sends nothing twice."""

    class Kind(models.TextChoices):
        ASSIGNMENT = "assignment", "新任务"
        DEADLINE = "deadline", "截止提醒"
        OVERDUE = "overdue", "逾期"
        CERTIFICATE = "certificate", "执法证"
        CLASS = "class", "培训班"
        CONTENT = "content", "内容复核"
        EVALUATION = "evaluation", "考核评价"
        SYSTEM = "system", "系统消息"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField("事件键", max_length=120)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.SYSTEM)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("发送时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notices_notice_once_per_key")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class ChannelPreference(models.Model):
    """Whether a user receives notices on an outside channel (the in-app bell is always on)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "电子邮件"
        SMS = "sms", "短信"
        DINGTALK = "dingtalk", "政务钉钉"
        WECOM = "wecom", "企业微信"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    enabled = models.BooleanField("接收", default=True)

    class Meta:
        verbose_name = "通知渠道"
        verbose_name_plural = "通知渠道"
        constraints = [models.UniqueConstraint(fields=["user", "channel"], name="notices_channel_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_channel_display()}"


class NoticeDelivery(models.Model):
    """One notice on one outside channel: exists once per (notice, channel), and only the worker that moves it from
    pending to sending sends it, so a notice reaches each channel at most once however many workers deliver."""

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"
        SKIPPED = "skipped", "无法送达"

    notice = models.ForeignKey(Notice, verbose_name="通知", on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=20, choices=ChannelPreference.Channel.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    address = models.CharField("送达地址", max_length=200, blank=True, help_text="已脱敏（手机号只存掩码）")
    error = models.CharField("原因", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知投递"
        verbose_name_plural = "通知投递"
        constraints = [models.UniqueConstraint(fields=["notice", "channel"], name="notices_delivery_once")]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.notice} · {self.get_channel_display()} · {self.get_status_display()}"
