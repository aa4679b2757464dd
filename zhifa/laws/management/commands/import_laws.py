"""manage.py import_laws PATH... — import law files, folders or archives (the corpus .tar.gz) and print a report."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from zhifa.laws.importing import SKIPPED, import_source, sources_from_paths

STATUS_WORDS = {"created": "新建", "updated": "更新", "unchanged": "未变"}


class Command(BaseCommand):
    help = "导入法律法规文本（.txt/.md/.docx 文件、文件夹或 .tar.gz/.zip 压缩包），输出导入报告"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="文件、文件夹或压缩包")
        parser.add_argument("--corpus-tar", action="append", default=[], help="法规语料压缩包（.tar.gz）")
        parser.add_argument("--strict", action="store_true", help="有任何文件被跳过即以状态 1 退出")
        parser.add_argument("--json", action="store_true", help="每个版本输出一行 JSON")
        parser.add_argument("--replace", action="store_true", help="以新文本替换同一日期的已有版本（更正文本）")

    def handle(self, *args, **options):
        paths = [*options["paths"], *options["corpus_tar"]]
        if not paths:
            raise CommandError("请指定要导入的文件、文件夹或压缩包，例如：manage.py import_laws ../shared/data/laws")
        started = time.perf_counter()
        counts = {"created": 0, "updated": 0, "unchanged": 0, SKIPPED: 0}
        pending = warned = 0
        kinds: dict[str, int] = {}  # court cases and guides imported as paragraphs, by kind
        explicit_failed = False
        try:
            for source in sources_from_paths(paths):
                row = import_source(source, replace=options["replace"])
                counts[row["status"]] += 1
                pending += bool(row.get("date_pending")) and row["status"] != "unchanged"
                warned += bool(row.get("warnings"))
                if row.get("kind"):
                    kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
                self._print_row(row, as_json=options["json"])
                explicit_failed |= source.explicit and row["status"] == SKIPPED
        except FileNotFoundError as exc:
            raise CommandError(f"找不到路径：{exc.filename}；请检查路径是否正确") from exc
        elapsed = time.perf_counter() - started
        summary = (
            f"共 {sum(counts.values())} 个文件：新建 {counts['created']}，更新 {counts['updated']}，"
            f"未变 {counts['unchanged']}，跳过 {counts[SKIPPED]}（{elapsed:.1f} 秒）"
            + (f"；{warned} 个文件有注意事项" if warned else "")
            + ("；不是法规、按段落收录：" + "，".join(f"{k} {n}" for k, n in sorted(kinds.items())) if kinds else "")
            + (f"；{pending} 个版本日期待确认（法规管理 → 日期待确认，/laws/manage/dates/）" if pending else "")
        )
        self.stderr.write(summary) if options["json"] else self.stdout.write(summary)
        if counts[SKIPPED] and (options["strict"] or explicit_failed):
            raise CommandError(f"有 {counts[SKIPPED]} 个文件未能导入（见上方原因）", returncode=1)

    def _print_row(self, row: dict, *, as_json: bool) -> None:
        if row["status"] == SKIPPED:
            self.stderr.write(f"跳过 {row['file']}：{row['reason']}")
            return
        for warning in row.get("warnings", ()):
            self.stderr.write(f"注意 {row['file']}：{warning}")
        if as_json:
            keys = ("title", "short_title", "version_date", "articles", "status", "date_pending", "warnings")
            self.stdout.write(json.dumps({key: row[key] for key in keys}, ensure_ascii=False))
        else:
            when = f"日期待确认，暂记 {row['version_date']}" if row.get("date_pending") else row["version_date"]
            when = f"{row['kind']}，无版本日期" if row.get("kind") and row["version_date"] == "1900-01-01" else when
            self.stdout.write(
                f"{STATUS_WORDS[row['status']]} {row['short_title']}（{when}）{row['articles']} 条  ← {row['file']}"
            )
