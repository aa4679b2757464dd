"""Pages: the officer's list, start, taking page and result; the console's exam form, papers, results, analysis."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.html import strip_tags
from openpyxl import load_workbook

from zhifa.exams import queries, services
from zhifa.exams.models import Attempt, Exam
from zhifa.exams.tests import factories
from zhifa.laws.models import Citation
from zhifa.questions.models import Question


def test_an_officer_sees_his_exam_and_starts_it(client, officer, exam, org, unit_admin, django_assert_max_num_queries):
    client.force_login(officer.user)
    for n in range(5):  # more exams do not mean more queries
        factories.exam(org, by=unit_admin, build=False, title=f"模拟考试{n}")
    # session, user, officer (+ domains, grants), exams (+ 3 audience prefetches), the menu's role checks: constant
    with django_assert_max_num_queries(17):
        listing = client.get("/exams/").content.decode()
    assert exam.title in listing and "模拟考试4" in listing
    assert "开始考试" in client.get(f"/exams/{exam.pk}/").content.decode()
    response = client.post(f"/exams/{exam.pk}/start/")
    attempt = Attempt.objects.get(exam=exam, officer=officer)
    assert response.status_code == 302 and response.url == f"/exams/attempts/{attempt.pk}/"
    page = client.get(response.url).content.decode()
    assert "exams/attempt.js" in page and 'data-api="/api/v1/exams/attempts/' in page
    assert client.post(f"/exams/{exam.pk}/start/").url == response.url  # resume, not a second attempt


def test_the_result_waits_for_release_then_shows_explanations_and_cited_articles(client, officer, exam, time_machine):
    client.force_login(officer.user)
    client.post(f"/exams/{exam.pk}/start/")
    attempt = Attempt.objects.get(exam=exam, officer=officer)
    qid = attempt.paper.rows[0]["question"]
    Citation.objects.create(
        content_type=ContentType.objects.get_for_model(Question), object_id=qid, article_key="行政处罚法#第四十四条"
    )
    services.attempt_submit(attempt=attempt, by=officer.user)
    before = client.get(f"/exams/attempts/{attempt.pk}/result/").content.decode()
    assert "成绩将于" in before and "解析" not in before and "得分" not in before
    time_machine.move_to(exam.closes_at + timedelta(minutes=1))
    client.force_login(officer.user)
    after = client.get(f"/exams/attempts/{attempt.pk}/result/").content.decode()
    assert "得分" in after and "依据行政处罚法第四十四条" in after and "《行政处罚法》第四十四条" in after


def test_nothing_reveals_pass_or_fail_before_the_release_time(client, officer, exam, time_machine):
    """Issue 22 item 3: right after handing in, /records/ says 已交卷 (no 未通过, no score) and the exam list no
    longer says 进行中; after the release time both show the outcome."""
    client.force_login(officer.user)
    client.post(f"/exams/{exam.pk}/start/")
    attempt = Attempt.objects.get(exam=exam, officer=officer)
    services.attempt_submit(attempt=attempt, by=officer.user)  # no answers: a fail once released
    record = client.get("/records/").content.decode()
    assert "已交卷 · " + exam.title in record and "成绩将于" in record
    assert "未通过" not in record and "得分" not in record
    listing = client.get("/exams/").content.decode()
    assert "进行中" not in listing and "已交卷" in listing
    assert '"failed"' not in client.get("/records/xapi.json").content.decode()
    time_machine.move_to(exam.closes_at + timedelta(minutes=1))
    client.force_login(officer.user)
    record = client.get("/records/").content.decode()
    assert "未通过 · " + exam.title in record and "成绩将于" not in record
    assert "成绩已公布" in client.get("/exams/").content.decode()


def test_the_hours_ledger_tells_nothing_before_the_release_time(
    client, officer, org, unit_admin, question_bank, time_machine
):
    """Issue 22 item 3: a passed exam's hours (their evidence names the score) are neither listed nor counted on
    /records/ or the transcript before the results' release; after it they are, with the score."""
    exam = factories.exam(org, by=unit_admin, pass_mark=Decimal("0"), credit_hours=Decimal("2"), title="执法资格考试")
    client.force_login(officer.user)
    client.post(f"/exams/{exam.pk}/start/")
    attempt = Attempt.objects.get(exam=exam, officer=officer)
    services.attempt_submit(attempt=attempt, by=officer.user)  # 0 ≥ 0: passed, but not to be known yet
    record = client.get("/records/").content.decode()
    assert "考试：执法资格考试" not in record and f"答卷 #{attempt.pk}" not in record and "待公布" not in record
    assert "2.00" not in client.get("/records/hours-ring/").content.decode()
    time_machine.move_to(exam.closes_at + timedelta(minutes=1))
    client.force_login(officer.user)
    record = client.get("/records/").content.decode()  # released lazily here (and by records_hours_release)
    assert "考试：执法资格考试" in record and f"答卷 #{attempt.pk}，成绩 0" in record


