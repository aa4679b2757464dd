"""manage.py seed_certificates — 江北省's example certificate rules and the review's own ledgers for the demo
(idempotent; `make demo`, after seed_records).

So that 江北市's annual review shows officers passing and failing for different reasons, computed from the demo's
real records: hours come from seed_records (张明 45 of 60 学时), rotation from the plans app; this command adds
enforcement-act counts for last year and this year (a few officers with none, one of them explained), case-file
spot-check findings (one failed), one suspension after a failed new-law exam, and links the demo's qualification
exam to the rules. Everything goes through certificates.services.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from zhifa.certificates import services
from zhifa.certificates.models import CertificateEvent, CertificateExam
from zhifa.exams.models import Exam
from zhifa.people.models import Officer

IDLE_EXPLAINED = "借调至市政府办公室，未从事执法工作"
SPOT_CHECKS = [
    (False, "行政处罚决定书未载明当事人陈述申辩情况，案卷评查不合格"),
    (True, "案卷要素齐全，评查合格"),
    (True, "证据链完整，评查合格"),
]
NEW_LAW_SUSPENSION = "《行政处罚法》修订内容考试不合格，暂扣证件，脱岗培训后补考"


class Command(BaseCommand):
    help = "载入江北省执法证件示例规则，以及年审所需的执法行为统计、案卷抽查结果等示例数据（可重复运行）。"

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        rule_set = services.rule_set_install_default()
        year = timezone.localdate().year
        officers = list(
            Officer.objects.filter(unit__code__startswith="JB").select_related("unit", "user").order_by("pk")
        )
        idle = explained = 0
        for index, officer in enumerate(officers):
            for y in (year - 1, year):
                if index % 9 == 4:
                    counts, note = 0, ""
                elif index % 9 == 7:
                    counts, note = 0, IDLE_EXPLAINED
                else:
                    counts, note = 3 + (index * 7 + y) % 20, ""
                services.act_count_set(officer=officer, year=y, count=counts, explanation=note, by=None)
            idle += index % 9 == 4
            explained += index % 9 == 7
        checked = [o for o in officers if o.user.username != "zhangming"][1 :: max(1, len(officers) // 4)]
        for (passed, summary), officer in zip(SPOT_CHECKS, checked, strict=False):
            services.review_finding_record(
                officer=officer, year=year, passed=passed, summary=summary,
                source_key=f"demo:spot-check:{year}:{officer.pk}",
            )  # fmt: skip
        suspended = self._suspension(officers)
        linked = self._exam_links(rule_set)
        self.stdout.write(
            f"执法证示例数据：{rule_set.name}；{len(officers)} 名执法人员的执法行为统计（{idle} 人连续两年无执法行为，"
            f"{explained} 人已说明）；案卷抽查 {min(len(checked), len(SPOT_CHECKS))} 人；暂扣 {suspended} 人；"
            f"关联证件考试 {linked} 场。"
        )

    def _suspension(self, officers: list[Officer]) -> int:
        if CertificateEvent.objects.filter(kind=CertificateEvent.Kind.SUSPEND, reason=NEW_LAW_SUSPENSION).exists():
            return 0  # seeded before (the officer chosen then is no longer valid, so do not choose again)
        valid = [o for o in officers if o.certificate_status == Officer.CertificateStatus.VALID]
        if len(valid) < 6:
            return 0
        officer = valid[5]
        services.certificate_suspend(officer=officer, by=None, reason=NEW_LAW_SUSPENSION, off_duty_training=True)
        return 1

    def _exam_links(self, rule_set) -> int:
        linked = 0
        for exam in Exam.objects.filter(is_qualification=True):
            if not CertificateExam.objects.filter(exam=exam).exists():
                services.certificate_exam_link(
                    exam=exam, rule_set=rule_set, purpose=CertificateExam.Purpose.QUALIFICATION,
                    part=CertificateExam.Part.GENERAL, by=None,
                )  # fmt: skip
                linked += 1
        return linked
