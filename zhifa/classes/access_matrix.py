"""Who may open each classes URL (walked by zhifa/common/tests/test_access_matrix.py).

The world: a class of 江北市市场监督管理局 (wangfang manages it) with one session now, 张明 enrolled and checked in,
the instructor persona (an external instructor without a unit) booked for it, a programme for 张明 with his
certificate.
"""

from zhifa.common.access_matrix import Case, console, logged_in, only, public

_MANAGERS = {"unit_admin": 200, "sysadmin": 200}


def _world(w) -> dict:
    if "classes" not in w.extra:
        from datetime import timedelta

        from django.utils import timezone

        from zhifa.classes.models import (
            Attendance,
            ClassSession,
            Enrolment,
            Instructor,
            OfflineClass,
            Programme,
            ProgrammeCertificate,
            ProgrammePart,
        )
        from zhifa.people.models import Audience

        today, now = timezone.localdate(), timezone.now()
        klass = OfflineClass.objects.create(
            title="矩阵培训班", organiser=w.org.market, starts_on=today, ends_on=today, capacity=10
        )
        instructor = Instructor.objects.create(name="陈教授", user=w.instructor, organisation="江北大学法学院")
        session = ClassSession.objects.create(
            offline_class=klass,
            topic="行政处罚法",
            starts_at=now - timedelta(minutes=10),
            ends_at=now + timedelta(hours=2),
            venue="301",
            instructor=instructor,
            booking="requested",
        )
        enrolment = Enrolment.objects.create(offline_class=klass, officer=w.officer, status="enrolled")
        Attendance.objects.create(session=session, officer=w.officer, checked_in_at=now)
        audience = Audience.objects.create(name="矩阵")
        audience.include.set([w.officer])
        programme = Programme.objects.create(title="矩阵项目", organiser=w.org.market, audience=audience)
        part = ProgrammePart.objects.create(programme=programme, position=1, kind="class", offline_class=klass)
        certificate = ProgrammeCertificate.objects.create(
            code="ZPMATRIX2345", programme=programme, officer=w.officer, issued_at=now
        )
        w.extra["classes"] = {
            "class": klass,
            "session": session,
            "enrolment": enrolment,
            "instructor": instructor,
            "programme": programme,
            "part": part,
            "certificate": certificate,
        }
    return w.extra["classes"]


def _class(w):
    return {"class_id": _world(w)["class"].pk}


def _session(w):
    return {"session_id": _world(w)["session"].pk}


def _instructor(w):
    return {"instructor_id": _world(w)["instructor"].pk}


def _programme(w):
    return {"programme_id": _world(w)["programme"].pk}


def _code(w):
    return {"code": _world(w)["certificate"].code}


_CLASS_READERS = {"officer": 200, "unit_admin": 200, "auditor": 200, "sysadmin": 200}
_CERT_READERS = {"officer": 200, "unit_admin": 200, "auditor": 200, "sysadmin": 200}
_INSTRUCTOR_READERS = {"instructor": 200, "unit_admin": 200, "auditor": 200, "sysadmin": 200}

CASES = {
    "classes:my-classes": logged_in(),
    "classes:class-detail": only(_CLASS_READERS, kwargs=_class),
    "classes:class-enrol": logged_in(405, kwargs=_class),  # POST only
    "classes:class-withdraw": logged_in(405, kwargs=_class),
    # A forged token: refused (403) for everyone logged in; test_checkin covers the accepted scans.
    "classes:checkin": logged_in(
        403, kwargs=lambda w: {"session_id": _world(w)["session"].pk, "token": "1.1.in:forged"}
    ),
    "classes:session-rate": only({"officer": 200}, kwargs=_session),  # attendees only
    "classes:document": only({}, kwargs={"document_id": 999999}),  # test_pages covers who may download
    "classes:programme-detail": only({"officer": 200}, kwargs=_programme),
    "classes:certificate-pdf": only(_CERT_READERS, kwargs=_code),
    "classes:certificate-verify": public(200, kwargs=_code),
    "classes:teaching": only({"instructor": 200}, kwargs=lambda w: _world(w) and {}),
    "classes:booking-answer": logged_in(405, kwargs=_session),
    "classes:manage-list": console(),
    "classes:class-create": only(_MANAGERS),
    "classes:class-manage": console(kwargs=_class),
    "classes:class-edit": only(_MANAGERS, kwargs=_class),
    "classes:class-cancel": console(405, kwargs=_class),
    "classes:document-add": console(405, kwargs=_class),
    "classes:session-create": only(_MANAGERS, kwargs=_class),
    "classes:enrolment-add": console(405, kwargs=_class),
    "classes:enrolment-audience": console(405, kwargs=_class),
    "classes:class-report": console(kwargs=_class),
    "classes:attendance-export": console(kwargs=_class),
    "classes:enrolment-action": console(405, kwargs=lambda w: {"enrolment_id": _world(w)["enrolment"].pk}),
    "classes:session-edit": only(_MANAGERS, kwargs=_session),
    "classes:session-screen": only(_MANAGERS, kwargs=_session),
    "classes:session-screen-live": only(_MANAGERS, kwargs=_session),
    "classes:roll-call": console(kwargs=_session),
    "classes:signin-pdf": console(kwargs=_session),
    "classes:signin-xlsx": console(kwargs=_session),
    "classes:instructor-list": console(),
    "classes:instructor-create": only(_MANAGERS),
    "classes:instructor-detail": only(_INSTRUCTOR_READERS, kwargs=_instructor),
    "classes:instructor-photo": only({}, anonymous=404, kwargs=_instructor),  # no photo in the matrix world
    "classes:instructor-edit": only(_MANAGERS, kwargs=_instructor),
    "classes:instructor-phone": only({"unit_admin": 405, "sysadmin": 405}, kwargs=_instructor),  # POST only
    "classes:instructor-record": only(_INSTRUCTOR_READERS, kwargs=_instructor),
    "classes:programme-manage-list": console(),
    "classes:programme-create": only(_MANAGERS),
    "classes:programme-manage": console(kwargs=_programme),
    "classes:part-remove": console(405, kwargs=lambda w: {"part_id": _world(w)["part"].pk}),
    "classes:part-move": console(405, kwargs=lambda w: {"part_id": _world(w)["part"].pk}),  # POST only
}

__all__ = ["CASES", "Case"]
