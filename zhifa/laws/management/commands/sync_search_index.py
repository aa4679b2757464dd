"""manage.py sync_search_index: bring this app server's search index up to date with the database (the laws
imported since it last ran, on any server); rebuild it when it is missing or cannot be trusted. Every app server
runs it at start and every minute (deploy/systemd/zhifa-search-sync.timer)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhifa.laws.search.backends import IndexUnavailable
from zhifa.laws.search.sync import sync


class Command(BaseCommand):
    help = "同步本服务器的法规检索索引（应用其他服务器导入的法规；索引缺失或损坏时从数据库重建）"

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=float, default=0.0, help="另一同步进行中时最多等待的秒数（默认不等）")

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            result = sync(wait=options["wait"])
        except IndexUnavailable as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        where = settings.ZHIFA_SEARCH_INDEX
        if result.skipped:
            self.stdout.write(f"{where}：另一同步正在进行，本次跳过")
        elif result.rebuilt:
            self.stdout.write(
                f"{where}：已从数据库重建，{result.documents} 条条文（变更号 {result.seq}），用时 {seconds:.1f} 秒"
            )
        elif result.laws:
            self.stdout.write(
                f"{where}：已应用 {result.laws} 部法规的变更，{result.documents} 条条文（变更号 {result.seq}），"
                f"用时 {seconds:.1f} 秒"
            )
        elif options["verbosity"] > 1:
            self.stdout.write(f"{where}：已是最新（变更号 {result.seq}）")