def test_an_administrator_creates_an_exam_with_a_blueprint_builds_papers_and_publishes(
    client, org, unit_admin, question_bank
):
    client.force_login(unit_admin)
    now = timezone.localtime()
    form = {
        "title": "市场监管执法年度考试",
        "description": "",
        "unit": org.market.pk,
        "paper_mode": "parallel",
        "form_count": 2,
        "shuffle_questions": "on",
        "shuffle_options": "on",
        "opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 60,
        "attempts_allowed": 1,
        "pass_mark": "60",
        "partial_credit": "half",
        "credit_hours": "0",
        "credit_category": "legal",
        "audience-units": [org.market.pk],
        "s-TOTAL_FORMS": 3,
        "s-INITIAL_FORMS": 0,
        "s-MIN_NUM_FORMS": 0,
        "s-MAX_NUM_FORMS": 30,
        "s-0-kind": "single",
        "s-0-count": 1,
        "s-0-points": "50",
        "s-1-kind": "judge",
        "s-1-count": 1,
        "s-1-points": "50",
        "enemy_groups": "",
    }
    response = client.post("/exams/manage/new/", form)
    exam = Exam.objects.get(title="市场监管执法年度考试")
    assert response.status_code == 302 and exam.blueprint.sections[1] == {
        "kind": "judge",
        "knowledge_point": "",
        "difficulties": [],
        "count": 1,
        "points": "50",
    }
    client.post(f"/exams/manage/{exam.pk}/papers/")
    page = client.get(f"/exams/manage/{exam.pk}/").content.decode()
    assert "已按组卷规则生成 2 份试卷" in page  # issue 22 item 5: what was generated, per paper and section
    assert "第 2 套" in page and "单选题 1 题 · 判断题 1 题" in page
    assert "已按组卷规则生成" not in client.get(f"/exams/manage/{exam.pk}/").content.decode()  # said once
    ids = [set(p.question_ids) for p in exam.papers.all()]
    assert not ids[0] & ids[1]
    client.post(f"/exams/manage/{exam.pk}/publish/")
    exam.refresh_from_db()
    assert exam.status == Exam.Status.PUBLISHED


def test_a_blueprint_the_bank_cannot_meet_is_explained_on_the_page(client, org, unit_admin, question_bank):
    bp = factories.blueprint(org.market, sections=[{"kind": "single", "count": 50, "points": "2"}])
    exam = factories.exam(org, by=unit_admin, bp=bp, build=False, status=Exam.Status.DRAFT)
    client.force_login(unit_admin)
    client.post(f"/exams/manage/{exam.pk}/papers/")
    page = client.get(f"/exams/manage/{exam.pk}/").content.decode()
    assert "组卷失败：第1部分（单选题）需要 50 题，题库中符合条件的已发布试题只有 3 题" in page
    assert not exam.papers.exists()


