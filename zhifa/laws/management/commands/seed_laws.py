"""manage.py seed_laws [--with-national] — import the project's sample regulations and, with --with-national, the
national laws the demo's samples cite (idempotent; used by `make demo`)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from zhifa.laws.importing import SKIPPED
from zhifa.laws.seeding import NATIONAL_DIR, national_folder, national_seed, samples_seed

STATUS_WORDS = {"created": "新建", "updated": "更新", "unchanged": "未变"}


class Command(BaseCommand):
    help = "导入项目自带的示例法规（可重复执行）；--with-national 同时导入示例内容引用的全国性法律法规"

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-national",
            action="store_true",
            help="同时导入全国性法律法规：有 ../shared/data/laws（ZHIFA_SHARED_DATA）时用它，否则用项目自带的公开文本",
        )

    def handle(self, *args, **options):
        for result in samples_seed():
            self._line(result.as_dict())
        if options["with_national"]:
            self._national()

    def _national(self) -> None:
        folder = national_folder(settings.SHARED_DATA_DIR)
        rows = national_seed(folder=folder)
        for row in rows:
            if row["status"] == SKIPPED:
                self.stdout.write(f"跳过 {row['file']}：{row['reason']}")
            else:
                self._line(row)
        imported = sum(row["status"] != SKIPPED for row in rows)
        if folder == NATIONAL_DIR:
            where = (
                f"未找到共享数据 {settings.SHARED_DATA_DIR / 'laws'}，使用项目自带的公开文本（{NATIONAL_DIR.name}/）"
            )
        else:
            where = f"来自共享数据 {folder}"
        self.stdout.write(f"全国性法律法规：{imported} 部，{where}。")

    def _line(self, row: dict) -> None:
        self.stdout.write(
            f"{STATUS_WORDS[row['status']]} {row['short_title']}（{row['version_date']}）{row['articles']} 条"
        )
