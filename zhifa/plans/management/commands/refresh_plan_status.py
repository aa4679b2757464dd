"""Recompute plan assignments: new and moved officers in or out, status from the ledgers (run hourly or nightly)."""

from django.core.management.base import BaseCommand

from zhifa.plans import services


class Command(BaseCommand):
    help = "同步已发布培训计划的培训对象，并根据学习记录和学时台账重新计算任务状态（建议每小时定时运行）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, default=None, help="年度（默认今年）")

    def handle(self, *args, **options) -> None:
        created, changed = services.plans_refresh_all(year=options["year"])
        self.stdout.write(f"新增培训任务 {created} 项，状态变化 {changed} 项。")
