"""manage.py seed_laws — import the project's sample regulations (idempotent; used by `make demo`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhifa.laws.seeding import samples_seed

STATUS_WORDS = {"created": "新建", "updated": "更新", "unchanged": "未变"}


class Command(BaseCommand):
    help = "导入项目自带的示例法规（可重复执行）"

    def handle(self, *args, **options):
        for result in samples_seed():
            row = result.as_dict()
            self.stdout.write(
                f"{STATUS_WORDS[row['status']]} {row['short_title']}（{row['version_date']}）{row['articles']} 条"
            )
