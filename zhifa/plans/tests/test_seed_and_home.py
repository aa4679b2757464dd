"""The demo's plan (done, behind, due for rotation; once), and the officer's plan on the learner home."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhifa.notices.models import Notice
from zhifa.plans import rotation
from zhifa.plans.models import Assignment, RotationRule, TrainingPlan
from zhifa.plans.tests.factories import hours_item, make_plan

pytestmark = pytest.mark.django_db


def test_the_demo_city_gets_this_years_plan_with_officers_done_behind_and_due_for_rotation():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_records", stdout=StringIO())
    call_command("seed_plans", stdout=StringIO())
    counts = (Assignment.objects.count(), Notice.objects.filter(key__startswith="plans:").count())
    call_command("seed_plans", stdout=StringIO())
    assert (Assignment.objects.count(), Notice.objects.filter(key__startswith="plans:").count()) == counts

    year = timezone.localdate().year
    assert TrainingPlan.objects.filter(unit__code="JB-C", year=year, status="published").exists()
    assert TrainingPlan.objects.filter(unit__code="JB-C-SCJG", year=year, status="published").exists()
    statuses = set(Assignment.objects.values_list("status", flat=True))
    assert {"done", "exempted"} <= statuses and statuses & {"overdue", "in_progress", "not_started"}
    due = rotation.rotation_due(rule=RotationRule.objects.get(unit__code="JB-C"))
    assert due and all(d.reason for d in due)
    assert Notice.objects.filter(user__username="zhangming", key__startswith="plans:").exists()


def test_the_learner_home_shows_what_is_due_next_and_why(client, org, officer, unit_admin):
    year = timezone.localdate().year
    make_plan(unit_admin, org.market, year=year, items=[hours_item(reason="每年法律知识不少于10学时")], publish=True)
    client.force_login(officer.user)
    page = client.get("/").content.decode()
    assert "我的培训计划" in page and "法律知识学时" in page and "每年法律知识不少于10学时" in page
