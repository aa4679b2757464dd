"""Move hours rollup rows to their officers' current units (run nightly, and after bulk transfers)."""

from django.core.management.base import BaseCommand

from zhifa.records import services


class Command(BaseCommand):
    help = "把学时汇总行移到执法人员当前所在单位（人员调动后运行；建议每晚定时运行）。"

    def handle(self, *args, **options) -> None:
        changed = services.hours_rollup_sync()
        self.stdout.write(f"已更新 {changed} 行学时汇总的单位路径。")
