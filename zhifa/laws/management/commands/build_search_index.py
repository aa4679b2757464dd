"""manage.py build_search_index: re-tokenise the current version of every law into the stored terms (after editing
the legal dictionary); this server's index rebuilds at once, the others' at their next sync_search_index."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from zhifa.laws.search.indexing import index_rebuild


class Command(BaseCommand):
    help = "重新分词并重建法规全文检索索引（各法规的现行版本）；其他应用服务器在下次 sync_search_index 时重建"

    def handle(self, *args, **options):
        started = time.perf_counter()
        step = {"last": 0.0}

        def progress(done: int, total: int) -> None:
            if time.perf_counter() - step["last"] > 5 or done == total:
                step["last"] = time.perf_counter()
                self.stderr.write(f"已处理 {done}/{total} 部法规")

        count = index_rebuild(progress=progress)
        self.stdout.write(f"已索引 {count} 条条文，用时 {time.perf_counter() - started:.1f} 秒")
