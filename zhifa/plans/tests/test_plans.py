"""Stories of a training office's year: a plan reaches exactly its audience, inheritance, refusals, status."""

import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from zhifa.common.models import AuditEvent
from zhifa.people.services import audience_save
from zhifa.people.testing import make_officer
from zhifa.plans import queries, services
from zhifa.plans.models import Assignment, PlanItem, TrainingPlan
from zhifa.plans.services import ItemIn, PlanError
from zhifa.plans.tests.factories import YEAR, hours_item, make_plan
from zhifa.records.services import hours_credit

pytestmark = pytest.mark.django_db


def _assigned(plan: TrainingPlan) -> set[int]:
    return set(Assignment.objects.filter(item__plan=plan).values_list("officer_id", flat=True))


def test_a_plan_reaches_exactly_its_audience_including_officers_created_and_moved_afterwards(
    org, officer, outsider, unit_admin, sysadmin
):
    audience = audience_save(by=sysadmin, units=[org.market])
    plan = make_plan(sysadmin, org.city, audience=audience, publish=True)
    wangfang = unit_admin.officer
    assert _assigned(plan) == {officer.pk, wangfang.pk}  # 李强 of 西城区交通运输局 is not in the market subtree

    newcomer = make_officer(org.east_market, name="新同事")
    officer.unit = org.west_transport
    officer.save()
    services.plans_refresh_all(year=YEAR, today=date(YEAR, 3, 1))

    assert _assigned(plan) == {newcomer.pk, wangfang.pk}
    assert [m.item.title for m in queries.my_plan(officer=newcomer, today=date(YEAR, 3, 1))] == ["法律知识学时"]
    assert queries.my_plan(officer=officer, today=date(YEAR, 3, 1)) == []


def test_a_lower_unit_adds_items_but_cannot_remove_an_inherited_one(client, org, officer, unit_admin, sysadmin):
    city_plan = make_plan(sysadmin, org.city, items=[hours_item("全市法治培训")], publish=True)
    inherited = city_plan.items.get()
    own = make_plan(unit_admin, org.market, items=[hours_item("市场监管业务", target="6")])
    assert [i.title for i in services.inherited_items(own)] == ["全市法治培训"]

    with pytest.raises(PlanError, match="上级单位"):
        services.item_remove(by=unit_admin, plan=own, item=inherited)
    with pytest.raises(PlanError, match="不是“江北市”的管理员"):
        services.item_remove(by=unit_admin, plan=city_plan, item=inherited)

    client.force_login(unit_admin)
    response = client.post(reverse("plans:item-remove", args=[own.pk, inherited.pk]), follow=True)
    assert "下级单位只能增加事项，不能删除上级的事项" in response.content.decode()
    assert PlanItem.objects.filter(pk=inherited.pk).exists()
    titles = [m.item.title for m in queries.my_plan(officer=officer, today=date(YEAR, 2, 1))]
    assert titles == ["全市法治培训"]  # the market plan is still a draft
    services.plan_publish(by=unit_admin, plan=own)
    titles = sorted(m.item.title for m in queries.my_plan(officer=officer, today=date(YEAR, 2, 1)))
    assert titles == ["全市法治培训", "市场监管业务"]


def test_an_item_whose_deadline_lies_outside_the_plan_year_is_refused_through_the_page(
    client, org, officer, unit_admin
):
    plan = make_plan(unit_admin, org.market, items=[])
    client.force_login(unit_admin)
    data = {
        "kind": "hours_target",
        "title": "法律知识学时",
        "category": "legal",
        "target": "10",
        "window_start": f"{YEAR}-01-01",
        "deadline": f"{YEAR + 1}-01-31",
        "required": "on",
    }
    response = client.post(reverse("plans:item-add", args=[plan.pk]), data)
    assert response.status_code == 400
    assert f"截止日期“{YEAR + 1}-01-31”不在计划年度{YEAR}年内" in response.content.decode()
    assert not plan.items.exists()

    response = client.post(reverse("plans:item-add", args=[plan.pk]), {**data, "deadline": f"{YEAR}-06-30"})
    assert response.status_code == 302 and plan.items.get().audience is None
    limited = {
        **data,
        "deadline": f"{YEAR}-06-30",
        "title": "东城区专项",
        "limit_audience": "on",
        "audience-units": [org.east_market.pk],
    }
    response = client.post(reverse("plans:item-add", args=[plan.pk]), limited)
    assert response.status_code == 302
    assert list(plan.items.get(title="东城区专项").audience.units.all()) == [org.east_market]


