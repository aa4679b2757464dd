"""Rotation (who is due and why, batches with capacity), reminders exactly once, and content review."""

import threading
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from zhifa.common.models import AuditEvent
from zhifa.notices.models import Notice
from zhifa.people.testing import make_officer
from zhifa.plans import reminders, rotation
from zhifa.plans.models import ContentReview, RotationRecord
from zhifa.plans.services import PlanError
from zhifa.plans.tests.factories import YEAR, hours_item, make_plan

pytestmark = pytest.mark.django_db


def test_the_due_list_puts_expiring_certificates_first_then_never_rotated_then_the_oldest(org, unit_admin):
    today = date(YEAR, 2, 1)
    expiring = make_officer(org.east_market, name="证将到期")
    expiring.certificate_expires = date(YEAR, 8, 1)
    expiring.save()
    make_officer(org.east_market, name="从未轮训")
    old = make_officer(org.east_market, name="上次很早")
    recent = make_officer(org.east_market, name="刚轮训过")
    RotationRecord.objects.create(officer=old, completed_on=date(YEAR - 4, 5, 1))
    RotationRecord.objects.create(officer=recent, completed_on=date(YEAR - 1, 5, 1))
    RotationRecord.objects.create(officer=unit_admin.officer, completed_on=date(YEAR - 1, 6, 1))
    rule = rotation.rule_save(by=unit_admin, unit=org.market, name="三年轮训", every_years=3, certificate_months=12)

    due = rotation.rotation_due(rule=rule, today=today)
    assert [d.officer.name for d in due] == ["证将到期", "从未轮训", "上次很早"]
    assert due[0].reason.startswith("执法证将于") and due[1].reason == "从未参加轮训" and "已满3年" in due[2].reason


def test_a_batch_over_capacity_is_refused_and_a_finished_batch_is_recorded(
    org, officer, outsider, unit_admin, sysadmin
):
    rule = rotation.rule_save(by=unit_admin, unit=org.market, name="三年轮训", every_years=3, certificate_months=12)
    own = make_plan(unit_admin, org.market, items=[hours_item("集中轮训课程")], publish=True).items.get()
    elsewhere = make_plan(sysadmin, org.west_county, items=[hours_item("西城区培训")], publish=True).items.get()
    with pytest.raises(PlanError, match="不属于"):
        rotation.rule_items_set(by=unit_admin, rule=rule, items=[own, elsewhere])
    rotation.rule_items_set(by=unit_admin, rule=rule, items=[own])
    assert list(rule.items.all()) == [own]
    batch = rotation.batch_create(
        by=unit_admin,
        rule=rule,
        name="第一期",
        year=YEAR,
        capacity=1,
        starts_on=date(YEAR, 3, 1),
        ends_on=date(YEAR, 3, 5),
    )
    with pytest.raises(PlanError, match="容量1人，已有0人，还能加1人，本次选了2人"):
        rotation.batch_enrol(by=unit_admin, batch=batch, officers=[officer, unit_admin.officer], reasons={})
    assert not batch.enrolments.exists()
    rotation.batch_enrol(by=unit_admin, batch=batch, officers=[officer], reasons={officer.pk: "从未参加轮训"})
    rotation.batch_finish(by=unit_admin, batch=batch, completed_on=date(YEAR, 3, 5))
    assert list(RotationRecord.objects.values_list("officer_id", "completed_on")) == [(officer.pk, date(YEAR, 3, 5))]


def test_each_reminder_goes_once_when_the_job_runs_twice(org, officer, unit_admin, time_machine):
    time_machine.move_to(date(YEAR, 3, 1))
    make_plan(unit_admin, org.market, items=[hours_item(deadline=date(YEAR, 3, 7))], publish=True)
    call_command("send_plan_reminders")
    call_command("send_plan_reminders")
    keys = sorted(Notice.objects.filter(user=officer.user).values_list("key", flat=True))
    assert [k.split(":")[-1] for k in keys] == ["due-7", "new"]
    time_machine.move_to(date(YEAR, 3, 8))
    call_command("send_plan_reminders")
    call_command("send_plan_reminders")
    assert Notice.objects.filter(user=officer.user, key__endswith=":overdue").count() == 1
    assert Notice.objects.filter(user=officer.user).count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_reminders_at_once_send_each_notice_once(org, officer, unit_admin, time_machine):
    time_machine.move_to(date(YEAR, 3, 1))
    make_plan(unit_admin, org.market, items=[hours_item(deadline=date(YEAR, 3, 7))], publish=True)
    for n in range(30):
        make_officer(org.east_market, name=f"并发{n}")
    from zhifa.plans import services

    services.plans_refresh_all(year=YEAR, today=date(YEAR, 3, 1))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            reminders.reminders_send(today=date(YEAR, 3, 1))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    officers = 32  # 张明, 王芳 and 30 more
    assert Notice.objects.filter(key__startswith="plans:").count() == officers * 2  # new + due-7, once each


def test_stale_content_is_reviewed_by_its_owner_and_the_outcome_is_audited(client, org, officer, unit_admin):
    from zhifa.courses.models import Course
    from zhifa.laws.models import Citation

    course = Course.objects.create(title="食品安全法解读", code="food-law", owner_unit=org.market)
    ct = ContentType.objects.get_for_model(Course)
    Citation.objects.create(
        content_type=ct,
        object_id=course.pk,
        article_key="食品安全法第三十四条",
        needs_review=True,
        review_note="- 旧：第三十四条……\n+ 新：第三十四条（修订）……",
    )
    client.force_login(unit_admin)
    page = client.get(reverse("plans:content")).content.decode()
    assert "食品安全法解读" in page and "食品安全法第三十四条" in page
    from zhifa.plans import queries
    from zhifa.plans.services import ItemIn

    make_plan(
        unit_admin,
        org.market,
        publish=True,
        items=[
            ItemIn(
                kind="course",
                title="食品安全法解读",
                window_start=date(YEAR, 1, 1),
                deadline=date(YEAR, 12, 31),
                course_id=course.pk,
            )
        ],
    )
    assert [m.revised for m in queries.my_plan(officer=officer, today=date(YEAR, 6, 1))] == [True]
    client.force_login(officer.user)
    assert "本内容涉及的法条已修订" in client.get(reverse("plans:my-plan")).content.decode()
    client.force_login(unit_admin)

    response = client.post(
        reverse("plans:content-review"),
        {"content_type": ct.pk, "object_id": course.pk, "outcome": "confirmed", "note": ""},
        follow=True,
    )
    assert "复核说明" in response.content.decode() and not ContentReview.objects.exists()
    client.post(
        reverse("plans:content-review"),
        {"content_type": ct.pk, "object_id": course.pk, "outcome": "confirmed", "note": "修订不涉及课程内容"},
    )
    assert ContentReview.objects.get().outcome == "confirmed"
    assert not Citation.objects.filter(needs_review=True).exists()
    assert AuditEvent.objects.filter(action="plans.content_confirmed", reason="修订不涉及课程内容").exists()
