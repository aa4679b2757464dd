"""Accounts, the unit tree, officers and role grants."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from zhifa.common.crypto_provider import get_provider
from zhifa.common.models import TimeStampedModel


class Role(models.TextChoices):
    OFFICER = "officer", "执法人员"
    UNIT_ADMIN = "unit_admin", "单位培训管理员"
    INSTRUCTOR = "instructor", "讲师"
    EVALUATOR = "evaluator", "第三方评估人员"
    AUDITOR = "auditor", "审计员（只读）"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    # 三员分立 (等保 level 3): the security and audit administrators, beside the system administrator above.
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


class User(AbstractUser):
    """A login. An officer has an Officer profile; instructors and evaluators may have none (external people)."""

    display_name = models.CharField("姓名", max_length=60, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # Set when an administrator issues a temporary password: the expiry middleware then forces a change at login.
    password_reset_required = models.BooleanField("须修改密码", default=False)

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_full_name(self) -> str:
        return self.display_name or super().get_full_name()

    def password_expired(self) -> bool:
        if self.password_reset_required:
            return True
        if settings.PASSWORD_MAX_AGE_DAYS <= 0 or self.password_changed_at is None:
            return False
        return timezone.now() - self.password_changed_at > timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)

    def has_role(self, role: str) -> bool:
        if role == Role.OFFICER:
            return hasattr(self, "officer")
        return any(grant.role == role for grant in self.role_grants.all())


class Domain(models.Model):
    """An enforcement domain (执法领域), e.g. 市场监管, 交通运输, 生态环境."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)

    class Meta:
        verbose_name = "执法领域"
        verbose_name_plural = "执法领域"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Unit(TimeStampedModel):
    """A node of the organisation tree (province → city → county → unit).

    `path` is the materialised path of primary keys ("/1/4/9/"), so "this unit and everything below it" is one
    indexed prefix query: Unit.objects.filter(path__startswith=unit.path).
    """

    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县（区）"
        UNIT = "unit", "执法单位"

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "人民政府"
        JUSTICE = "justice", "司法局"
        MARKET = "market", "市场监督管理局"
        COMPREHENSIVE = "comprehensive", "综合行政执法局"
        TRANSPORT = "transport", "交通运输局"
        ENVIRONMENT = "environment", "生态环境局"
        EMERGENCY = "emergency", "应急管理局"
        NATURAL_RESOURCES = "natural_resources", "自然资源局"
        OTHER = "other", "其他"

    name = models.CharField("名称", max_length=100)
    code = models.CharField("单位代码", max_length=40, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField("层级", max_length=20, choices=Level.choices)
    kind = models.CharField("类型", max_length=30, choices=Kind.choices, default=Kind.OTHER)
    domains = models.ManyToManyField(Domain, verbose_name="执法领域", blank=True, related_name="units")
    path = models.CharField("路径", max_length=255, db_index=True, editable=False, default="")
    province = models.CharField("所属省份", max_length=20, blank=True, help_text="用于法规检索的地域范围")

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def subtree(self) -> models.QuerySet[Unit]:
        return Unit.objects.filter(path__startswith=self.path)

    def is_within(self, other: Unit) -> bool:
        """True when self is `other` or lies below it."""
        return bool(self.path) and self.path.startswith(other.path)


class Officer(TimeStampedModel):
    """An enforcement officer (执法人员): a person with a unit, a certificate and personal data kept encrypted."""

    class CertificateStatus(models.TextChoices):
        VALID = "valid", "有效"
        SUSPENDED = "suspended", "暂扣"
        REVOKED = "revoked", "注销"
        EXPIRED = "expired", "过期"
        NONE = "none", "未取得"

    class Employment(models.TextChoices):
        ACTIVE = "active", "在职"
        SECONDED = "seconded", "借调"
        RETIRED = "retired", "退休"
        LEFT = "left", "离职"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="officer"
    )
    name = models.CharField("姓名", max_length=60)
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="officers")
    position = models.CharField("职务", max_length=60, blank=True)
    domains = models.ManyToManyField(Domain, verbose_name="执法领域", blank=True, related_name="officers")
    certificate_number = models.CharField("执法证号", max_length=40, unique=True, null=True, blank=True)
    certificate_issued = models.DateField("发证日期", null=True, blank=True)
    certificate_expires = models.DateField("有效期至", null=True, blank=True)
    certificate_status = models.CharField(
        "执法证状态", max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.NONE
    )
    employment = models.CharField("在职状态", max_length=20, choices=Employment.choices, default=Employment.ACTIVE)
    joined_on = models.DateField("入职日期", null=True, blank=True, help_text="用于“新任执法人员”的培训对象规则")
    # Personal data: ciphertext through common.crypto_provider; a blind index for uniqueness; a masked copy for lists.
    id_card_encrypted = models.TextField("身份证号（密文）", blank=True, editable=False)
    id_card_index = models.CharField("身份证号索引", max_length=64, blank=True, db_index=True, editable=False)
    id_card_masked = models.CharField("身份证号", max_length=18, blank=True, editable=False)
    phone_encrypted = models.TextField("手机号（密文）", blank=True, editable=False)
    phone_masked = models.CharField("手机号", max_length=11, blank=True, editable=False)

    class Meta:
        verbose_name = "执法人员"
        verbose_name_plural = "执法人员"
        ordering = ["unit__path", "name"]
        indexes = [models.Index(fields=["unit", "employment"])]

    def __str__(self) -> str:
        return self.name

    def id_card_plain(self) -> str:
        """Decrypt the ID-card number. Callers must go through people.services.officer_unmask (audited)."""
        return get_provider().decrypt(self.id_card_encrypted) if self.id_card_encrypted else ""

    def phone_plain(self) -> str:
        return get_provider().decrypt(self.phone_encrypted) if self.phone_encrypted else ""


