"""Base models and the append-only audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes: evidence (audit events, learning records, heartbeats) is only appended."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model._meta.verbose_name}只能追加，不能修改。")

    def delete(self):
        raise PermissionError(f"{self.model._meta.verbose_name}只能追加，不能删除。")


class AppendOnlyModel(models.Model):
    """A row written once: saving an existing row or deleting one raises PermissionError."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError(f"{self._meta.verbose_name}只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self._meta.verbose_name}只能追加，不能删除。")


class AuditEvent(AppendOnlyModel):
    """One change to a score, a grade, an assignment, a credential or personal data: who, when, what, old, new, why.

    Written only by services through `zhifa.common.audit.audit_record`. Append-only: update and delete refuse.
    """

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80, blank=True, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    old = models.JSONField("原值", null=True, blank=True)
    new = models.JSONField("新值", null=True, blank=True)
    reason = models.TextField("原因", blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class PasswordHistory(models.Model):
    """A password (its hash, as in User.password) an account had: the policy refuses the current one and the last
    PASSWORD_HISTORY_COUNT before it (common/passwords.py). Written by the validator when a password is set."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField("密码散列", max_length=128)
    set_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["user", "set_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.set_at:%Y-%m-%d}"
