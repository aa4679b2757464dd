"""manage.py import_officers FILE.xlsx [--dry-run] [--unit CODE] — the same checks and report as the import page."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhifa.people import importing
from zhifa.people.models import Unit


class Command(BaseCommand):
    help = "从 Excel 导入执法人员：逐行检查，有任何错误则一人不导入；--dry-run 只检查。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="按模板填写的 .xlsx 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不导入")
        parser.add_argument("--unit", help="只允许导入到该单位代码及其下级单位")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}，请检查路径。")
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"单位代码 {options['unit']} 不存在，请核对。")
        report = importing.officer_import(
            content=path.read_bytes(), by=None, unit=unit, dry_run=options["dry_run"], filename=path.name
        )
        for error in report.errors:
            where = f"第 {error.row} 行" if error.row else "文件"
            self.stdout.write(f"{where}\t{error.column}\t{error.message}")
        if report.errors:
            raise CommandError(f"共 {len(report.errors)} 处问题（{report.row_count} 行数据），未导入任何人员。")
        if options["dry_run"]:
            self.stdout.write(f"检查通过：{report.row_count} 行均可导入（未导入，去掉 --dry-run 即导入）。")
        else:
            self.stdout.write(f"已导入 {report.created} 名执法人员。")
