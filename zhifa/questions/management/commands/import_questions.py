"""manage.py import_questions FILE [--dry-run] [--json] [--bank NAME] — import an Excel, JSONL or Word file."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhifa.questions.content import KIND_LABELS
from zhifa.questions.imports import detect_format, questions_import
from zhifa.questions.models import Question, QuestionBank


class Command(BaseCommand):
    help = "导入试题（Excel .xlsx、JSONL 或 Word .docx）；有任何一行出错则整批不导入"

    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel（.xlsx）、JSONL 或 Word（.docx）文件")
        parser.add_argument("--bank", default="", help="导入到该名称的题库（新试题取其默认用途）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入")
        parser.add_argument("--json", action="store_true", help="输出一行 JSON 汇总")
        parser.add_argument("--publish", action="store_true", help="新试题直接发布（默认为草稿）")
        parser.add_argument(
            "--pending-citations", action="store_true", help="法规库中尚无的法条依据记为待关联，而不是报错"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}；请检查路径是否正确")
        blob = path.read_bytes()
        bank = None
        if options["bank"]:
            bank = QuestionBank.objects.filter(name=options["bank"]).first()
            if bank is None:
                raise CommandError(f"没有名为“{options['bank']}”的题库；请先在题库页面新建，或检查名称")
        report = questions_import(
            blob=blob,
            fmt=detect_format(path.name, blob),
            dry_run=options["dry_run"],
            pending_citations=options["pending_citations"],
            status=Question.Status.PUBLISHED if options["publish"] else Question.Status.DRAFT,
            bank=bank,
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self._print(report, dry_run=options["dry_run"])
        if report.errors:
            raise CommandError(f"有 {len(report.errors)} 处错误，整批未导入；请按提示修改后重新导入", returncode=1)

    def _print(self, report, *, dry_run: bool) -> None:
        for error in report.errors:
            self.stderr.write(error["message"])
        for item in report.unresolved:
            self.stdout.write(f"第 {item['row']} 行 {item['key']}：{item['note']}")
        kinds = "，".join(f"{KIND_LABELS.get(k, k)} {n}" for k, n in sorted(report.by_type.items()))
        verb = "检查完毕（未写入）" if dry_run else ("未导入" if report.errors else "导入完成")
        self.stdout.write(
            f"{verb}：新建 {report.created}，更新 {report.updated}，未变 {report.unchanged}；按题型：{kinds or '无'}；"
            f"法条待复核（未关联或已废止）{len(report.unresolved)} 处"
        )
