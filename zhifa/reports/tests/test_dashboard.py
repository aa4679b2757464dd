"""The unit dashboard as a training administrator uses it: every figure equals the list of officers behind it."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from zhifa.people.testing import make_officer
from zhifa.practice.models import Mastery
from zhifa.questions.models import KnowledgePoint
from zhifa.records import services as records_services
from zhifa.reports import queries, services
from zhifa.reports.models import Recommendation

YEAR = timezone.localdate().year


@pytest.fixture
def market_staff(org, officer, unit_admin):
    """The city market bureau's subtree: 张明 and six colleagues in 东城区, some with hours, some weak on a point."""
    staff = [officer] + [make_officer(org.east_market, name=f"同事{i}") for i in range(6)]
    for i, o in enumerate(staff[:4]):
        for category in ("legal", "skill", "ethics"):
            records_services.hours_credit(
                officer=o,
                category=category,
                hours=Decimal("40"),
                source="测试培训",
                evidence="",
                dedupe_key=f"t:{i}:{category}",
            )
    point = KnowledgePoint.objects.create(code="hearing", name="听证程序", path="")
    for i, o in enumerate(staff):
        Mastery.objects.create(
            officer=o, knowledge_point=point, recall=0.3 if i % 2 == 0 else 0.9, cards=5, computed_at=timezone.now()
        )
    services.rollups_compute(year=YEAR)
    return staff, point


def test_every_figure_equals_the_count_of_its_drilldown(client, org, unit_admin, market_staff):
    client.force_login(unit_admin)
    page = client.get(f"/reports/?unit={org.market.pk}")
    assert page.status_code == 200
    board = page.context["board"]
    assert board.total.n == 8  # seven in 东城区 and 王芳 herself at the bureau
    for figure in queries.FIGURES:
        for group in [board.total, *board.groups]:
            own = "&own=1" if group.own_only else ""
            listed = client.get(f"/reports/officers/?unit={group.unit.pk}&figure={figure.key}{own}")
            assert listed.context["page"].paginator.count == group.counts[figure.key], (figure.key, group.unit.name)
    assert board.total.counts["hours_met"] == 4


def test_the_heatmap_cell_lists_the_weak_officers_and_exports_them(client, org, unit_admin, market_staff):
    _, point = market_staff
    client.force_login(unit_admin)
    board = client.get(f"/reports/?unit={org.market.pk}").context
    (group, cells), *_ = [(g, row) for g, row in board["heat_rows"] if not g.own_only]
    assert (cells[0].weak, cells[0].officers) == (4, 7)
    cell = client.get(f"/reports/weak/?unit={group.unit.pk}&kp={point.pk}")
    assert len(cell.context["masteries"]) == 4
    export = client.get(f"/reports/weak/?unit={group.unit.pk}&kp={point.pk}&format=xlsx")
    sheet = load_workbook(filename=__import__("io").BytesIO(export.content)).active
    assert sheet.max_row == 2 + 4


def test_an_administrator_sees_only_his_subtree(client, org, unit_admin, market_staff):
    client.force_login(unit_admin)
    assert client.get(f"/reports/?unit={org.west_transport.pk}").status_code == 404
    assert client.get("/reports/").context["board"].unit == org.market


def test_an_officer_has_no_dashboard(client, officer):
    client.force_login(officer.user)
    assert client.get("/reports/").status_code == 404


def test_a_year_without_data_says_so_plainly(client, unit_admin, market_staff):
    client.force_login(unit_admin)
    page = client.get("/reports/?year=2001")
    assert "没有可统计的数据" in page.content.decode()


