"""manage.py export_questions --format jsonl|xlsx OUT — write the latest version of every question."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhifa.questions.exports import export_jsonl, export_xlsx
from zhifa.questions.models import Question


class Command(BaseCommand):
    help = "导出题库（每道题的最新版本），格式与导入相同"

    def add_arguments(self, parser):
        parser.add_argument("out", help="输出文件")
        parser.add_argument("--format", choices=["jsonl", "xlsx"], default=None, help="默认按文件扩展名")
        parser.add_argument("--status", choices=[s.value for s in Question.Status], help="只导出该状态的试题")

    def handle(self, *args, **options):
        out = Path(options["out"])
        fmt = options["format"] or ("xlsx" if out.suffix.lower() == ".xlsx" else "jsonl")
        questions = Question.objects.all()
        if options["status"]:
            questions = questions.filter(status=options["status"])
        if not out.parent.exists():
            raise CommandError(f"目录不存在：{out.parent}；请先创建该目录")
        blob = export_xlsx(questions) if fmt == "xlsx" else export_jsonl(questions)
        out.write_bytes(blob)
        count = questions.filter(is_latest=True, parent__isnull=True).count()
        self.stdout.write(f"已导出 {count} 道试题到 {out}（{fmt}）")
