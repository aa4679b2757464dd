"""manage.py import_cases FILE.jsonl — import cases (schema of ../shared/data/cases); all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zhifa.cases import services
from zhifa.cases.case_import import MAX_BYTES, cases_read


class Command(BaseCommand):
    help = "导入案例（JSON Lines，每行一个案例）；有任何错误则不导入"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件 {file}")
        if file.stat().st_size > MAX_BYTES:
            raise CommandError(f"{file} 过大（上限 {MAX_BYTES // 1024 // 1024} MB）：请分批导入")
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file} 不是 UTF-8 编码（第 {exc.start} 字节）：请另存为 UTF-8") from None
        rows, errors = cases_read(text)
        if errors:
            raise CommandError("未导入任何案例：\n" + "\n".join(str(e) for e in errors[:50]))
        created = pending = 0
        with transaction.atomic():
            for row in rows:
                line = row.pop("line")
                try:
                    case, is_new = services.case_upsert(data=row)
                except services.CaseInvalid as exc:
                    raise CommandError(f"未导入任何案例：第 {line} 行：{exc}") from None
                created += is_new
                pending += len(case.pending_article_keys)
        self.stdout.write(
            f"导入 {len(rows)} 个案例（新增 {created}，更新 {len(rows) - created}）；"
            f"{pending} 处条文引用待相应法规导入后解析"
        )
