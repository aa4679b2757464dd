"""manage.py seed_evaluation — this year's assessment for the demo province (idempotent; `make demo`).

Makes the period of 江北省 with the default indicator tree, a few case files of 江北市市场监督管理局's subtree with
two reviews each (one waiting for reconciliation, one vetoed), training files from the case library, entered
values (a complaint, conduct ratings), a third-party assignment for zhaoping (赵平), and the draft assessment of
江北市 computed from the demo's own records, so that wangfang (王芳) and zhaoping see results.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from zhifa.cases.models import Case
from zhifa.evaluation import assessment, services
from zhifa.evaluation.models import Assessment, CaseFile, IndicatorValue, Period, ThirdPartyAssignment
from zhifa.people.models import Officer, Unit, User

PDF = b"%PDF-1.4\n% demo case file\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FILES = [
    # number, title, unit code, first reviewer's marks, second's (reviewer: wangfang, then admin), vetoes of both
    (
        "江市监罚〔{y}〕21号",
        "销售超过保质期食品案",
        "JB-C-SCJG",
        {"form_wrong": 1},
        {"form_wrong": 1, "field_missing": 2},
        [],
    ),
    (
        "东市监罚〔{y}〕08号",
        "未经许可从事食品经营案",
        "JB-DC-SCJG",
        {"no_notice": 1},
        {"no_notice": 1, "overdue": 1},
        [],
    ),
    ("西市监罚〔{y}〕11号", "虚假宣传案", "JB-XC-SCJG", {}, {"evidence_incomplete": 2, "no_hearing": 1}, []),
    ("南市监罚〔{y}〕03号", "无照经营案", "JB-NH-SCJG", {}, {}, ["fewer_than_two"]),
]
TRAINING = [({"form_wrong": 1, "field_missing": 2, "discretion_reason": 1}, []), ({"no_hearing": 1}, ["wrong_law"])]


class Command(BaseCommand):
    help = "为演示单位载入本年度考核：指标体系、案卷评查、第三方评估任务和年度考核草稿（可重复运行）。"

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        year = timezone.localdate().year
        province, city = Unit.objects.get(code="JB"), Unit.objects.get(code="JB-C")
        admin, wangfang = User.objects.get(username="admin"), User.objects.get(username="wangfang")
        zhaoping = User.objects.get(username="zhaoping")
        period = Period.objects.filter(unit=province, year=year).first()
        if period is None:
            period = services.period_create(unit=province, year=year, by=admin)
        files = [self._case_file(period, row, year, wangfang, admin) for row in FILES]
        self._training(period, admin)
        self._values(period, admin)
        if not ThirdPartyAssignment.objects.filter(period=period, evaluator=zhaoping).exists():
            services.assignment_create(
                period=period,
                evaluator=zhaoping,
                units=list(Unit.objects.filter(code__in=["JB-DC-SCJG", "JB-XC-SCJG"])),
                case_files=files[1:3],
                starts_on=timezone.localdate() - timedelta(days=7),
                ends_on=timezone.localdate() + timedelta(days=60),
                by=admin,
            )
        draft = Assessment.objects.filter(period=period, unit=city).first()
        if draft is None or draft.status == Assessment.Status.DRAFT:
            draft = assessment.assessment_compute(period=period, unit=city, by=admin)
        tiers = ", ".join(
            f"{t}: {draft.results.filter(tier=t).count()}" for t in ("excellent", "pass", "basic", "fail")
        )
        self.stdout.write(
            f"考核：{period.name}；案卷 {CaseFile.objects.filter(period=period).count()} 卷；"
            f"江北市年度考核草稿 {draft.results.count()} 人（{tiers}）"
        )

    def _case_file(self, period: Period, row: tuple, year: int, first: User, second: User) -> CaseFile:
        number, title, unit_code, marks_a, marks_b, vetoes = row
        number = number.format(y=year)
        found = CaseFile.objects.filter(period=period, number=number).first()
        if found is not None:
            return found
        unit = Unit.objects.get(code=unit_code)
        officers = list(Officer.objects.filter(unit=unit).order_by("pk")[:2])
        case_file = CaseFile.objects.create(
            period=period, rubric=services.rubric_default(), unit=unit, number=number, title=title, uploaded_by=first,
            decision="责令改正，罚款", sampled=True,
        )  # fmt: skip
        case_file.officers.set(officers)
        case_file.file.save(f"demo-{case_file.pk}.pdf", ContentFile(PDF), save=True)
        services.case_file_review(case_file=case_file, by=first, marks=marks_a, vetoes=vetoes, comment="示例评查")
        services.case_file_review(case_file=case_file, by=second, marks=marks_b, vetoes=vetoes, comment="示例复评")
        return case_file

    def _training(self, period: Period, admin: User) -> None:
        if CaseFile.objects.filter(period=period, is_training=True).exists():
            return
        for case, (marks, vetoes) in zip(Case.objects.order_by("pk")[:2], TRAINING, strict=False):
            services.training_file_create(period=period, case=case, by=admin, expert_marks=marks, expert_vetoes=vetoes)

    def _values(self, period: Period, admin: User) -> None:
        conduct, complaints = period.indicators.get(code="conduct"), period.indicators.get(code="complaints")
        if IndicatorValue.objects.filter(indicator__period=period).exists():
            return
        officers = list(Officer.objects.filter(unit__code__startswith="JB-").order_by("pk"))
        for n, officer in enumerate(officers):
            services.indicator_value_enter(
                indicator=conduct, officer=officer, by=admin, value=95 - (n % 5) * 8, evidence="年度平时考核记录"
            )
        if len(officers) > 3:
            services.indicator_value_enter(
                indicator=complaints, officer=officers[3], by=admin, events=1, evidence="群众投诉查实（示例）"
            )
