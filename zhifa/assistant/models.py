"""What the assistant keeps: each question asked, for its asker's history and the next training run.

Minimal personal data: the asker (so he alone sees his history), his unit at the time (for aggregate topics an
administrator may see — counts per law, never who asked what), the text, the articles shown, the checked answer
and his feedback. No IP address, no device.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Inquiry(models.Model):
    """One question put to the assistant and what it answered."""

    class AnswerStatus(models.TextChoices):
        ARTICLES = "articles", "仅条文（未配置模型）"
        ANSWERED = "answered", "已生成回答"
        REFUSED = "refused", "回答未通过核验"
        FAILED = "failed", "模型服务不可用"
        PENDING = "pending", "等待模型回答"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提问人", on_delete=models.CASCADE, related_name="inquiries"
    )
    unit = models.ForeignKey(
        "people.Unit", verbose_name="提问时所在单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField("问题", max_length=500)
    article_keys = models.JSONField("检索到的条文", default=list, blank=True)
    top_law = models.CharField("主要涉及法规", max_length=200, blank=True, db_index=True)
    answer_status = models.CharField(
        "回答状态", max_length=10, choices=AnswerStatus.choices, default=AnswerStatus.ARTICLES
    )
    answer = models.JSONField("回答（逐句及其条文）", default=list, blank=True)
    answer_note = models.CharField("说明", max_length=200, blank=True)
    helpful = models.BooleanField("是否有帮助", null=True, blank=True)
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    created_at = models.DateTimeField("提问时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "法律助手提问"
        verbose_name_plural = "法律助手提问"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return self.text[:40]
