"""Nightly: rebuild the dashboard's rollups for a year (default: this year) from the ledgers."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhifa.reports import services


class Command(BaseCommand):
    help = "重新计算培训数据看板的汇总（每晚运行；默认本年度）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="年度，默认本年")

    def handle(self, *args, year: int | None, **options):
        year = year or timezone.localdate().year
        if not 2000 <= year <= 2100:
            raise CommandError("--year 应为四位年份，如 2026。")
        started = time.perf_counter()
        count = services.rollups_compute(year=year)
        self.stdout.write(f"{year}年看板汇总：{count} 名执法人员，用时 {time.perf_counter() - started:.1f} 秒。")
