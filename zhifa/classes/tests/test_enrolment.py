"""Enrolment stories: capacity, the waiting list that moves up by itself, apply and approve, cancellation notices,
instructor bookings and clashes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.classes import services
from zhifa.classes.models import ClassSession, Enrolment
from zhifa.classes.tests.factories import enrol, make_class, make_instructor, make_session
from zhifa.common.models import AuditEvent
from zhifa.notices.models import Notice
from zhifa.people.testing import make_officer


def test_an_administrator_cannot_enrol_past_capacity(client, org, unit_admin, officer):
    klass = make_class(org.market, capacity=1)
    other = make_officer(org.east_market)
    enrol(klass, other)
    client.force_login(unit_admin)
    response = client.post(
        reverse("classes:enrolment-add", args=[klass.pk]),
        {"certificate_number": officer.certificate_number},
        follow=True,
    )
    assert "培训班已满（容量 1 人）" in response.content.decode()
    assert not Enrolment.objects.filter(officer=officer).exists()
    client.post(
        reverse("classes:enrolment-add", args=[klass.pk]),
        {"certificate_number": officer.certificate_number, "waiting": "1"},
    )
    assert Enrolment.objects.get(officer=officer).status == "waiting"


def test_the_waiting_list_moves_up_when_someone_withdraws(org, unit_admin, officer):
    klass = make_class(org.market, capacity=1, mode="open")
    first, second = make_officer(org.east_market), make_officer(org.east_market)
    assert services.enrolment_request(officer=first, offline_class=klass).status == "enrolled"
    assert services.enrolment_request(officer=officer, offline_class=klass).status == "waiting"
    assert services.enrolment_request(officer=second, offline_class=klass).status == "waiting"
    services.enrolment_withdraw(by=first.user, enrolment=Enrolment.objects.get(officer=first))
    assert Enrolment.objects.get(officer=officer).status == "enrolled"  # first come, first served
    assert Enrolment.objects.get(officer=second).status == "waiting"
    assert Notice.objects.filter(user=officer.user, title__contains="候补转正").exists()
    klass.refresh_from_db()
    services.class_save(
        by=unit_admin,
        offline_class=klass,
        title=klass.title,
        organiser=klass.organiser,
        starts_on=klass.starts_on,
        ends_on=klass.ends_on,
        capacity=2,
        mode=klass.mode,
    )
    assert Enrolment.objects.get(officer=second).status == "enrolled"  # a larger capacity moves it up too


def test_apply_mode_waits_for_approval(client, org, unit_admin, officer):
    klass = make_class(org.market, capacity=5, mode="apply")
    client.force_login(officer.user)
    client.post(reverse("classes:class-enrol", args=[klass.pk]))
    enrolment = Enrolment.objects.get(officer=officer)
    assert enrolment.status == "applied"
    client.force_login(unit_admin)
    client.post(reverse("classes:enrolment-action", args=[enrolment.pk]), {"action": "approve"})
    enrolment.refresh_from_db()
    assert enrolment.status == "enrolled"
    assert AuditEvent.objects.filter(action="classes.enrolment.decide").exists()
    assert Notice.objects.filter(user=officer.user, key=f"classes:enrolment:{enrolment.pk}:decided:enrolled").exists()


def test_an_officer_outside_the_audience_cannot_sign_up(org, outsider):
    klass = make_class(org.market, mode="open")
    with pytest.raises(services.ClassError, match="不在该培训班的培训对象范围内"):
        services.enrolment_request(officer=outsider, offline_class=klass)
    assert not Enrolment.objects.exists()


def test_an_assigned_class_enrols_its_audience_up_to_capacity(org, unit_admin, officer):
    klass = make_class(org.market, capacity=1)
    from zhifa.people.models import Audience

    klass.audience = Audience.objects.create(name="东城")
    klass.audience.units.set([org.east_market])
    klass.save()
    make_officer(org.east_market)
    assert services.enrolment_add_audience(by=unit_admin, offline_class=klass) == (1, 1)


def test_cancelling_tells_everyone_enrolled_or_waiting_once(client, org, unit_admin, officer):
    klass = make_class(org.market, capacity=1)
    waiting = make_officer(org.east_market)
    enrol(klass, officer)
    enrol(klass, waiting, status="waiting")
    client.force_login(unit_admin)
    url = reverse("classes:class-cancel", args=[klass.pk])
    assert "请" in client.post(url, {"reason": ""}, follow=True).content.decode()
    klass.refresh_from_db()
    assert klass.status == "published"
    client.post(url, {"reason": "场地维修"})
    client.post(url, {"reason": "场地维修"})
    klass.refresh_from_db()
    assert klass.status == "cancelled"
    notices = Notice.objects.filter(key=f"classes:class:{klass.pk}:cancelled")
    assert sorted(n.user_id for n in notices) == sorted([officer.user_id, waiting.user_id])
    assert "场地维修" in notices[0].body


def test_an_instructor_cannot_be_booked_twice_at_the_same_time(org, unit_admin, instructor):
    teacher = make_instructor(user=instructor)
    first, second = make_class(org.market), make_class(org.market, title="第二期")
    start = timezone.now() + timedelta(days=3)
    data = services.SessionIn(
        topic="行政处罚法", starts_at=start, ends_at=start + timedelta(hours=2), venue="301", instructor=teacher
    )
    session = services.session_save(by=unit_admin, offline_class=first, data=data)
    assert session.booking == "requested"
    assert Notice.objects.filter(user=instructor, title__contains="授课邀请").exists()
    clash = services.SessionIn(
        topic="证据规则",
        starts_at=start + timedelta(hours=1),
        ends_at=start + timedelta(hours=3),
        venue="302",
        instructor=teacher,
    )
    with pytest.raises(services.InstructorClash, match="时间冲突"):
        services.session_save(by=unit_admin, offline_class=second, data=clash)
    assert ClassSession.objects.count() == 1
    services.session_booking_answer(by=instructor, session=session, accept=False)
    services.session_save(by=unit_admin, offline_class=second, data=clash)  # a declined booking frees the time
    assert ClassSession.objects.count() == 2


def test_the_instructor_accepts_on_his_own_page(client, org, instructor):
    teacher = make_instructor(user=instructor)
    session = make_session(make_class(org.market), instructor=teacher, booking="requested")
    client.force_login(instructor)
    page = client.get(reverse("classes:teaching")).content.decode()
    assert "待确认的授课邀请" in page and session.topic in page
    client.post(reverse("classes:booking-answer", args=[session.pk]), {"answer": "accept"})
    session.refresh_from_db()
    assert session.booking == "accepted"


def test_an_external_instructor_sees_only_his_own_sessions(client, org, instructor):
    mine = make_session(make_class(org.market), instructor=make_instructor(user=instructor), topic="我的课")
    make_session(make_class(org.market, title="别人的班"), instructor=make_instructor("李老师"), topic="别人的课")
    client.force_login(instructor)
    page = client.get(reverse("classes:teaching")).content.decode()
    assert mine.topic in page and "别人的课" not in page
    assert client.get(reverse("classes:class-manage", args=[mine.offline_class_id])).status_code == 404
    assert client.get(reverse("classes:instructor-list")).status_code == 404


def test_a_bad_session_is_refused_with_a_message_naming_the_field(client, org, unit_admin):
    klass = make_class(org.market)
    client.force_login(unit_admin)
    response = client.post(
        reverse("classes:session-create", args=[klass.pk]),
        {
            "topic": "x",
            "starts_at": "2026-05-01T10:00",
            "ends_at": "2026-05-01T09:00",
            "hours": "2",
            "category": "legal",
        },
    )
    assert response.status_code == 400 and "结束时间须晚于开始时间" in response.content.decode()
    assert not ClassSession.objects.exists()


def test_the_instructor_phone_is_stored_encrypted_and_shown_masked(client, unit_admin):
    client.force_login(unit_admin)
    client.post(reverse("classes:instructor-create"), {"name": "周律师", "kind": "external", "phone": "13912345678"})
    from zhifa.classes.models import Instructor

    teacher = Instructor.objects.get(name="周律师")
    assert "13912345678" not in teacher.phone_encrypted and teacher.phone_masked == "139****5678"
    assert teacher.phone_plain() == "13912345678"
    assert "139****5678" in client.get(reverse("classes:instructor-list")).content.decode()


def test_an_administrator_creates_a_class_for_an_audience_and_bad_dates_are_refused(client, org, unit_admin, officer):
    client.force_login(unit_admin)
    url = reverse("classes:class-create")
    assert client.get(url).status_code == 200
    day = timezone.localdate() + timedelta(days=10)
    form = {
        "title": "食品安全执法培训班",
        "organiser": org.market.pk,
        "starts_on": day.isoformat(),
        "ends_on": (day - timedelta(days=1)).isoformat(),
        "capacity": 30,
        "mode": "open",
        "audience-units": [org.east_market.pk],
    }
    bad = client.post(url, form)
    assert bad.status_code == 400 and "结业日期不能早于开班日期" in bad.content.decode()
    from zhifa.classes.models import OfflineClass

    assert not OfflineClass.objects.exists()
    client.post(url, {**form, "ends_on": (day + timedelta(days=1)).isoformat()})
    klass = OfflineClass.objects.get()
    assert [u.pk for u in klass.audience.units.all()] == [org.east_market.pk]
    client.force_login(officer.user)
    assert klass.title in client.get(reverse("classes:my-classes")).content.decode()


def test_the_instructor_reads_his_own_record_without_the_console_menu(client, instructor):
    teacher = make_instructor(user=instructor)
    client.force_login(instructor)
    page = client.get(reverse("classes:instructor-detail", args=[teacher.pk])).content.decode()
    assert teacher.name in page and "sidenav" not in page


def test_an_instructor_photo_is_shown_to_the_console(client, unit_admin, outsider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhifa.classes.models import Instructor

    client.force_login(unit_admin)
    photo = SimpleUploadedFile("chen.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    client.post(reverse("classes:instructor-create"), {"name": "陈红", "kind": "external", "photo": photo})
    teacher = Instructor.objects.get(name="陈红")
    assert "instructor-photo" in client.get(reverse("classes:instructor-detail", args=[teacher.pk])).content.decode()
    assert client.get(reverse("classes:instructor-photo", args=[teacher.pk])).status_code == 200
    client.force_login(outsider.user)
    assert client.get(reverse("classes:instructor-photo", args=[teacher.pk])).status_code == 404
