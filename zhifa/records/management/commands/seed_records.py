"""manage.py seed_records — sample offline-training hours for the demo organisation (idempotent; `make demo`).

Without them every demo officer is "behind" and the compliance report shows one red bar. Each demo officer (units
of the demo organisation 江北, codes JB-…) attends this year's sample rotation classes to a different extent, so
the report shows officers who are done, on track and behind. Written through the real services: one "attended"
statement and one approved hours entry per officer and category, keyed so that a second run adds nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from zhifa.people import demo
from zhifa.people.models import Officer
from zhifa.records import services
from zhifa.records.models import Category

# Shares of the default yearly requirement (法律知识 30, 业务技能 20, 职业道德 10) by officer, in turn: done, on track,
# behind, slightly behind. "On track" late in the year needs nearly the whole requirement.
PROFILES = (
    {"legal": Decimal("30"), "skill": Decimal("20"), "ethics": Decimal("10")},
    {"legal": Decimal("29"), "skill": Decimal("19.5"), "ethics": Decimal("10")},
    {"legal": Decimal("16"), "skill": Decimal("8"), "ethics": Decimal("4")},
    {"legal": Decimal("24"), "skill": Decimal("15"), "ethics": Decimal("6")},
)
CLASSES = {
    "legal": "示例：行政执法法律知识轮训（线下集中培训）",
    "skill": "示例：执法文书与证据规则实务（线下集中培训）",
    "ethics": "示例：执法人员职业道德专题（线下集中培训）",
}


class Command(BaseCommand):
    help = "为演示单位的执法人员载入示例线下培训学时（可重复运行）。"

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        year = timezone.localdate().year
        officers = Officer.objects.filter(unit__code__startswith="JB").select_related("user").order_by("pk")
        personas = {persona.username for persona in demo.PERSONAS}
        credited = Decimal("0")
        for index, officer in enumerate(officers):
            # A persona (张明) is part way, so the demo shows him a ring with room left and courses to take.
            profile = PROFILES[3] if officer.user.username in personas else PROFILES[index % len(PROFILES)]
            for category, hours in profile.items():
                key = f"demo:records:{year}:{category}:officer:{officer.pk}"
                services.statement_record(
                    officer=officer,
                    verb="attended",
                    object_type="offline-class",
                    object_id=f"demo-{year}-{category}",
                    object_name=CLASSES[category],
                    result={"duration_seconds": int(hours * 45 * 60)},
                    context={"sample": True},
                    dedupe_key=key,
                )
                entry = services.hours_credit(
                    officer=officer,
                    category=category,
                    hours=hours,
                    source=CLASSES[category],
                    evidence="签到记录（示例数据）",
                    dedupe_key=key,
                    year=year,
                )
                credited += entry.hours if entry.status == entry.Status.APPROVED else Decimal("0")
        self.stdout.write(
            f"示例学时：{officers.count()} 名执法人员，共 {credited} 学时（{', '.join(Category.labels)}）。"
        )