def test_the_officer_gets_at_most_three_explained_recommendations_and_following_is_recorded(
    client, officer, market_staff
):
    client.force_login(officer.user)
    home = client.get("/")
    recs = home.context["recommendations"]
    assert 1 <= len(recs) <= 3
    weak = next(r for r in recs if r.kind == Recommendation.Kind.WEAK_POINT)
    assert "「听证程序」的掌握度为 30%" in weak.reason
    assert weak.reason in home.content.decode()
    assert client.get("/").context["recommendations"] == recs  # chosen once a day
    followed = client.get(f"/reports/go/{weak.pk}/")
    assert followed.status_code == 302 and followed["Location"] == weak.url
    weak.refresh_from_db()
    assert weak.followed_at is not None


def test_nobody_can_follow_another_officers_recommendation(client, officer, outsider, market_staff):
    client.force_login(officer.user)
    rec = client.get("/").context["recommendations"][0]
    client.force_login(outsider.user)
    assert client.get(f"/reports/go/{rec.pk}/").status_code == 404


def test_the_follow_rate_is_shown_to_administrators(client, org, officer, unit_admin, market_staff):
    client.force_login(officer.user)
    rec = client.get("/").context["recommendations"][0]
    client.get(f"/reports/go/{rec.pk}/")
    client.force_login(unit_admin)
    follow = client.get(f"/reports/?unit={org.market.pk}").context["follow"]
    assert follow.followed == 1 and follow.shown >= 1


def test_a_recommendation_of_yesterday_is_not_shown_today(client, officer, market_staff, time_machine):
    client.force_login(officer.user)
    first = client.get("/").context["recommendations"]
    time_machine.move_to(timezone.now() + timedelta(days=1))
    client.force_login(officer.user)  # the idle timeout ended yesterday's session
    assert {r.pk for r in client.get("/").context["recommendations"]}.isdisjoint({r.pk for r in first})


def test_peers_count_every_officer_of_each_peer_subtree_even_when_peers_nest(client, org, unit_admin, market_staff):
    client.force_login(unit_admin)
    peers = {p.unit.name: p for p in client.get(f"/reports/?unit={org.market.pk}").context["peers"]}
    assert peers["江北市市场监督管理局"].n == 8  # its own officer and the seven of 东城区 below it
    assert peers["东城区市场监督管理局"].n == 7 and peers["东城区市场监督管理局"].rank is not None


RULE_2021 = (
    "江北市示例规定\n\n2021年6月15日 江北市人民政府令第8号公布\n\n"
    "第一条 为了示例，制定本规定。\n\n第二条 证件有效期为三年。\n"
)
RULE_2024 = (
    "江北市示例规定\n\n2021年6月15日 江北市人民政府令第8号公布\n\n2024年9月20日 江北市人民政府令第21号修订\n\n"
    "第一条 为了示例，制定本规定。\n\n第二条 证件有效期为五年。\n"
)


def test_an_amended_article_he_studied_is_recommended_once_until_followed(client, officer, time_machine):
    from zhifa.courses.models import Chapter, Lesson, LessonProgress
    from zhifa.courses.tests.conftest import make_course
    from zhifa.laws import services as laws_services

    laws_services.law_import_text(text=RULE_2021)
    chapter = Chapter.objects.create(course=make_course(title="证件管理"), title="第一章")
    studied = Lesson.objects.create(chapter=chapter, title="证件有效期", kind="text", hours_category="legal")
    untouched = Lesson.objects.create(chapter=chapter, title="立法目的", kind="text", hours_category="legal")
    laws_services.citation_set(obj=studied, article_keys=["江北市示例规定#第二条"])
    laws_services.citation_set(obj=untouched, article_keys=["江北市示例规定#第一条"])
    for lesson in (studied, untouched):
        LessonProgress.objects.create(officer=officer, lesson=lesson, completed_at=timezone.now())
    client.force_login(officer.user)
    assert not [r for r in client.get("/").context["recommendations"] if r.kind == Recommendation.Kind.LAW_CHANGE]

    laws_services.law_import_text(text=RULE_2024)  # 第二条 changes, 第一条 does not
    Recommendation.objects.all().delete()
    from django.core.cache import cache

    cache.clear()
    recs = client.get("/").context["recommendations"]
    [change] = [r for r in recs if r.kind == Recommendation.Kind.LAW_CHANGE]
    assert change.title == "查看《江北市示例规定》第二条的新规定"
    assert change.reason == "你学过的「证件有效期」引用的《江北市示例规定》第二条已于 2024-09-20 修订"
    page = client.get(client.get(f"/reports/go/{change.pk}/")["Location"])
    assert page.status_code == 200 and "证件有效期为五年" in page.content.decode()

    time_machine.move_to(timezone.now() + timedelta(days=1))  # the next day: a new choice, without it
    client.force_login(officer.user)
    assert not [r for r in client.get("/").context["recommendations"] if r.kind == Recommendation.Kind.LAW_CHANGE]


