"""manage.py seed_exams — a demo blueprint and two open exams over the seeded bank (safe to run again).

Run after seed_demo and seed_questions. The organiser is the unit named 江北市 (the demo's city; if absent, the
first root unit) and the audience is that unit with its subtree (all root units when 江北市 is absent). Everything is
written through the exams services as the first system administrator (seed_demo's `admin`). Blueprint and exams are
looked up by name / title, so a second run changes nothing. If the bank cannot meet the blueprint, the assembly
error is printed and the command exits non-zero, leaving nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhifa.exams import assembly, papers
from zhifa.exams.models import Blueprint, Exam
from zhifa.people.models import Role, RoleGrant, Unit, User

CITY = "江北市"
BLUEPRINT_NAME = "演示组卷规则（法律知识综合）"
# Counts the sample bank of seed_questions meets (14 single, 8 multiple, 10 judge, 6 blank, 3 short): 100 points.
SECTIONS = [
    {"kind": "single", "count": 10, "points": "2"},
    {"kind": "multiple", "count": 5, "points": "4"},
    {"kind": "judge", "count": 8, "points": "2.5"},
    {"kind": "blank", "count": 4, "points": "5"},
    {"kind": "short", "count": 1, "points": "20"},
]


@dataclass(frozen=True)
class DemoExam:
    title: str
    description: str
    minutes: int
    paper_mode: str
    form_count: int = 1
    attempts: int = 1
    qualification: bool = False
    credit_hours: Decimal = Decimal("0")


EXAMS = [
    DemoExam(
        "2026年度行政执法人员法律知识考试",
        "年度法律知识考试，开放一周，限时 30 分钟，两套平行试卷。",
        30,
        Exam.PaperMode.PARALLEL,
        form_count=2,
        credit_hours=Decimal("2"),
    ),
    DemoExam(
        "执法资格考试（通用法律知识）",
        "申领执法证件的通用法律知识资格考试，开放一周，限时 60 分钟，可作答两次。",
        60,
        Exam.PaperMode.FIXED,
        attempts=2,
        qualification=True,
    ),
]


def _organisation() -> tuple[Unit, list[Unit]]:
    """(organiser, audience units): 江北市 and its subtree, or the root unit(s) when there is no 江北市."""
    city = Unit.objects.filter(name=CITY).order_by("pk").first()
    if city is not None:
        return city, [city]
    roots = list(Unit.objects.filter(parent__isnull=True).order_by("pk"))
    if not roots:
        raise CommandError("还没有任何单位：请先运行 manage.py seed_demo。")
    return roots[0], roots


def _actor() -> User:
    admins = RoleGrant.objects.filter(role=Role.SYSTEM_ADMIN).values("user")
    user = User.objects.filter(Q(is_superuser=True) | Q(pk__in=admins), is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("没有系统管理员账号：请先运行 manage.py seed_demo（它创建 admin）。")
    return user


class Command(BaseCommand):
    help = "写入演示用组卷规则和两场开放中的考试（可重复执行）；需先运行 seed_demo 和 seed_questions"

    def handle(self, *args, **options):
        unit, audience = _organisation()
        by = _actor()
        try:
            with transaction.atomic():
                blueprint, line = _blueprint(by, unit)
                lines = [line] + [
                    _exam(spec, by=by, unit=unit, audience=audience, blueprint=blueprint) for spec in EXAMS
                ]
        except (assembly.AssemblyError, assembly.BlueprintInvalid) as exc:
            raise CommandError(f"组卷失败：{exc}") from exc
        self.stdout.write(f"组织单位：{unit.name}（参考范围含下级单位）")
        for line in lines:
            self.stdout.write(line)


def _blueprint(by: User, unit: Unit) -> tuple[Blueprint, str]:
    existing = Blueprint.objects.filter(name=BLUEPRINT_NAME, unit=unit).first()
    if existing is not None:
        return existing, f"组卷规则“{BLUEPRINT_NAME}”已存在，未改动"
    blueprint = papers.blueprint_save(by=by, unit=unit, name=BLUEPRINT_NAME, sections=SECTIONS, enemy_groups=[])
    return blueprint, f"新建组卷规则“{BLUEPRINT_NAME}”：{len(SECTIONS)} 个部分，满分 100"


def _exam(spec: DemoExam, *, by: User, unit: Unit, audience: list[Unit], blueprint: Blueprint) -> str:
    existing = Exam.objects.filter(title=spec.title).first()
    if existing is not None:
        return f"考试“{spec.title}”已存在，未改动（{existing.get_status_display()}）"
    opens = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=1)
    exam = Exam(
        title=spec.title,
        description=spec.description,
        unit=unit,
        blueprint=blueprint,
        paper_mode=spec.paper_mode,
        form_count=spec.form_count,
        opens_at=opens,
        closes_at=opens + timedelta(days=7),
        duration_minutes=spec.minutes,
        attempts_allowed=spec.attempts,
        pass_mark=Decimal("60"),
        partial_credit="half",
        is_qualification=spec.qualification,
        credit_hours=spec.credit_hours,
    )
    papers.exam_save(by=by, exam=exam, audience_units=audience)
    built = papers.papers_build(exam=exam, by=by)
    papers.exam_publish(exam=exam, by=by)
    kind = "资格考试，" if spec.qualification else ""
    return (
        f"新建考试“{spec.title}”：{kind}已发布，{built} 套试卷，限时 {spec.minutes} 分钟，"
        f"开放至 {timezone.localtime(exam.closes_at):%Y-%m-%d %H:%M}"
    )