def test_an_audience_that_selects_nobody_in_the_plan_subtree_is_refused(org, officer, outsider, unit_admin, sysadmin):
    plan = make_plan(unit_admin, org.market, items=[])
    elsewhere = audience_save(by=sysadmin, units=[org.west_transport])  # only 李强, outside the market subtree
    with pytest.raises(PlanError, match="没有选中任何人员") as exc:
        services.item_add(by=unit_admin, plan=plan, data=hours_item(), audience=elsewhere)
    assert exc.value.field == "audience"
    assert not plan.items.exists()


def test_a_published_plan_cannot_be_deleted_but_is_withdrawn_with_an_audit_event(org, officer, unit_admin):
    plan = make_plan(unit_admin, org.market, publish=True)
    with pytest.raises(PlanError, match="不能删除"):
        services.plan_delete(by=unit_admin, plan=plan)
    with pytest.raises(PlanError, match="撤回原因"):
        services.plan_withdraw(by=unit_admin, plan=plan, reason=" ")
    services.plan_withdraw(by=unit_admin, plan=plan, reason="计划调整")
    assert TrainingPlan.objects.get(pk=plan.pk).status == "withdrawn"
    assert AuditEvent.objects.filter(action="plans.plan_withdraw", object_id=str(plan.pk), reason="计划调整").exists()
    assert queries.my_plan(officer=officer, today=date(YEAR, 2, 1)) == []


def test_status_comes_from_the_ledgers_and_an_exemption_needs_a_reason(org, officer, unit_admin):
    plan = make_plan(
        unit_admin,
        org.market,
        items=[hours_item(target="10", deadline=date(YEAR, 6, 30))],
        publish=True,
    )
    item = plan.items.get()
    hours_credit(
        officer=officer, category="legal", hours=Decimal("4"), source="课程", evidence="", dedupe_key="t:1", year=YEAR
    )
    services.assignments_refresh(plan=plan, today=date(YEAR, 4, 1))
    mine = Assignment.objects.get(item=item, officer=officer)
    wangfang = Assignment.objects.get(item=item, officer=unit_admin.officer)
    assert (mine.status, mine.progress, wangfang.status) == ("in_progress", Decimal("4.00"), "not_started")

    services.assignments_refresh(plan=plan, today=date(YEAR, 7, 1))
    assert Assignment.objects.get(pk=wangfang.pk).status == "overdue"
    hours_credit(
        officer=officer, category="legal", hours=Decimal("6"), source="课程", evidence="", dedupe_key="t:2", year=YEAR
    )
    services.assignments_refresh(plan=plan, today=date(YEAR, 7, 2))
    assert Assignment.objects.get(pk=mine.pk).status == "done"

    with pytest.raises(PlanError, match="免修理由"):
        services.assignment_exempt(by=unit_admin, assignment=wangfang, reason="")
    services.assignment_exempt(by=unit_admin, assignment=wangfang, reason="病假，已参加省厅同类培训")
    services.assignments_refresh(plan=plan, today=date(YEAR, 7, 2))
    assert Assignment.objects.get(pk=wangfang.pk).status == "exempted"
    assert AuditEvent.objects.filter(action="plans.assignment_exempt", reason="病假，已参加省厅同类培训").exists()


