"""Officer summaries and the compliance report: figures per subtree, drill-down, access."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from zhifa.people.models import Officer
from zhifa.people.testing import make_officer
from zhifa.records import queries, services
from zhifa.records.tests.factories import credit

TODAY = date(2026, 7, 2)  # 50.1 % of the year has passed


@pytest.fixture
def people(org, officer, outsider, unit_admin):
    """张明 done, 钱进 on track, 王芳 (the administrator) behind, 赵安 on track thanks to his unit's lower
    requirement, 李强 (西城区) behind, 孙退 retired (not counted)."""
    qian = make_officer(org.east_market, name="钱进")
    zhao = make_officer(org.justice, name="赵安")
    retired = make_officer(org.justice, name="孙退")
    retired.employment = Officer.Employment.RETIRED
    retired.save(update_fields=["employment"])
    credit(officer, legal=30, skill=20, ethics=10)
    credit(qian, legal=16, skill=11, ethics=6)
    credit(unit_admin.officer, legal=40)
    credit(zhao, legal=6, skill=11, ethics=6)
    credit(outsider, legal=1, year=2025)  # last year's hours do not count in 2026
    return {"qian": qian, "zhao": zhao}


@pytest.fixture
def lower_justice_requirement(org, sysadmin):
    services.hours_requirement_set(by=sysadmin, year=2026, category="legal", hours="10", unit=org.justice)


def figures(report):
    return {
        (r.unit.name, r.own_only): (r.figures.officers, r.figures.done, r.figures.on_track, r.figures.behind)
        for r in report.rows
    }


def test_the_city_report_counts_each_subtree(org, people, sysadmin, lower_justice_requirement):
    report = queries.compliance_report(user=sysadmin, unit_id=org.city.pk, year=2026, today=TODAY)
    assert figures(report) == {
        ("江北市", True): (0, 0, 0, 0),
        ("江北市司法局", False): (1, 0, 1, 0),
        ("江北市市场监督管理局", False): (3, 1, 1, 1),
        ("东城区", False): (0, 0, 0, 0),
        ("西城区", False): (1, 0, 0, 1),
    }
    assert report.total.officers == 5 and report.total.hours == Decimal("156")
    market = next(r for r in report.rows if r.unit == org.market)
    assert market.figures.share_done == 33.3


def test_without_the_lower_requirement_the_justice_officer_is_behind(org, people, sysadmin):
    report = queries.compliance_report(user=sysadmin, unit_id=org.justice.pk, year=2026, today=TODAY)
    assert figures(report) == {("江北市司法局", True): (1, 0, 0, 1)}


def test_a_unit_admin_opens_his_own_subtree_by_default(org, people, unit_admin):
    report = queries.compliance_report(user=unit_admin, unit_id=None, year=2026, today=TODAY)
    assert report.unit == org.market
    assert figures(report) == {
        ("江北市市场监督管理局", True): (1, 0, 0, 1),
        ("东城区市场监督管理局", False): (2, 1, 1, 0),
    }


@pytest.mark.parametrize("persona", ["officer", "instructor", "evaluator"])
def test_the_report_is_for_console_users_only(request, org, people, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(Http404):
        queries.compliance_report(user=getattr(user, "user", user), unit_id=None, year=2026, today=TODAY)


def test_a_unit_admin_cannot_open_another_subtree(org, people, unit_admin):
    for unit in (org.city, org.west_transport):
        with pytest.raises(Http404):
            queries.compliance_report(user=unit_admin, unit_id=unit.pk, year=2026, today=TODAY)
        with pytest.raises(Http404):
            queries.compliance_officers(user=unit_admin, unit_id=unit.pk, year=2026, today=TODAY, status=None)


def test_drill_down_lists_officers_behind_first_and_filters(org, people, unit_admin, officer):
    unit, count, rows = queries.compliance_officers(
        user=unit_admin, unit_id=org.market.pk, year=2026, today=TODAY, status=None
    )
    assert unit == org.market and count == 3
    assert [(r.name, r.status) for r in rows] == [("王芳", "behind"), ("钱进", "on_track"), ("张明", "done")]
    assert rows[2].earned == {"legal": Decimal("30"), "skill": Decimal("20"), "ethics": Decimal("10")}
    assert rows[2].total_required == Decimal("60")
    _, count, rows = queries.compliance_officers(
        user=unit_admin, unit_id=org.market.pk, year=2026, today=TODAY, status="done"
    )
    assert count == 1 and rows[0].officer_id == officer.pk


def test_drill_down_pages(org, people, unit_admin):
    _, count, rows = queries.compliance_officers(
        user=unit_admin, unit_id=org.market.pk, year=2026, today=TODAY, status=None, page=2, page_size=2
    )
    assert count == 3 and [r.name for r in rows] == ["张明"]


def test_the_officer_summary_shows_pending_hours_apart(officer, time_machine):
    time_machine.move_to(datetime(2026, 7, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    credit(officer, legal=12, ethics=10)
    from zhifa.records.tests.conftest import pdf_upload

    services.hours_entry_submit(
        officer=officer,
        by=officer.user,
        category="skill",
        hours="4",
        occurred_on=date(2026, 6, 1),
        title="外部培训",
        evidence="",
        evidence_file=pdf_upload(),
    )
    summary = queries.hours_summary_for(officer, 2026, today=TODAY)
    lines = {x.category: (x.earned, x.required, x.pending, x.percent) for x in summary.lines}
    assert lines == {
        "legal": (Decimal("12"), Decimal("30"), Decimal("0"), 40),
        "skill": (Decimal("0"), Decimal("20"), Decimal("4"), 0),
        "ethics": (Decimal("10"), Decimal("10"), Decimal("0"), 100),
    }
    assert summary.earned == Decimal("22") and summary.required == Decimal("60") and summary.status == "behind"
    ring = summary.ring()
    assert [seg.title for seg in ring][:2] == ["法律知识 已认定 12 学时", "法律知识 未完成 18 学时"]
    assert "职业道德 未完成" not in " ".join(seg.title for seg in ring)  # nothing missing, no segment


def test_the_summary_takes_four_queries(officer, django_assert_num_queries):
    credit(officer, legal=2)
    officer = Officer.objects.get(pk=officer.pk)
    with django_assert_num_queries(4):
        queries.hours_summary_for(officer, 2026, today=TODAY)


def test_the_review_queue_holds_only_the_subtree_and_never_ones_own(org, officer, outsider, unit_admin):
    from zhifa.records.tests.conftest import pdf_upload

    for person in (officer, outsider, unit_admin.officer):
        services.hours_entry_submit(
            officer=person,
            by=person.user,
            category="legal",
            hours="2",
            occurred_on=TODAY,
            title="外部培训",
            evidence="",
            evidence_file=pdf_upload(),
        )
    assert [e.officer for e in queries.pending_entries_for(unit_admin)] == [officer]
