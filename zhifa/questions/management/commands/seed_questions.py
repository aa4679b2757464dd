"""manage.py seed_questions — the demo knowledge point tree and sample bank (safe to run again)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhifa.questions.seeding import sample_bank_seed


class Command(BaseCommand):
    help = "写入演示用知识点树和示例题库（可重复执行）；法规库中尚无的法条引用记为待关联"

    def handle(self, *args, **options):
        report = sample_bank_seed()
        self.stdout.write(
            f"知识点 {report.points} 个；试题 新建 {report.created}，更新 {report.updated}，未变 {report.unchanged}"
        )
        if report.pending_keys:
            self.stdout.write(
                f"注意：{len(report.pending_keys)} 条法条引用暂未关联（法规库中尚无）："
                f"{'、'.join(report.pending_keys[:10])}{' 等' if len(report.pending_keys) > 10 else ''}。"
                "导入法规（manage.py import_laws）后再次运行 seed_questions 即可关联。"
            )
