"""Content currency on the content's own pages: a course, lesson, case or drill citing an article amended since shows
"法条已修订" — to staff what changed with a link to the review, to officers a neutral note — until it is reviewed."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from zhifa.cases import services as case_services
from zhifa.cases.models import Case
from zhifa.cases.tests.conftest import SMALL
from zhifa.courses.models import Lesson
from zhifa.courses.tests.conftest import add_lesson, make_course
from zhifa.laws.models import Citation
from zhifa.plans import queries
from zhifa.plans.services import ItemIn
from zhifa.plans.tests.factories import YEAR, make_plan

DIFF = "- 旧：第三十四条 禁止生产经营下列食品……\n+ 新：第三十四条 禁止生产经营下列食品、食品添加剂、食品相关产品……"
NEUTRAL = "本内容涉及的法条已修订，内容正在复核中"


def flag(obj, key: str = "食品安全法#第三十四条") -> Citation:
    """What laws.services.citations_flag_changes leaves when a new version amends a cited article."""
    return Citation.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        article_key=key,
        needs_review=True,
        review_note=DIFF,
    )


@pytest.fixture
def course(org):
    course = make_course(title="食品安全法解读", owner=org.market)
    add_lesson(course, kind=Lesson.Kind.ARTICLE, title="禁止生产经营的食品", body_html="<p>第三十四条……</p>")
    return course


@pytest.fixture
def drill(db):
    version = case_services.scenario_save(source=SMALL.read_text(encoding="utf-8"), by=None)
    return case_services.scenario_publish(version=version, by=None)


def test_staff_see_what_changed_on_the_course_and_lesson_pages_and_officers_a_neutral_note(
    client, course, officer, unit_admin
):
    lesson = course.chapters.get().lessons.get()
    flag(lesson)
    client.force_login(unit_admin)
    for url in (reverse("courses:course-detail", args=[course.pk]), reverse("courses:lesson-detail", args=[lesson.pk])):
        page = client.get(url).content.decode()
        assert "法条已修订" in page and "《食品安全法》第三十四条" in page
        assert "食品添加剂、食品相关产品" in page  # the diff
        ct = ContentType.objects.get_for_model(Lesson).pk
        assert f"{reverse('plans:content')}#content-{ct}-{lesson.pk}" in page
    client.force_login(officer.user)
    page = client.get(reverse("courses:course-detail", args=[course.pk])).content.decode()
    assert NEUTRAL in page and "食品添加剂" not in page and reverse("plans:content") not in page


def test_the_case_and_drill_pages_show_the_banner_and_it_goes_once_the_content_is_reviewed(
    client, org, officer, unit_admin, sysadmin, drill
):
    case = Case.objects.create(title="某超市销售过期食品案", facts="某超市销售超过保质期的食品。")
    flag(case)
    flag(drill, key="行政处罚法#第四十四条")
    case_url = reverse("cases:case-detail", args=[case.pk])
    drill_url = reverse("cases:scenario-detail", args=[drill.scenario.key])
    client.force_login(officer.user)
    assert NEUTRAL in client.get(case_url).content.decode()
    assert NEUTRAL in client.get(drill_url).content.decode()
    client.force_login(unit_admin)
    assert "《行政处罚法》第四十四条" in client.get(drill_url).content.decode()

    client.force_login(sysadmin)  # the case has no unit: the platform's administrators review it
    client.post(
        reverse("plans:content-review"),
        {
            "content_type": ContentType.objects.get_for_model(case).pk,
            "object_id": case.pk,
            "outcome": "confirmed",
            "note": "修订不涉及本案例的定性",
        },
    )
    assert "法条已修订" not in client.get(case_url).content.decode()
    assert "法条已修订" in client.get(drill_url).content.decode()


def test_a_drill_item_of_the_plan_is_marked_when_its_published_version_cites_an_amended_article(
    org, officer, unit_admin, drill
):
    flag(drill, key="行政处罚法#第四十四条")
    item = ItemIn(
        kind="drill",
        title="演练：现场检查",
        window_start=date(YEAR, 1, 1),
        deadline=date(YEAR, 12, 31),
        scenario_id=drill.scenario_id,
    )
    make_plan(unit_admin, org.market, publish=True, items=[item])
    assert [m.revised for m in queries.my_plan(officer=officer, today=date(YEAR, 6, 1))] == [True]


def test_an_unflagged_course_page_has_no_banner_and_stays_within_its_query_budget(
    client, course, officer, django_assert_max_num_queries
):
    client.force_login(officer.user)
    client.get(reverse("courses:course-detail", args=[course.pk]))
    with django_assert_max_num_queries(20):
        page = client.get(reverse("courses:course-detail", args=[course.pk])).content.decode()
    assert "法条已修订" not in page
