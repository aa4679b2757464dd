"""Nightly: compact raw heartbeats older than the retention into their watch sessions and delete them."""

import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhifa.courses.conf import heartbeat_retention_days
from zhifa.courses.services import heartbeats_purge


class Command(BaseCommand):
    help = (
        "清理超过保留期（ZHIFA_HEARTBEAT_RETENTION_DAYS，默认 180 天）的视频心跳原始记录："
        "先把条数按会话计入观看会话，再删除；课时进度、学习档案和学时不受影响。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="保留天数（默认取 ZHIFA_HEARTBEAT_RETENTION_DAYS）")
        parser.add_argument("--batch-size", type=int, default=50_000, help="每个事务处理的心跳编号区间（默认 50000）")

    def handle(self, *args, **options):
        days = options["days"] if options["days"] is not None else heartbeat_retention_days()
        if days < 1:
            raise CommandError(f"--days 应为正整数（保留天数），收到 {days}。")
        if options["batch_size"] < 1:
            raise CommandError(f"--batch-size 应为正整数，收到 {options['batch_size']}。")
        before = timezone.now() - timedelta(days=days)
        started = time.perf_counter()
        result = heartbeats_purge(before=before, batch_size=options["batch_size"])
        self.stdout.write(
            f"已清理 {before:%Y-%m-%d %H:%M} 之前的心跳 {result.beats} 条（涉及观看会话 {result.sessions} 个），"
            f"用时 {time.perf_counter() - started:.1f} 秒。"
        )
