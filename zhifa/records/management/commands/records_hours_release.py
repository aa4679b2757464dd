"""Approve 待公布 hours whose release time has come (e.g. exams whose results are now out); run every few minutes."""

from django.core.management.base import BaseCommand

from zhifa.records import services


class Command(BaseCommand):
    help = "认定到了公布时间的“待公布”学时（如成绩已公布的考试）；建议每 10 分钟定时运行。"

    def handle(self, *args, **options) -> None:
        released = services.hours_release_due()
        self.stdout.write(f"已认定 {released} 条到期的待公布学时。")
