"""Nightly: apply the retention register (zhifa.security.retention) to every kind of personal record."""

from django.core.management.base import BaseCommand, CommandError

from zhifa.security.retention import KINDS, purge_expired


class Command(BaseCommand):
    help = "按保留期清理各类个人信息记录（docs/data-protection.md 的保留期登记表）；--dry-run 只统计不删除。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计将清理的记录数，不删除")
        parser.add_argument("--only", choices=[k.key for k in KINDS], help="只处理一个类别")

    def handle(self, *args, **options):
        try:
            lines = purge_expired(dry_run=options["dry_run"], only=options["only"])
        except KeyError as exc:
            raise CommandError(str(exc)) from exc
        verb = "将清理" if options["dry_run"] else "已清理"
        for line in lines:
            if line.days is None:
                self.stdout.write(f"{line.kind.key}（{line.kind.label}）：不由本任务清理（{line.kind.basis}）")
            elif line.purged < 0:
                self.stdout.write(f"{line.kind.key}（{line.kind.label}）：保留 {line.days} 天，由其自身命令清理")
            else:
                self.stdout.write(f"{line.kind.key}（{line.kind.label}）：保留 {line.days} 天，{verb} {line.purged} 条")
