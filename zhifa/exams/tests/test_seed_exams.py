"""manage.py seed_exams over the sample bank: open exams the officer can start; a second run changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from zhifa.exams.management.commands import seed_exams
from zhifa.exams.models import Blueprint, Exam, ExamPaper

API = "/api/v1/exams"


@pytest.fixture
def seeded(org, officer, unit_admin, sysadmin):
    call_command("seed_questions", stdout=StringIO())
    out = StringIO()
    call_command("seed_exams", stdout=out)
    return out.getvalue()


def test_the_seed_publishes_two_open_exams_for_the_city(org, seeded):
    annual = Exam.objects.get(title="2026年度行政执法人员法律知识考试")
    qualification = Exam.objects.get(title="执法资格考试（通用法律知识）")
    assert "新建考试“2026年度行政执法人员法律知识考试”" in seeded
    assert annual.status == Exam.Status.PUBLISHED and annual.duration_minutes == 30
    assert (annual.closes_at - annual.opens_at).days == 7
    assert annual.papers.count() == 2 and not annual.is_qualification
    assert qualification.is_qualification and qualification.papers.count() == 1
    assert list(annual.audience.units.all()) == [org.city]
    assert annual.papers.first().total_points == 100


def test_the_officer_starts_the_annual_exam_through_the_api(client, officer, seeded):
    exam = Exam.objects.get(title="2026年度行政执法人员法律知识考试")
    client.force_login(officer.user)
    started = client.post(f"{API}/exams/{exam.pk}/start")
    assert started.status_code == 200, started.content
    paper = client.get(f"{API}/attempts/{started.json()['attempt_id']}/paper").json()
    assert len(paper["questions"]) == 28
    assert {q["kind"] for q in paper["questions"]} == {"single", "multiple", "judge", "blank", "short"}


def test_a_second_run_creates_nothing(seeded):
    counts = (Blueprint.objects.count(), Exam.objects.count(), ExamPaper.objects.count())
    out = StringIO()
    call_command("seed_exams", stdout=out)
    assert (Blueprint.objects.count(), Exam.objects.count(), ExamPaper.objects.count()) == counts
    assert "已存在，未改动" in out.getvalue()


def test_a_bank_too_small_for_the_blueprint_fails_and_leaves_nothing(org, sysadmin, monkeypatch):
    call_command("seed_questions", stdout=StringIO())
    monkeypatch.setattr(seed_exams, "SECTIONS", [{"kind": "single", "count": 400, "points": "1"}])
    out = StringIO()
    with pytest.raises(CommandError, match=r"组卷失败：.*单选题"):
        call_command("seed_exams", stdout=out)
    assert not Exam.objects.exists() and not Blueprint.objects.exists()
    assert "新建" not in out.getvalue()  # nothing is announced that the rollback undid
