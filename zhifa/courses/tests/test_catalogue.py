"""The officer's catalogue and course pages: audience, search and filters."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhifa.courses.models import Course
from zhifa.courses.tests.conftest import add_lesson, make_course


def test_an_officer_sees_courses_for_his_domain_and_unit_only(client, officer, org):
    mine = make_course(title="市场监管执法实务", audience_domains=[org.market_domain])
    unit_wide = make_course(title="东城区专题", audience_units=[org.city])  # an ancestor of his unit
    other = make_course(title="交通运输执法", audience_domains=[org.transport_domain])
    everyone = make_course(title="职业道德")
    make_course(title="草稿课程", status=Course.Status.DRAFT)
    client.force_login(officer.user)
    page = client.get("/courses/").content.decode()
    for course in (mine, unit_wide, everyone):
        assert course.title in page
    assert other.title not in page and "草稿课程" not in page
    assert client.get(f"/courses/{other.pk}/").status_code == 404


def test_search_and_filters(client, officer):
    ethics = make_course(title="职业道德", requirement="required")
    add_lesson(ethics, title="换位思考", micro=True, duration=120)
    make_course(title="证据规则", requirement="elective")
    client.force_login(officer.user)
    assert "职业道德" in client.get("/courses/?q=换位").content.decode()
    assert "职业道德" not in client.get("/courses/?requirement=elective").content.decode()
    micro = client.get("/courses/?micro=1").content.decode()
    assert "职业道德" in micro and "证据规则" not in micro


def test_the_catalogue_query_count_does_not_grow_with_courses(client, officer):
    client.force_login(officer.user)
    for i in range(3):
        make_course(title=f"课程{i}")
    client.get("/courses/")
    with CaptureQueriesContext(connection) as few:
        client.get("/courses/")
    for i in range(10):
        make_course(title=f"更多课程{i}")
    with CaptureQueriesContext(connection) as many:
        client.get("/courses/")
    assert len(many) == len(few) <= 12


def test_the_course_page_shows_progress(client, officer, course):
    add_lesson(course, title="依法履职")
    client.force_login(officer.user)
    page = client.get(f"/courses/{course.pk}/").content.decode()
    assert "已完成 0 / 1 个课时" in page and "依法履职" in page
