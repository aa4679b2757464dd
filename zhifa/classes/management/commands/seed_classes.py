"""manage.py seed_classes — demo classes (idempotent; `make demo`, after seed_records).

A past class of 江北市市场监督管理局 with attendance (hours credited through the ledger) and six anonymous ratings, so
the aggregate shows; an upcoming class zhangming (张明) is enrolled in, with chenhong (陈红, external instructor)
booked and accepted; the instructor registry; a blended programme for 张明.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from zhifa.classes import checkin
from zhifa.classes.models import (
    Attendance,
    ClassSession,
    Enrolment,
    Instructor,
    OfflineClass,
    Programme,
    ProgrammePart,
    RatingReceipt,
    RatingResponse,
)
from zhifa.common.crypto_provider import get_provider
from zhifa.courses.models import Course
from zhifa.exams.models import Exam
from zhifa.people.models import Audience, Domain, Officer, Unit, User

PAST = "2026年市场监管执法人员轮训班（第一期）"
UPCOMING = "执法文书与证据规则实务培训班"
PROGRAMME = "新任执法人员混合式培训（行政处罚程序）"
RATINGS = [(5, 5, 5, "案例贴近一线，很实用"), (4, 5, 4, ""), (5, 4, 4, "希望多讲证据固定"), (4, 4, 5, ""),
           (5, 5, 4, "讲解清楚"), (3, 4, 4, "时间稍紧")]  # fmt: skip


def _at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class Command(BaseCommand):
    help = "载入示例培训班、讲师、签到与评价（可重复运行）。"

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        bureau = Unit.objects.filter(code="JB-C-SCJG").first()
        if bureau is None:
            self.stdout.write("示例培训班：未找到示例单位，请先运行 seed_demo。")
            return
        chen, liu = self._instructors()
        officers = list(
            Officer.objects.filter(unit__path__startswith=bureau.path).select_related("user", "unit").order_by("pk")
        )
        zhangming = Officer.objects.filter(user__username="zhangming").first()
        past = self._past_class(bureau, chen, liu, officers[:10])
        upcoming = self._upcoming_class(bureau, chen, liu, zhangming)
        self._programme(bureau, past, zhangming)
        present = Attendance.objects.filter(session__offline_class=past).count()
        rated = RatingResponse.objects.filter(session__offline_class=past).count()
        self.stdout.write(
            f"示例培训班：往期“{past.title}”签到 {present} 人次、评价 {rated} 份；"
            f"近期“{upcoming.title}”（张明已报名，讲师陈红）。"
        )

    def _instructors(self) -> tuple[Instructor, Instructor]:
        user = User.objects.filter(username="chenhong").first()
        chen, created = Instructor.objects.get_or_create(
            name="陈红",
            defaults={
                "user": user,
                "kind": Instructor.Kind.EXTERNAL,
                "organisation": "江北大学法学院",
                "title": "教授",
                "bio": "行政法学教授，长期从事行政处罚与行政强制研究，参与多部地方性法规起草。",
            },
        )
        if created:
            chen.phone_encrypted, chen.phone_masked = get_provider().encrypt("13905510001"), "139****0001"
            chen.save(update_fields=["phone_encrypted", "phone_masked"])
            chen.domains.set(Domain.objects.filter(code__in=["market", "justice"]))
        liu, _ = Instructor.objects.get_or_create(
            name="刘建国",
            defaults={
                "kind": Instructor.Kind.INTERNAL,
                "organisation": "江北市市场监督管理局",
                "title": "法规科科长",
                "bio": "资深执法人员，二十年一线办案经验。",
            },
        )
        return chen, liu

    def _session(self, klass, topic, starts, hours, instructor, category="legal") -> ClassSession:
        session, _ = ClassSession.objects.get_or_create(
            offline_class=klass,
            topic=topic,
            defaults={
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=float(hours)),
                "venue": "江北市行政执法培训中心 301 教室",
                "instructor": instructor,
                "booking": ClassSession.Booking.ACCEPTED,
                "hours": Decimal(hours),
                "category": category,
            },
        )
        return session

    def _past_class(self, bureau, chen, liu, officers) -> OfflineClass:
        day = timezone.localdate() - timedelta(days=10)
        klass, _ = OfflineClass.objects.get_or_create(
            title=PAST,
            defaults={"organiser": bureau, "starts_on": day, "ends_on": day + timedelta(days=1), "capacity": 40},
        )
        first = self._session(klass, "新《行政处罚法》重点条款解读", _at(day, 9), "3", chen)
        second = self._session(klass, "市场监管案件证据收集与固定", _at(day + timedelta(days=1), 14), "3", liu, "skill")
        for index, officer in enumerate(officers):
            Enrolment.objects.get_or_create(offline_class=klass, officer=officer, defaults={"status": "enrolled"})
            for session, present in ((first, index != 7), (second, index % 4 != 3)):  # partial attendance
                if not present:
                    continue
                attendance, _ = Attendance.objects.get_or_create(
                    session=session,
                    officer=officer,
                    defaults={"checked_in_at": session.starts_at + timedelta(minutes=3)},
                )
                checkin.attendance_credit(attendance, session, None)
        attendees = [a.officer for a in first.attendances.select_related("officer").order_by("officer_id")]
        for officer, (content, usefulness, delivery, comment) in zip(attendees, RATINGS, strict=False):
            _, created = RatingReceipt.objects.get_or_create(session=first, officer=officer)
            if created:
                RatingResponse.objects.create(
                    session=first, content=content, usefulness=usefulness, delivery=delivery, comment=comment
                )
        return klass

    def _upcoming_class(self, bureau, chen, liu, zhangming) -> OfflineClass:
        day = timezone.localdate() + timedelta(days=7)
        klass, _ = OfflineClass.objects.get_or_create(
            title=UPCOMING,
            defaults={
                "organiser": bureau,
                "starts_on": day,
                "ends_on": day + timedelta(days=1),
                "capacity": 30,
                "mode": OfflineClass.Mode.OPEN,
                "summary": "面向一线执法人员：执法文书制作规范、证据规则与案卷评查要点。",
                "pre_course": Course.objects.filter(status="published").order_by("pk").first(),
                "post_exam": Exam.objects.filter(unit__path__startswith=bureau.path).order_by("pk").first(),
            },
        )
        self._session(klass, "行政处罚决定书的说理", _at(day, 9), "3", chen)
        self._session(klass, "案卷评查常见问题", _at(day, 14), "3", liu, "skill")
        if zhangming is not None:
            Enrolment.objects.get_or_create(offline_class=klass, officer=zhangming, defaults={"status": "enrolled"})
        return klass

    def _programme(self, bureau, past, zhangming) -> None:
        programme, created = Programme.objects.get_or_create(
            title=PROGRAMME,
            defaults={
                "organiser": bureau,
                "summary": "课前线上学习 → 线下集中培训 → 结业考试，全部完成后颁发结业证书。",
            },
        )
        if not created:
            return
        if zhangming is not None:
            audience = Audience.objects.create(name=f"项目：{PROGRAMME}"[:100])
            audience.include.set([zhangming])
            programme.audience = audience
            programme.save(update_fields=["audience"])
        parts = [
            ("course", "course", Course.objects.filter(status="published").order_by("pk").first()),
            ("class", "offline_class", past),
            ("exam", "exam", Exam.objects.filter(unit__path__startswith=bureau.path).order_by("pk").first()),
        ]
        position = 0
        for kind, field, target in parts:
            if target is not None:
                position += 1
                ProgrammePart.objects.create(programme=programme, position=position, kind=kind, **{field: target})
