"""Small builders for class tests: a class with sessions around now, enrolments, attendance."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from zhifa.classes.models import Attendance, ClassSession, Enrolment, Instructor, OfflineClass
from zhifa.people.models import Officer, Unit


def make_class(
    organiser: Unit, *, title: str = "行政执法规范化培训班", capacity: int = 30, mode: str = "assigned", **kw
) -> OfflineClass:
    today = timezone.localdate()
    return OfflineClass.objects.create(
        title=title,
        organiser=organiser,
        starts_on=kw.pop("starts_on", today),
        ends_on=kw.pop("ends_on", today + timedelta(days=1)),
        capacity=capacity,
        mode=mode,
        **kw,
    )


def make_session(
    offline_class: OfflineClass,
    *,
    topic: str = "行政处罚法要点",
    start_in_minutes: int = -10,
    minutes: int = 120,
    hours: str = "2",
    **kw,
) -> ClassSession:
    starts = timezone.now() + timedelta(minutes=start_in_minutes)
    return ClassSession.objects.create(
        offline_class=offline_class,
        topic=topic,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=minutes),
        venue="江北市行政执法培训中心 301",
        hours=Decimal(hours),
        **kw,
    )


def enrol(offline_class: OfflineClass, *officers: Officer, status: str = "enrolled", group: str = "") -> None:
    for officer in officers:
        Enrolment.objects.create(offline_class=offline_class, officer=officer, status=status, group=group)


def attend(session: ClassSession, officer: Officer, *, out: bool = False) -> Attendance:
    now = timezone.now()
    return Attendance.objects.create(
        session=session, officer=officer, checked_in_at=now, checked_out_at=now if out else None
    )


def make_instructor(name: str = "陈红", *, user=None, kind: str = "external", **kw) -> Instructor:
    return Instructor.objects.create(
        name=name, user=user, kind=kind, organisation=kw.pop("organisation", "江北大学法学院"), **kw
    )


def passed_exam(officer: Officer, exam) -> None:
    """A final, passing grade of the officer in the exam (what the exams app leaves after grading)."""
    from zhifa.exams.models import Attempt, ExamPaper, Grade

    paper = ExamPaper.objects.get_or_create(
        exam=exam, form=1, officer=None, defaults={"seed": 1, "rows": [], "total_points": Decimal(100)}
    )[0]
    now = timezone.now()
    attempt = Attempt.objects.create(
        exam=exam, officer=officer, paper=paper, status="graded", started_at=now, deadline=now, device_token="t"
    )
    Grade.objects.create(
        attempt=attempt, auto_score=88, total=88, max_score=100, passed=True, status="final", graded_at=now
    )


def make_exam(unit: Unit, title: str = "结业考试"):
    from zhifa.exams.models import Exam

    now = timezone.now()
    return Exam.objects.create(
        title=title, unit=unit, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1), status="published"
    )


def make_course(title: str = "行政处罚法精讲"):
    from zhifa.courses.models import Course

    return Course.objects.create(code=f"c{Course.objects.count() + 1}", title=title, status="published")
