"""Authoring through the console: instructors and administrators build courses; officers only learn."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhifa.common.audit import AuditEvent
from zhifa.courses import services
from zhifa.courses.models import Course, Lesson
from zhifa.courses.tests.conftest import add_lesson, make_course, ready_video
from zhifa.people.testing import make_user


def test_an_instructor_creates_a_course_and_teaches_it(client, instructor, org, officer):
    client.force_login(instructor)
    response = client.post(
        "/courses/manage/new",
        {
            "code": "ethics",
            "title": "执法人员职业道德",
            "summary": "五讲",
            "requirement": "required",
            "domains": [org.market_domain.pk],
            "audience-domains": [org.market_domain.pk],
        },
    )
    course = Course.objects.get(code="ethics")
    assert list(course.audience.domains.all()) == [org.market_domain]
    assert response.status_code == 302 and response["Location"] == f"/courses/manage/{course.pk}/"
    assert list(course.instructors.all()) == [instructor]
    assert course.status == Course.Status.DRAFT


def test_an_officer_cannot_author(officer):
    with pytest.raises(services.NotPermitted):
        services.course_save(by=officer.user, code="x", title="x")


def test_a_user_without_the_instructor_role_cannot_be_named_instructor(sysadmin):
    stranger = make_user("stranger")
    with pytest.raises(services.CourseError, match="没有讲师角色"):
        services.course_save(by=sysadmin, code="x", title="x", instructors=[stranger])


def test_the_unit_admin_manages_courses_of_his_subtree_only(unit_admin, org, sysadmin):
    ours = make_course(owner=org.market)
    theirs = make_course(owner=org.west_transport)
    services.chapter_create(by=unit_admin, course=ours, title="第一章")
    with pytest.raises(services.NotPermitted):
        services.chapter_create(by=unit_admin, course=theirs, title="第一章")


def test_article_html_is_sanitised(course, sysadmin):
    chapter = services.chapter_create(by=sysadmin, course=course, title="第一章")
    lesson = services.lesson_save(
        by=sysadmin,
        chapter=chapter,
        title="文明执法",
        kind=Lesson.Kind.ARTICLE,
        hours_category="ethics",
        credit_hours=Decimal("0.2"),
        body_html='<p onclick="steal()">文明<script>alert(1)</script><a href="javascript:x()">链接</a></p>',
    )
    assert "script" not in lesson.body_html and "onclick" not in lesson.body_html
    assert "javascript:" not in lesson.body_html and "文明" in lesson.body_html


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"kind": "article", "body_html": ""}, "需要正文"),
        ({"kind": "document", "document": SimpleUploadedFile("a.pdf", b"GIF89a...")}, "不是 PDF"),
        ({"kind": "video"}, "先上传视频"),
        ({"kind": "article", "body_html": "<p>x</p>", "is_micro": True, "minutes": 12}, "不能超过 5 分钟"),
        ({"kind": "quiz"}, "至少一道"),
    ],
)
def test_lessons_without_usable_content_are_refused(course, sysadmin, fields, message):
    chapter = services.chapter_create(by=sysadmin, course=course, title="第一章")
    with pytest.raises(services.CourseError, match=message):
        services.lesson_save(
            by=sysadmin, chapter=chapter, title="x", hours_category="ethics", credit_hours=Decimal("0.5"), **fields
        )
    assert not Lesson.objects.exists()


def test_a_micro_lesson_video_must_be_short(course, sysadmin):
    chapter = services.chapter_create(by=sysadmin, course=course, title="第一章")
    with pytest.raises(services.CourseError, match="5 分钟"):
        services.lesson_save(
            by=sysadmin,
            chapter=chapter,
            title="x",
            kind="video",
            hours_category="ethics",
            credit_hours=Decimal("0.1"),
            is_micro=True,
            minutes=5,
            video=ready_video(600),
        )


def test_publishing_needs_lessons_and_ready_videos_and_is_audited(sysadmin, org):
    course = make_course(status=Course.Status.DRAFT)
    with pytest.raises(services.CourseError, match="还没有课时"):
        services.course_publish(by=sysadmin, course=course)
    lesson = add_lesson(course)
    lesson.video.status = "processing"
    lesson.video.save()
    with pytest.raises(services.CourseError, match="尚未转码完成"):
        services.course_publish(by=sysadmin, course=course)
    lesson.video.status = "ready"
    lesson.video.save()
    services.course_publish(by=sysadmin, course=course)
    assert Course.objects.get(pk=course.pk).status == Course.Status.PUBLISHED
    assert AuditEvent.objects.filter(action="course.publish", object_id=str(course.pk)).exists()


def test_lesson_pages_of_the_console(client, instructor, course):
    lesson = add_lesson(course)
    client.force_login(instructor)
    page = client.get(f"/courses/manage/{course.pk}/").content.decode()
    assert lesson.title in page and "添加课时" in page
    response = client.post(
        f"/courses/manage/lessons/{lesson.pk}/checkpoints",
        {
            "at_seconds": 30,
            "prompt": "执法的首要原则？",
            "options": "A. 依法\nB. 从快",
            "answer": "a",
        },
    )
    assert response.status_code == 302
    assert lesson.checkpoints.get().answer == "A"


def test_citing_articles_goes_through_the_laws_app(course, sysadmin):
    laws_services = pytest.importorskip("zhifa.laws.services", reason="laws.services 尚未提供 citation_set")
    chapter = services.chapter_create(by=sysadmin, course=course, title="第一章")
    with pytest.raises(services.CourseError):
        services.lesson_save(
            by=sysadmin,
            chapter=chapter,
            title="x",
            kind="article",
            body_html="<p>x</p>",
            hours_category="legal",
            credit_hours=Decimal("0.5"),
            article_keys=["不存在的法#第一条"],
        )
    assert hasattr(laws_services, "citation_set")


@pytest.mark.shared_data
def test_a_lesson_cites_articles_of_the_law_library(course, sysadmin, settings):
    from pathlib import Path

    from zhifa.laws import services as laws_services
    from zhifa.laws.models import Citation

    source = Path(settings.SHARED_DATA_DIR) / "laws" / "中华人民共和国行政处罚法.txt"
    if not source.exists():
        pytest.skip("../shared/data 不存在：跳过法条引用测试")
    laws_services.law_import_text(text=source.read_text(encoding="utf-8"), source_name=source.name)
    chapter = services.chapter_create(by=sysadmin, course=course, title="第一章")
    lesson = services.lesson_save(
        by=sysadmin,
        chapter=chapter,
        title="依法履职",
        kind="article",
        body_html="<p>职权法定</p>",
        hours_category="legal",
        credit_hours=Decimal("0.5"),
        article_keys=["行政处罚法#第五条", "中华人民共和国行政处罚法#第42条"],
    )
    keys = set(Citation.objects.filter(object_id=lesson.pk).values_list("article_key", flat=True))
    assert keys == {"行政处罚法#第五条", "行政处罚法#第四十二条"}


def test_a_course_for_every_officer_has_no_audience_and_one_for_nobody_is_refused(client, instructor, org, officer):
    client.force_login(instructor)
    data = {"code": "open", "title": "公开课", "requirement": "elective"}
    client.post("/courses/manage/new", data)
    assert Course.objects.get(code="open").audience is None
    page = client.post("/courses/manage/new", {**data, "code": "nobody", "audience-joined_within_months": "1"})
    assert "培训对象未选中任何人员" in page.content.decode()
    assert not Course.objects.filter(code="nobody").exists()


def test_a_unit_administrator_reads_the_courses_reaching_her_units(client, org, unit_admin, officer, outsider):
    """Issue 22 item 6: the city's published course for the city (and one for everyone) shows in her 课程管理,
    read-only, with the certificates of her officers only; a course for another county does not."""
    from django.utils import timezone

    from zhifa.courses.models import Certificate

    city = make_course(title="全市执法规范课程", owner=org.city, audience_units=[org.city])
    make_course(title="西城区交通执法课程", owner=org.west_county, audience_units=[org.west_transport])
    for n, person in enumerate((officer, outsider)):
        Certificate.objects.create(course=city, officer=person, code=f"CERT-{n}", issued_at=timezone.now())
    client.force_login(unit_admin)
    listing = client.get("/courses/manage/").content.decode()
    assert "全市执法规范课程" in listing and "只读" in listing and "西城区交通执法课程" not in listing
    page = client.get(f"/courses/manage/{city.pk}/").content.decode()
    assert "张明" in page and "李强" not in page and "撤销原因" not in page
    assert client.post(f"/courses/manage/{city.pk}/publish", {"publish": "0"}).status_code == 404
