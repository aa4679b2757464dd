"""The learner home (我的学习): hours ring, what is due, where to continue, today's micro-lessons."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.courses import queries
from zhifa.courses.models import Course, LessonProgress
from zhifa.courses.tests.conftest import add_lesson, make_course


def test_the_home_shows_due_courses_resume_points_and_todays_micro_lessons(client, officer, org):
    required = make_course(title="执法人员职业道德五讲")
    micro = add_lesson(required, kind="article", title="廉洁自律", body_html="<p>x</p>", micro=True)
    started = add_lesson(required, title="依法履职")
    LessonProgress.objects.create(officer=officer, lesson=started, last_position=42, unique_seconds=40)
    elective = make_course(title="市场监管新规", requirement=Course.Requirement.ELECTIVE)
    elective.domains.add(org.market_domain)
    recommended = add_lesson(elective, kind="article", title="新规速览", body_html="<p>x</p>", micro=True)
    unrelated = make_course(title="交通运输选修", requirement=Course.Requirement.ELECTIVE)
    add_lesson(unrelated, kind="article", title="不相关微课", body_html="<p>x</p>", micro=True)

    client.force_login(officer.user)
    page = client.get("/").content.decode()
    assert "年度学时" in page  # the records ring
    assert "待完成的必修课" in page and "执法人员职业道德五讲" in page and "已完成 0 / 2 课时" in page
    assert "继续学习" in page and "上次看到 42 秒" in page
    assert "今日学习" in page and micro.title in page and recommended.title in page
    assert "不相关微课" not in page


def test_todays_feed_puts_assigned_lessons_first_and_drops_completed_ones(officer, org):
    required = make_course(title="必修")
    lessons = [
        add_lesson(required, kind="article", title=f"微课{i}", body_html="<p>x</p>", micro=True) for i in range(5)
    ]
    elective = make_course(title="选修", requirement=Course.Requirement.ELECTIVE)
    elective.domains.add(org.market_domain)
    add_lesson(elective, kind="article", title="推荐", body_html="<p>x</p>", micro=True)
    LessonProgress.objects.create(officer=officer, lesson=lessons[0], completed_at=timezone.now())
    feed = queries.learner_home(officer=officer, today=date(2026, 3, 1)).today
    assert len(feed) == 3
    assert all(lesson.chapter.course == required for lesson in feed) and lessons[0] not in feed
    assert queries.learner_home(officer=officer, today=date(2026, 3, 1)).today == feed  # stable within a day


def test_the_home_query_count_is_bounded(client, officer):
    for i in range(3):
        course = make_course(title=f"课程{i}")
        for j in range(3):
            add_lesson(course, kind="article", title=f"课时{i}{j}", body_html="<p>x</p>", micro=True)
    client.force_login(officer.user)
    client.get("/")
    with CaptureQueriesContext(connection) as queries_run:
        client.get("/")
    assert len(queries_run) <= 20


def test_an_instructor_without_an_officer_profile_sees_the_tiles(client, instructor):
    client.force_login(instructor)
    page = client.get("/").content.decode()
    assert "课程学习" in page and "待完成的必修课" not in page