class RoleGrant(models.Model):
    """A role held by a user; for a unit administrator (and an auditor) the unit whose subtree it covers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField("角色", max_length=20, choices=[c for c in Role.choices if c[0] != Role.OFFICER])
    unit = models.ForeignKey(
        Unit, verbose_name="管辖单位", null=True, blank=True, on_delete=models.CASCADE, related_name="role_grants"
    )
    organisation = models.CharField("所在机构", max_length=100, blank=True, help_text="外聘讲师或第三方评估机构的名称")

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="people_rolegrant_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}" + (f" · {self.unit}" if self.unit_id else "")


class OfficerImport(models.Model):
    """An uploaded officer spreadsheet between its dry-run preview and its confirmation.

    The file is kept in the database (not on disk or in object storage) so the preview can be confirmed later, from
    any app server; it is erased once imported, and previews are dropped after a day.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "待确认"
        IMPORTED = "imported", "已导入"
        REJECTED = "rejected", "有错误"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name="导入范围", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField("文件名", max_length=200)
    content = models.BinaryField("文件内容", blank=True, editable=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    row_count = models.PositiveIntegerField("数据行数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    imported_count = models.PositiveIntegerField("导入人数", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    imported_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        verbose_name = "执法人员导入"
        verbose_name_plural = "执法人员导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class Audience(TimeStampedModel):
    """Who something is for (培训对象): rules evaluated live against the officers of today, never a stored list.

    The one way to say "who" on the platform: courses, exams, plan items, classes and surveys point at an Audience.
    Every rule that is set must hold (units with their subtree, domains, roles, positions, employment, certificate
    expiring within N months, joined within N months); `include` officers are always in, `exclude` always out. An
    audience without any rule and without included officers selects nobody.
    """

    name = models.CharField("名称", max_length=100, blank=True)
    units = models.ManyToManyField(Unit, verbose_name="单位（含下级）", blank=True, related_name="+")
    domains = models.ManyToManyField(Domain, verbose_name="执法领域", blank=True, related_name="+")
    roles = models.JSONField("角色", default=list, blank=True)
    positions = models.JSONField("职务", default=list, blank=True)
    employment = models.JSONField("在职状态", default=list, blank=True)
    certificate_expires_within_months = models.PositiveSmallIntegerField("执法证在N个月内到期", null=True, blank=True)
    joined_within_months = models.PositiveSmallIntegerField("入职N个月内（新任人员）", null=True, blank=True)
    include = models.ManyToManyField(Officer, verbose_name="指定人员", blank=True, related_name="+")
    exclude = models.ManyToManyField(Officer, verbose_name="排除人员", blank=True, related_name="+")

    class Meta:
        verbose_name = "培训对象"
        verbose_name_plural = "培训对象"

    def __str__(self) -> str:
        return self.name or f"培训对象 #{self.pk}"
