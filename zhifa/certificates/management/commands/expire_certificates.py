"""manage.py expire_certificates — the daily job: mark certificates past their expiry as expired and send the
reminders (expiry in 90 and 30 days, the annual review when its month has come), each exactly once."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandParser

from zhifa.certificates import services


class Command(BaseCommand):
    help = "将过期执法证标记为“过期”，并发送到期（90/30 天）和年审提醒（每条只发一次；可重复运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="按指定日期运行（YYYY-MM-DD）")

    def handle(self, *args, today: date | None = None, **options) -> None:
        expired = services.certificates_expire(today=today)
        sent = services.certificate_reminders_send(today=today)
        self.stdout.write(f"执法证到期处理：{expired} 张标记为过期，发送提醒 {sent} 条。")
