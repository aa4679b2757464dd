"""Send the plan reminders due today: new assignments, 7 and 1 days before the deadline, overdue (run daily)."""

from django.core.management.base import BaseCommand

from zhifa.plans import reminders, services


class Command(BaseCommand):
    help = "发送培训计划提醒：新任务、截止前 7 天和 1 天、逾期。每条提醒对每人只发一次，重复运行或并发运行都不会重发。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-refresh", action="store_true", help="不先重新计算任务状态")

    def handle(self, *args, **options) -> None:
        if not options["no_refresh"]:
            services.plans_refresh_all()
        sent = reminders.reminders_send()
        self.stdout.write(f"已发送 {sent} 条培训计划提醒。")
