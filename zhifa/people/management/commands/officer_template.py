"""manage.py officer_template OUT.xlsx [--sample] — the officer import template, or a sample sheet of new officers."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from zhifa.people import demo, importing


class Command(BaseCommand):
    help = "生成执法人员导入模板；加 --sample 时写入约 20 名示例人员（单位为演示数据中的单位）。"

    def add_arguments(self, parser):
        parser.add_argument("out", help="输出文件路径（.xlsx）")
        parser.add_argument("--sample", action="store_true", help="写入示例人员")

    def handle(self, *args, **options):
        out = Path(options["out"])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(importing.officer_template(demo.sample_rows() if options["sample"] else ()))
        self.stdout.write(f"已生成：{out}")
