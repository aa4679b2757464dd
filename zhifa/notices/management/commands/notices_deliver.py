"""Deliver the recent notices again (idempotent): the catch-up for a delivery task that was lost (a worker stopped).
Run it from a timer, e.g. every 10 minutes; a notice already delivered on a channel is never sent twice."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from zhifa.notices import services
from zhifa.notices.models import Notice


class Command(BaseCommand):
    help = "补发最近的通知到各外部渠道（已发送的不会重复发送）"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="补发多少小时内的通知（默认 24）")

    def handle(self, *args, hours: int, **options):
        since = timezone.now() - timedelta(hours=hours)
        pairs = list(Notice.objects.filter(created_at__gte=since).values_list("user_id", "key"))
        totals: dict[str, int] = {}
        for start in range(0, len(pairs), services.DELIVERY_CHUNK):
            for status, count in services.notices_deliver(pairs[start : start + services.DELIVERY_CHUNK]).items():
                totals[status] = totals.get(status, 0) + count
        labels = {"sent": "已发送", "failed": "发送失败", "skipped": "无法送达"}
        summary = "，".join(f"{labels.get(k, k)} {v}" for k, v in sorted(totals.items())) or "没有待发送的投递"
        self.stdout.write(f"{hours} 小时内的通知 {len(pairs)} 条：{summary}。")