def test_a_build_still_running_in_the_background_is_followed_until_its_outcome(client, org, unit_admin, exam):
    """With a real task queue the page says the papers are being generated and polls itself; a task that is gone
    says so in Chinese instead of leaving the administrator without an answer."""
    client.force_login(unit_admin)
    session = client.session
    session["build_result"] = {"pending": True, "task": "00000000-0000-0000-0000-000000000000", "exam": exam.pk}
    session.save()
    page = client.get(f"/exams/manage/{exam.pk}/").content.decode()
    assert "后台组卷任务没有完成" in page and "请重新点击" in page


def test_a_bad_section_changes_nothing(client, org, unit_admin, exam):
    client.force_login(unit_admin)
    before = exam.blueprint.sections
    data = {
        "title": exam.title,
        "unit": org.market.pk,
        "paper_mode": "fixed",
        "form_count": 1,
        "opens_at": "2026-01-01T08:00",
        "closes_at": "2026-01-01T10:00",
        "duration_minutes": 60,
        "attempts_allowed": 1,
        "pass_mark": "60",
        "partial_credit": "none",
        "credit_hours": "0",
        "credit_category": "legal",
        "audience-units": [org.market.pk],
        "s-TOTAL_FORMS": 1,
        "s-INITIAL_FORMS": 0,
        "s-0-kind": "single",
        "s-0-count": "",
        "s-0-points": "",
        "enemy_groups": "1, x",
    }
    response = client.post(f"/exams/manage/{exam.pk}/", data)
    assert response.status_code == 200 and "请填写该部分的题数和每题分值" in response.content.decode()
    exam.refresh_from_db()
    assert exam.blueprint.sections == before and exam.title == "2026年度执法资格考试"


@pytest.fixture
def sat_exam(exam, org, officer, unit_admin):
    """Three officers sat the exam: 张明 right everywhere, two others wrong on some."""
    people = [officer] + [factories_officer(org, n) for n in range(2)]
    for n, person in enumerate(people):
        paper = queries.attempt_paper_for(exam=exam, officer=person)
        attempt = services.attempt_start(exam=exam, officer_id=person.pk, paper_id=paper.pk, device_token="t")
        answers = [
            services.AnswerIn(
                question=r["question"], response=_right(r["question"]) if n == 0 or i % (n + 1) else ["D"]
            )
            for i, r in enumerate(paper.rows)
        ]
        services.attempt_save_answers(attempt_id=attempt.pk, by=person.user, answers=answers, seq=1, device_token="t")
        services.attempt_submit(attempt=attempt, by=person.user)
    return exam


def factories_officer(org, n):
    from zhifa.people.testing import make_officer

    return make_officer(org.east_market, name=f"考生{n}")


def _right(qid):
    return Question.objects.get(pk=qid).answer if Question.objects.get(pk=qid).kind != "blank" else ["处罚"]


def test_results_show_the_pass_rate_chart_and_export(client, sat_exam, unit_admin, django_assert_max_num_queries):
    client.force_login(unit_admin)
    with django_assert_max_num_queries(12):
        page = client.get(f"/exams/manage/{sat_exam.pk}/results/")
    body = page.content.decode()
    assert "通过率" in body and 'id="score-chart"' in body and "张明" in body
    export = client.get(f"/exams/manage/{sat_exam.pk}/results.xlsx")
    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and len(rows) == 4 and {r[10] for r in rows[1:]} <= {"通过", "未通过"}
    assert rows[[r[0] for r in rows].index("张明")][:2] == ("张明", "JB00000001")
    assert any(r[9] == 80.0 for r in rows[1:])


