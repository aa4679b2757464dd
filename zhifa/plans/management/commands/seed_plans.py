"""manage.py seed_plans — this year's training plan of the demo city 江北市 (idempotent; `make demo`).

Written through the real services: the city's plan (published by the system administrator) with hours targets, a
daily-practice target and the sample course; the market bureau's own plan adding an item below it (inheritance);
a rotation rule with past rotations, a batch this year and the due list; one exemption; statuses computed from the
ledgers seeded before (seed_records), and the reminders sent. Some officers are done, some behind, some due for
rotation.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from zhifa.people.models import Officer, Unit, User
from zhifa.plans import reminders, rotation, services
from zhifa.plans.models import Assignment, PlanItem, RotationBatch, RotationRecord, RotationRule, TrainingPlan
from zhifa.plans.services import ItemIn


def _date(year: int, month: int, day: int, today: date, *, not_before: int = 0) -> date:
    """A date of this year, moved to at least `not_before` days from today (the demo always has something due)."""
    wanted = date(year, month, day)
    if not_before and wanted < today + timedelta(days=not_before):
        wanted = min(today + timedelta(days=not_before), date(year, 12, 31))
    return wanted


class Command(BaseCommand):
    help = "为演示城市江北市载入本年度培训计划、轮训批次与提醒（可重复运行）。"

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        year = today.year
        city = Unit.objects.filter(code="JB-C").first()
        market = Unit.objects.filter(code="JB-C-SCJG").first()
        admin = User.objects.filter(username="admin").first()
        wangfang = User.objects.filter(username="wangfang").first()
        if city is None or market is None or admin is None or wangfang is None:
            self.stdout.write("未找到演示单位或账号，请先运行 seed_demo。")
            return
        plan = self._city_plan(admin, city, year, today)
        self._market_plan(wangfang, market, year, today)
        self._rotation(admin, city, year, today)
        services.plans_refresh_all(year=year, today=today)
        self._exemption(admin, plan)
        sent = reminders.reminders_send(today=today)
        counts = dict.fromkeys(Assignment.Status.values, 0)
        for status in Assignment.objects.filter(item__plan__year=year).values_list("status", flat=True):
            counts[status] += 1
        summary = "，".join(f"{Assignment.Status(k).label}{v}" for k, v in counts.items())
        self.stdout.write(f"培训计划：{year}年度江北市计划已发布；培训任务 {summary}；提醒 {sent} 条。")

    def _city_plan(self, admin: User, city: Unit, year: int, today: date) -> TrainingPlan:
        existing = TrainingPlan.objects.filter(unit=city, year=year).exclude(status="withdrawn").first()
        if existing is not None:
            return existing
        plan = services.plan_create(by=admin, unit=city, year=year, title=f"{year}年度江北市行政执法人员培训计划")
        from zhifa.courses.models import Course

        course = Course.objects.filter(status="published").order_by("pk").first()
        items = [
            ItemIn(
                kind=PlanItem.Kind.HOURS_TARGET,
                title="法律知识学时（全年不少于30学时）",
                category="legal",
                window_start=date(year, 1, 1),
                deadline=date(year, 12, 31),
                target=Decimal("30"),
                reason="《江北市行政执法人员培训管理办法》：每年法律知识培训不少于30学时",
            ),
            ItemIn(
                kind=PlanItem.Kind.HOURS_TARGET,
                title="上半年职业道德学时（不少于8学时）",
                category="ethics",
                window_start=date(year, 1, 1),
                deadline=date(year, 6, 30),
                target=Decimal("8"),
                reason="职业道德专题教育上半年完成",
            ),
            ItemIn(
                kind=PlanItem.Kind.PRACTICE_TARGET,
                title="每日一练（全年20天）",
                window_start=date(year, 1, 1),
                deadline=date(year, 12, 31),
                target=Decimal("20"),
                required=False,
                reason="以练促学，巩固常用法条",
            ),
        ]
        if course is not None:
            items.append(
                ItemIn(
                    kind=PlanItem.Kind.COURSE,
                    title=f"必修课程：{course.title}",
                    course_id=course.pk,
                    window_start=date(year, 1, 1),
                    deadline=_date(year, 11, 30, today, not_before=10),
                    reason="市局年度必修课程",
                )
            )
        for data in items:
            services.item_add(by=admin, plan=plan, data=data)
        services.plan_publish(by=admin, plan=plan)
        return plan

    def _market_plan(self, wangfang: User, market: Unit, year: int, today: date) -> None:
        if TrainingPlan.objects.filter(unit=market, year=year).exclude(status="withdrawn").exists():
            return
        plan = services.plan_create(by=wangfang, unit=market, year=year, title=f"{year}年度市场监管系统业务培训计划")
        services.item_add(
            by=wangfang,
            plan=plan,
            data=ItemIn(
                kind=PlanItem.Kind.HOURS_TARGET,
                title="业务技能学时（不少于15学时）",
                category="skill",
                window_start=date(year, 1, 1),
                deadline=_date(year, 12, 20, today, not_before=5),
                target=Decimal("15"),
                reason="市场监管系统在市计划之外增加的业务技能要求",
            ),
        )
        services.plan_publish(by=wangfang, plan=plan)

    def _rotation(self, admin: User, city: Unit, year: int, today: date) -> None:
        rule = RotationRule.objects.filter(unit=city).first()
        if rule is not None:
            return
        rule = rotation.rule_save(
            by=admin, unit=city, name="江北市执法人员三年轮训", every_years=3, certificate_months=12
        )
        programme = PlanItem.objects.filter(plan__unit=city, plan__year=year, kind__in=["course", "hours_target"])
        rotation.rule_items_set(by=admin, rule=rule, items=list(programme.select_related("plan__unit")[:2]))
        officers = list(Officer.objects.filter(unit__path__startswith=city.path).order_by("pk"))
        # A third rotated last year, a third four years ago (due again), the rest never (due).
        for index, officer in enumerate(officers):
            if index % 3 == 0:
                RotationRecord.objects.create(officer=officer, completed_on=date(year - 1, 10, 15), note="上年度轮训")
            elif index % 3 == 1 and index % 2 == 0:
                RotationRecord.objects.create(officer=officer, completed_on=date(year - 4, 9, 20), note="往年轮训")
        first = rotation.batch_create(
            by=admin,
            rule=rule,
            name=f"{year}年第一期",
            year=year,
            capacity=8,
            starts_on=date(year, 4, 8),
            ends_on=date(year, 4, 12),
        )
        due = rotation.rotation_due(rule=rule, today=today)
        picked = [d.officer for d in due[:6]]
        rotation.batch_enrol(by=admin, batch=first, officers=picked, reasons={d.officer.pk: d.reason for d in due[:6]})
        if first.ends_on <= today:
            rotation.batch_finish(by=admin, batch=first, completed_on=first.ends_on)
        RotationBatch.objects.get_or_create(
            rule=rule,
            name=f"{year}年第二期",
            year=year,
            defaults={
                "capacity": 30,
                "starts_on": _date(year, 12, 15, today, not_before=7),
                "ends_on": date(year, 12, 31),
            },
        )

    def _exemption(self, admin: User, plan: TrainingPlan) -> None:
        if Assignment.objects.filter(item__plan=plan, exempted=True).exists():
            return
        target = (
            Assignment.objects.filter(item__plan=plan, item__kind=PlanItem.Kind.PRACTICE_TARGET)
            .exclude(officer__user__username__in=["zhangming", "wangfang"])
            .select_related("officer", "item__plan")
            .order_by("officer_id")
            .first()
        )
        if target is not None:
            services.assignment_exempt(by=admin, assignment=target, reason="长期病假（有医院证明），本年度免修")
