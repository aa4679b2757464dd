"""The retention register (PIPL art. 19, 47): how long each kind of record is kept, and the one purge that applies it.

Every kind names its period (a ZHIFA_RETENTION_* setting, or the owning app's own), why it is kept that long, and
how it is purged. `purge_expired` (management command, nightly) runs them all; `--dry-run` counts only. A kind owned
by a higher app (the courses' heartbeat log) is run by its own command, called by name: this app sits below it.
Audit events are in the register but never purged here: they are append-only in the database (a trigger), kept at
least 180 days, and archived by the database administrator (docs/operations.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import StringIO

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command, get_commands
from django.db import transaction
from django.utils import timezone

from zhifa.people.models import Officer
from zhifa.security import dataprotection


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    days: Callable[[], int | None]  # None: not purged by age (see `basis`)
    setting: str
    basis: str
    purge: Callable[[datetime, bool], int] | None  # (cutoff, dry_run) → records purged (or that would be)


def _login_records(cutoff: datetime, dry_run: bool) -> int:
    querysets = [
        AccessAttempt.objects.filter(attempt_time__lt=cutoff),
        AccessLog.objects.filter(attempt_time__lt=cutoff),
        AccessFailureLog.objects.filter(attempt_time__lt=cutoff),
    ]
    if dry_run:
        return sum(qs.count() for qs in querysets)
    with transaction.atomic():
        return sum(qs.delete()[0] for qs in querysets)


def _sessions(cutoff: datetime, dry_run: bool) -> int:
    expired = Session.objects.filter(expire_date__lt=timezone.now())
    return expired.count() if dry_run else expired.delete()[0]


def _departed_officers(cutoff: datetime, dry_run: bool) -> int:
    departed = Officer.objects.filter(
        employment__in=[Officer.Employment.LEFT, Officer.Employment.RETIRED], updated_at__lt=cutoff
    ).exclude(id_card_encrypted="", phone_encrypted="")
    if dry_run:
        return departed.count()
    done = 0
    for officer in departed.iterator():
        dataprotection.person_erase(officer=officer, by=None, reason="保留期届满，自动删除")
        done += 1
    return done


def _by_command(command: str, days: int, counted: str, dry_run: bool) -> int:
    """A raw log purged by its owning app's own command (issue 21; this app sits below them, so it calls the
    command by name): the number the command reports after `counted`. The commands have no dry run: -1 reports
    it as "run by its own command"."""
    if command not in get_commands():
        return 0
    if dry_run:
        return -1
    out = StringIO()
    call_command(command, days=days, stdout=out)
    digits = "".join(c if c.isdigit() else " " for c in out.getvalue().split(counted, 1)[-1]).split()
    return int(digits[0]) if digits else 0


def _heartbeats(cutoff: datetime, dry_run: bool) -> int:
    """The courses' heartbeat log, which its command compacts before it deletes."""
    return _by_command("purge_heartbeats", settings.HEARTBEAT_RETENTION_DAYS, "心跳", dry_run)


def _review_logs(cutoff: datetime, dry_run: bool) -> int:
    """The practice app's raw answers."""
    return _by_command("purge_review_logs", settings.PRACTICE_REVIEW_LOG_RETENTION_DAYS, "记录", dry_run)


def _retention(name: str) -> Callable[[], int | None]:
    return lambda: int(settings.RETENTION_DAYS[name])


KINDS = [
    Kind(
        "login_records", "登录尝试与锁定记录（用户名、IP）", _retention("login_records"),
        "ZHIFA_RETENTION_LOGIN_RECORDS_DAYS",
        "网络安全法第二十一条第三项：网络日志留存不少于六个月", _login_records,
    ),
    Kind(
        "sessions", "已过期的登录会话", lambda: 0, "SESSION_COOKIE_AGE（12 小时）",
        "会话过期即无用途（最小必要）", _sessions,
    ),
    Kind(
        "departed_officers", "离职、退休人员的身份证号和手机号", _retention("departed_officers"),
        "ZHIFA_RETENTION_DEPARTED_OFFICER_DAYS",
        "个人信息保护法第十九条、第四十七条：处理目的已实现、保存期限届满即删除；培训档案和学时账本见 erasure 说明",
        _departed_officers,
    ),
    Kind(
        "heartbeats", "视频观看心跳原始记录", lambda: int(settings.HEARTBEAT_RETENTION_DAYS),
        "ZHIFA_HEARTBEAT_RETENTION_DAYS（课程应用，issue 21）",
        "学时争议核查期；汇总进观看会话后删除（manage.py purge_heartbeats）", _heartbeats,
    ),
    Kind(
        "review_logs", "每日一练作答原始记录", lambda: int(settings.PRACTICE_REVIEW_LOG_RETENTION_DAYS),
        "ZHIFA_PRACTICE_REVIEW_LOG_RETENTION_DAYS（练习应用，issue 21）",
        "离线重发去重与答题核查期；每题作答到达时已计入当日练习、复习卡片和错题本（manage.py purge_review_logs）",
        _review_logs,
    ),
    Kind(
        "audit", "审计日志", lambda: None, "ZHIFA_AUDIT_RETENTION_DAYS（至少 180）",
        "网络安全法第二十一条、等保三级：至少六个月；数据库只许追加，由数据库管理员归档", None,
    ),
]  # fmt: skip


@dataclass
class PurgeLine:
    kind: Kind
    days: int | None
    purged: int


def purge_expired(*, dry_run: bool = False, only: str | None = None, now: datetime | None = None) -> list[PurgeLine]:
    """Apply every kind's retention (or one: `only`); raises KeyError naming the unknown kind."""
    now = now or timezone.now()
    kinds = [k for k in KINDS if only in (None, k.key)]
    if only and not kinds:
        raise KeyError(f"没有名为“{only}”的记录类别；可选：{'、'.join(k.key for k in KINDS)}")
    lines = []
    for kind in kinds:
        days = kind.days()
        purged = 0 if kind.purge is None or days is None else kind.purge(now - timedelta(days=days), dry_run)
        lines.append(PurgeLine(kind, days, purged))
    return lines