def test_item_analysis_page_and_export(client, sat_exam, unit_admin):
    client.force_login(unit_admin)
    body = client.get(f"/exams/manage/{sat_exam.pk}/analysis/").content.decode()
    assert "KR-20" in body and 'id="item-chart"' in body and "3 份答卷" in body
    # Issue 22 item 5: each row names its question by its stem (shortened), linked to the question, not "#2".
    question = Question.objects.get(pk=sat_exam.papers.first().rows[0]["question"])
    stem = " ".join(strip_tags(question.stem).split())[:20]
    assert stem in body and f'href="/questions/{question.pk}/"' in body
    assert "&quot;stems&quot;" in body  # the chart's tooltips name the stems too
    export = client.get(f"/exams/manage/{sat_exam.pk}/analysis.xlsx")
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("试题编号", "题型", "人数", "难度 p") and len([r for r in rows[1:] if r and r[2] == 3]) == 8


def test_officers_never_reach_console_pages(client, officer, exam):
    client.force_login(officer.user)
    for url in (
        "/exams/manage/",
        f"/exams/manage/{exam.pk}/",
        f"/exams/manage/{exam.pk}/results/",
        "/exams/manage/grading/",
    ):
        assert client.get(url).status_code == 404


def test_an_exam_organised_elsewhere_is_invisible_to_another_units_administrator(client, org, exam):
    from zhifa.people.models import Role
    from zhifa.people.testing import grant, make_user

    other = make_user("west_admin")
    grant(other, Role.UNIT_ADMIN, org.west_county)
    client.force_login(other)
    assert client.get(f"/exams/manage/{exam.pk}/results/").status_code == 404
    assert exam.title not in client.get("/exams/manage/").content.decode()
    assert Decimal(exam.pass_mark) == Decimal("48")


def test_the_exam_form_offers_the_hours_category_as_a_chinese_select(client, unit_admin):
    """Issue 22 item 5: 学时类别 is a select of the ledger's categories, not free text preset to "legal"."""
    client.force_login(unit_admin)
    page = client.get("/exams/manage/new/").content.decode()
    assert '<select name="credit_category"' in page
    assert '<option value="legal" selected>法律知识</option>' in page and ">职业道德</option>" in page


def test_a_unit_administrator_sees_the_exams_reaching_her_units_read_only(
    client, org, unit_admin, officer, outsider, question_bank
):
    """Issue 22 item 6: the city's exam for the whole city reaches her bureau: she finds it in 考试管理 (read-only)
    with the results of her officers only, not "还没有考试"; another county's exam and the city's draft do not."""
    city_exam = factories.exam(org, by=unit_admin, unit=org.city, title="全市执法资格考试")
    city_exam.audience = factories.audience_for(units=[org.city])
    city_exam.save(update_fields=["audience"])
    elsewhere = factories.exam(org, by=unit_admin, unit=org.west_county, title="西城区交通执法考试")
    elsewhere.audience = factories.audience_for(units=[org.west_transport])
    elsewhere.save(update_fields=["audience"])
    factories.exam(org, by=unit_admin, unit=org.city, title="全市草稿考试", status=Exam.Status.DRAFT)
    for person in (officer, outsider):
        paper = queries.attempt_paper_for(exam=city_exam, officer=person)
        services.attempt_submit(
            attempt=services.attempt_start(exam=city_exam, officer_id=person.pk, paper_id=paper.pk), by=person.user
        )
    client.force_login(unit_admin)
    listing = client.get("/exams/manage/").content.decode()
    assert "全市执法资格考试" in listing and "只读" in listing and "还没有考试" not in listing
    assert "西城区交通执法考试" not in listing and "全市草稿考试" not in listing
    results = client.get(f"/exams/manage/{city_exam.pk}/results/").content.decode()
    assert "张明" in results and "李强" not in results and "/offline/" not in results  # no link to a refusal
    assert client.get(f"/exams/manage/{city_exam.pk}/").status_code == 404  # not hers to change
    assert client.post(f"/exams/manage/{city_exam.pk}/papers/").status_code == 404
    assert client.get(f"/exams/manage/{elsewhere.pk}/results/").status_code == 404
