"""Nightly: expected recall per officer × knowledge point, for the mastery map and the unit heatmap."""

import time

from django.core.management.base import BaseCommand

from zhifa.practice.services import mastery_compute


class Command(BaseCommand):
    help = "计算每名执法人员各知识点的掌握度（FSRS 预期记忆保持率），供掌握度地图和单位热力图使用。"

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = mastery_compute()
        self.stdout.write(f"掌握度已更新：{rows} 行，用时 {time.perf_counter() - started:.1f} 秒。")
