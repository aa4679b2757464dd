"""manage.py seed_cases — load the project's own drills (scenarios/*.yaml) and cases (content/cases.yaml).

Idempotent: a scenario whose published text is unchanged is left alone; a changed one gets a new published version
(runs in progress keep theirs). Articles of laws not yet in the library are noted and cited once they are imported.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zhifa.cases import services
from zhifa.cases.case_import import case_fields
from zhifa.cases.models import Scenario

CONTENT = Path(__file__).resolve().parents[2]


class Command(BaseCommand):
    help = "载入内置的模拟执法演练和案例（可重复执行）"

    def handle(self, *args, **options):
        with transaction.atomic():
            self._scenarios(sorted((CONTENT / "scenarios").glob("*.yaml")))
            self._cases(CONTENT / "content" / "cases.yaml")
            resolved = services.case_cite_pending()
            checked = services.scenario_cite_pending()
        if resolved or checked:
            self.stdout.write(f"新解析案例条文引用 {resolved} 处，核验演练版本 {checked} 个")

    def _scenarios(self, files: list[Path]) -> None:
        for file in files:
            source = file.read_text(encoding="utf-8")
            check = services.scenario_check(source=source)
            if not check.ok:
                raise CommandError(f"{file.name} 校验失败：\n" + "\n".join(str(i) for i in check.issues))
            key = yaml.safe_load(source)["id"]
            scenario = Scenario.objects.filter(key=key).select_related("current").first()
            if scenario is not None and scenario.current and scenario.current.source == source:
                continue
            version = services.scenario_save(source=source, by=None, scenario=scenario)
            services.scenario_publish(version=version, by=None)
            note = f"（{len(check.pending)} 处条文所属法规尚未导入，导入后再核验）" if check.pending else ""
            self.stdout.write(f"演练《{version.title}》发布 v{version.number}{note}")

    def _cases(self, file: Path) -> None:
        if not file.exists():
            return
        rows = yaml.safe_load(file.read_text(encoding="utf-8")) or []
        for number, row in enumerate(rows, start=1):
            fields, errors = case_fields(row, number)
            if errors:
                raise CommandError(f"{file.name} 第 {number} 个案例：" + "；".join(e.message for e in errors))
            services.case_upsert(data=fields or {})
        self.stdout.write(f"案例 {len(rows)} 个已就绪")