def test_a_weak_point_goes_into_next_years_plan_for_the_weak_officers_with_its_evidence(
    client, org, unit_admin, auditor, market_staff
):
    from zhifa.courses.models import Chapter, Lesson
    from zhifa.courses.tests.conftest import make_course
    from zhifa.plans.models import PlanItem, TrainingPlan
    from zhifa.plans.services import item_officers

    staff, point = market_staff
    course = make_course(title="听证程序实务")
    lesson = Lesson.objects.create(
        chapter=Chapter.objects.create(course=course, title="第一章"), title="听证告知", kind="text",
        hours_category="legal",
    )  # fmt: skip
    lesson.knowledge_points.add(point)
    form = {"unit": org.market.pk, "kp": point.pk, "course": course.pk}

    client.force_login(auditor)  # reads the dashboard, plans nothing
    client.post("/reports/weak/plan/", form)
    assert not TrainingPlan.objects.exists()

    client.force_login(unit_admin)
    page = client.get(f"/reports/weak/?unit={org.market.pk}&kp={point.pk}")
    assert f"加入{YEAR + 1}年度培训计划（4 名薄弱人员）" in page.content.decode()
    done = client.post("/reports/weak/plan/", form, follow=True)
    plan = TrainingPlan.objects.get(unit=org.market, year=YEAR + 1, status="draft")
    item = PlanItem.objects.get(plan=plan)
    assert (item.kind, item.course, item.title) == ("course", course, "补强「听证程序」：听证程序实务")
    assert item.reason.startswith("「听证程序」掌握度低于60%") and "4 人" in item.reason
    assert set(item_officers(item)) == {o for i, o in enumerate(staff) if i % 2 == 0}
    assert "已加入" in done.content.decode()

    again = client.post("/reports/weak/plan/", form, follow=True)
    assert "无需重复加入" in again.content.decode() and PlanItem.objects.count() == 1


def test_an_export_over_the_limit_runs_in_the_background_and_only_its_owner_downloads_it(
    client, org, unit_admin, sysadmin, market_staff, monkeypatch, django_capture_on_commit_callbacks
):
    from zhifa.reports.models import ExportJob

    monkeypatch.setattr(services, "EXPORT_LIMIT", 3)
    monkeypatch.setattr(services, "EXPORT_PROGRESS_EVERY", 2)
    client.force_login(unit_admin)
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued when the request commits
        small = client.get(f"/reports/officers/?unit={org.market.pk}&figure=hours_met&format=xlsx")  # 4 officers
    assert small.status_code == 302
    job = ExportJob.objects.get()
    page = client.get(small["Location"])
    assert page.status_code == 200 and "已完成" in page.content.decode() and job.title in page.content.decode()
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 4, 4)
    link = re.search(r'href="([^"]+)" download', page.content.decode()).group(1)  # minted for this viewer
    download = client.get(link)
    sheet = load_workbook(filename=__import__("io").BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 2 + 4

    client.force_login(sysadmin)  # someone else's export: not even its progress page
    assert client.get(small["Location"]).status_code == 404
    assert client.get(link).status_code == 404