def test_a_course_item_is_done_when_the_course_is_completed(org, officer, unit_admin):
    from django.utils import timezone

    from zhifa.courses.models import Certificate, Course

    course = Course.objects.create(title="行政处罚法精讲", code="c-plan-1")
    plan = make_plan(
        unit_admin,
        org.market,
        publish=True,
        items=[
            ItemIn(
                kind="course",
                title="行政处罚法精讲",
                window_start=date(YEAR, 1, 1),
                deadline=date(YEAR, 5, 31),
                course_id=course.pk,
                reason="新修订的行政处罚法",
            )
        ],
    )
    Certificate.objects.create(code="T-PLAN-1", officer=officer, course=course, issued_at=timezone.now())
    mine = queries.my_plan(officer=officer, today=date(YEAR, 5, 1))
    assert [(m.status, m.why) for m in mine] == [("done", "新修订的行政处罚法")]
    services.assignments_refresh(plan=plan, today=date(YEAR, 5, 1))
    assert Assignment.objects.get(officer=officer).status == "done"


def test_copying_last_years_plan_moves_its_dates_into_the_new_year(org, officer, unit_admin, sysadmin):
    audience = audience_save(by=sysadmin, units=[org.east_market])
    last = make_plan(
        unit_admin,
        org.market,
        year=YEAR - 1,
        audience=audience,
        items=[
            ItemIn(
                kind="practice_target",
                title="每日一练",
                window_start=date(YEAR - 1, 2, 1),
                deadline=date(YEAR - 1, 11, 30),
                target=Decimal("30"),
            )
        ],
    )
    copy = services.plan_copy(by=unit_admin, source=last, year=YEAR)
    item = copy.items.get()
    assert (copy.status, copy.copied_from_id, item.window_start, item.deadline) == (
        "draft",
        last.pk,
        date(YEAR, 2, 1),
        date(YEAR, 11, 30),
    )
    assert item.audience_id != last.items.get().audience_id
    assert list(item.audience.units.all()) == [org.east_market]


def test_progress_page_lists_who_is_behind_exports_and_reminds_them_in_one_click(client, org, officer, unit_admin):
    from zhifa.notices.models import Notice

    plan = make_plan(unit_admin, org.market, items=[hours_item(deadline=date(YEAR, 1, 31))], publish=True)
    client.force_login(unit_admin)
    url = reverse("plans:plan-progress", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "张明" in page and "王芳" in page
    export = client.get(reverse("plans:progress-export", args=[plan.pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client.post(reverse("plans:progress-remind", args=[plan.pk]), follow=True)
    assert "已向2人次发送催办提醒" in response.content.decode()
    client.post(reverse("plans:progress-remind", args=[plan.pk]))
    assert Notice.objects.filter(user=officer.user, key__contains=":remind:").count() == 1


def test_the_year_end_summary_is_a_pdf_with_the_units_figures(client, org, officer, unit_admin):
    make_plan(unit_admin, org.market, publish=True)
    client.force_login(unit_admin)
    response = client.get(reverse("plans:summary-pdf"), {"unit": org.market.pk, "year": YEAR})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):  # poppler-utils (CI installs it): the Chinese text is really in the PDF
        text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
        assert "江北市市场监督管理局2026年度执法人员培训工作汇总" in text.decode()
        assert "法律知识学时" in text.decode()


def test_a_big_plan_is_published_at_once_and_its_assignments_made_in_the_background(
    org, officer, unit_admin, monkeypatch, django_capture_on_commit_callbacks
):
    from zhifa.notices.models import Notice

    monkeypatch.setattr(services, "INLINE_PUBLISH_LIMIT", 1)
    plan = make_plan(unit_admin, org.market)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.plan_publish(by=unit_admin, plan=plan) is None
    assert _assigned(plan) == {officer.pk, unit_admin.officer.pk}
    assert Notice.objects.filter(user=officer.user, key__endswith=":new").exists()
