"""seed_evaluation gives the demo city a period, case-file reviews, zhaoping's assignment and a draft tier list, once;
wangfang and zhaoping see them through their pages."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from zhifa.evaluation.models import Assessment, CaseFile, Period, ThirdPartyAssignment
from zhifa.people.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_assessment_is_seeded_once_and_visible_to_wangfang_and_zhaoping(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_records", stdout=StringIO())
    call_command("seed_evaluation", stdout=StringIO())
    counts = (Period.objects.count(), CaseFile.objects.count(), Assessment.objects.count())
    out = StringIO()
    call_command("seed_evaluation", stdout=out)
    assert (Period.objects.count(), CaseFile.objects.count(), Assessment.objects.count()) == counts
    assert "江北市年度考核草稿" in out.getvalue()

    draft = Assessment.objects.get(unit__code="JB-C")
    assert draft.status == Assessment.Status.DRAFT and draft.results.count() > 20
    assert CaseFile.objects.filter(status=CaseFile.Status.RECONCILE).exists()  # one waits for reconciliation
    assert CaseFile.objects.filter(failed=True).exists()  # the vetoed one
    hours = draft.period.indicators.get(code="hours")
    zhangming = draft.results.get(officer__user__username="zhangming")
    assert zhangming.detail["leaves"][str(hours.pk)][3] == "45 / 60 学时"  # from the demo's own records

    wangfang, zhaoping = Client(), Client()
    wangfang.force_login(User.objects.get(username="wangfang"))
    page = wangfang.get(reverse("evaluation:assessment-detail", args=[draft.pk])).content.decode()
    assert "张明" in page and "王芳" in page
    zhaoping.force_login(User.objects.get(username="zhaoping"))
    assignment = ThirdPartyAssignment.objects.get(evaluator__username="zhaoping")
    page = zhaoping.get(reverse("evaluation:evaluator-assignment", args=[assignment.pk])).content.decode()
    assert "东城区市场监督管理局" in page and "江北市交通运输局" not in page
