"""Auto-submit attempts past their deadline; run every minute from cron or a systemd timer."""

from django.core.management.base import BaseCommand

from zhifa.exams import services


class Command(BaseCommand):
    help = "到时自动交卷：提交所有已过期限仍在作答中的答卷。"

    def handle(self, *args, **options):
        count = services.attempts_autosubmit_due()
        self.stdout.write(f"自动交卷 {count} 份")
