"""Nightly: delete raw practice answers older than the retention (their day, card and mistakes book keep them)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhifa.practice.services import review_logs_purge


class Command(BaseCommand):
    help = (
        "清理超过保留期（ZHIFA_PRACTICE_REVIEW_LOG_RETENTION_DAYS，默认 180 天）的每日一练作答原始记录；"
        "每日练习统计、复习卡片排程和错题本不受影响。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="保留天数（默认取 ZHIFA_PRACTICE_REVIEW_LOG_RETENTION_DAYS）"
        )

    def handle(self, *args, **options):
        days = options["days"] if options["days"] is not None else settings.PRACTICE_REVIEW_LOG_RETENTION_DAYS
        if days < 1:
            raise CommandError(f"--days 应为正整数（保留天数），收到 {days}。")
        before = timezone.now() - timedelta(days=days)
        purged = review_logs_purge(before=before)
        self.stdout.write(f"已清理 {before:%Y-%m-%d %H:%M} 之前的练习作答记录 {purged} 条。")
