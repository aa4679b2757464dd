"""manage.py build_search_index: re-tokenise and re-index the current version of every law; with --refresh only
bring the packed posting lists up to date (after migration laws/0006, or an import stopped before its end)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from zhifa.laws.search.indexing import index_rebuild, index_refresh


class Command(BaseCommand):
    help = "重建法规全文检索索引（各法规的现行版本）；--refresh 仅更新检索词的倒排表"

    def add_arguments(self, parser):
        parser.add_argument("--refresh", action="store_true", help="只更新有变化的检索词倒排表（不重新分词）")

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["refresh"]:
            count = index_refresh()
            self.stdout.write(f"已更新 {count} 个检索词的倒排表，用时 {time.perf_counter() - started:.1f} 秒")
            return
        step = {"last": 0.0}

        def progress(done: int, total: int) -> None:
            if time.perf_counter() - step["last"] > 5 or done == total:
                step["last"] = time.perf_counter()
                self.stderr.write(f"已处理 {done}/{total} 部法规")

        count = index_rebuild(progress=progress)
        self.stdout.write(f"已索引 {count} 条条文，用时 {time.perf_counter() - started:.1f} 秒")
