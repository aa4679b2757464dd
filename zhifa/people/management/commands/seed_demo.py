"""manage.py seed_demo — the demo organisation, officers and persona accounts (idempotent; used by `make demo`)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from zhifa.people import demo, importing


class Command(BaseCommand):
    help = "载入演示单位、约 50 名执法人员和各角色演示账号（可重复运行），并生成示例导入表。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--sample",
            default=str(Path(settings.BASE_DIR) / "var" / "samples" / "officers-sample.xlsx"),
            help="示例导入表的输出路径",
        )

    def handle(self, *args, **options):
        units = demo.units_seed()
        created = demo.officers_seed(units)
        personas = demo.personas_seed(units)
        sample = Path(options["sample"])
        sample.parent.mkdir(parents=True, exist_ok=True)
        sample.write_bytes(importing.officer_template(demo.sample_rows()))
        self.stdout.write(f"单位 {len(units)} 个；新增执法人员 {created} 名。")
        self.stdout.write("演示账号（登录页 http://127.0.0.1:8000/accounts/login/）：")
        self.stdout.write(f"  {'用户名':<10}\t{'密码':<12}\t{'姓名':<6}\t角色")
        for persona, user in personas:
            self.stdout.write(f"  {user.username:<10}\t{demo.DEMO_PASSWORD:<12}\t{persona.name:<6}\t{persona.label}")
        self.stdout.write(f"示例导入表（20 名新人员，可由 wangfang 或 admin 在“批量导入”页上传）：{sample}")
