"""The bank pages through the test client, as the personas use them."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhifa.common.access_matrix import PERSONAS, World
from zhifa.questions import access_matrix, spreadsheet
from zhifa.questions.models import Question, QuestionImport
from zhifa.questions.seeding import knowledge_tree_seed
from zhifa.questions.tests.factories import make_question


def login(user) -> Client:
    client = Client()
    client.force_login(getattr(user, "user", user))
    return client


@pytest.fixture
def world(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin) -> World:
    return World(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin)


def test_every_bank_url_answers_each_persona_as_declared(world):
    failures = []
    for name, case in access_matrix.CASES.items():
        url = reverse(name, kwargs=case.resolve_kwargs(world))
        for persona in PERSONAS:
            client = Client() if persona == "citizen" else login(getattr(world, persona))
            status = client.get(url).status_code
            if status != case.expect[persona]:
                failures.append(f"{name} {persona}: expected {case.expect[persona]}, got {status}")
    assert not failures, "\n".join(failures)


def test_the_list_page_costs_the_same_queries_for_5_or_40_questions(instructor, org):
    knowledge_tree_seed()
    client = login(instructor)
    url = reverse("questions:question-list")
    for _ in range(5):
        make_question("single", knowledge_points=["law-penalty"], domains=[org.market_domain])
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(35):
        make_question("judge", knowledge_points=["law-penalty", "ethics-duty"], domains=[org.market_domain])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200 and response.context["page"].paginator.count == 40
    assert len(many) == len(few) <= 20


def test_filters_narrow_the_list_including_child_knowledge_points(instructor):
    knowledge_tree_seed()
    penalty = make_question("single", knowledge_points=["law-penalty"], difficulty=4)
    make_question("judge", knowledge_points=["ethics-duty"])
    client = login(instructor)
    law = Question.knowledge_points.field.related_model.objects.get(code="law")
    response = client.get(reverse("questions:question-list"), {"knowledge_point": law.pk})
    assert [q.pk for q in response.context["page"]] == [penalty.pk]
    response = client.get(reverse("questions:question-list"), {"kind": "judge", "difficulty": 4})
    assert list(response.context["page"]) == []
    response = client.get(reverse("questions:question-list"), {"q": "第"})
    assert response.context["page"].paginator.count == 2


def test_an_officer_never_sees_the_bank_or_an_answer(officer):
    question = make_question("single")
    client = login(officer)
    for url in (reverse("questions:question-list"), reverse("questions:question-detail", args=[question.pk]),
                reverse("questions:question-export", args=["jsonl"])):  # fmt: skip
        assert client.get(url).status_code == 404


def test_an_instructor_writes_a_question_with_rich_text_that_is_sanitised(instructor):
    knowledge_tree_seed()
    client = login(instructor)
    response = client.post(reverse("questions:question-create"), {
        "kind": "multiple", "stem": '<p onclick="x()">下列<b>正确</b>的是<script>alert(1)</script></p>',
        "option_A": "甲", "option_B": "乙", "option_C": "丙", "answer": "A，C", "difficulty": "2",
        "knowledge_points": [], "article_keys": "",
    })  # fmt: skip
    question = Question.objects.get()
    assert response.status_code == 302 and response.url == reverse("questions:question-detail", args=[question.pk])
    assert question.stem == "<p>下列<b>正确</b>的是</p>"
    assert question.answer == ["A", "C"] and question.status == "draft" and question.author == instructor


def test_the_form_shows_what_to_fix(instructor):
    client = login(instructor)
    response = client.post(reverse("questions:question-create"), {
        "kind": "single", "stem": "题干", "option_A": "甲", "option_B": "乙", "answer": "E", "difficulty": "3",
        "article_keys": "无此法第一条",
    })  # fmt: skip
    assert response.status_code == 200
    assert "答案 E 不是本题的选项" in response.content.decode()
    assert not Question.objects.exists()


def test_editing_a_published_question_makes_version_two(instructor):
    question = make_question("judge")
    client = login(instructor)
    form = client.get(reverse("questions:question-edit", args=[question.pk])).context["form"]
    data = {**form.initial, "answer": "错", "difficulty": 3, "knowledge_points": [], "domains": []}
    data = {k: v for k, v in data.items() if v is not None}  # an empty field is not sent (no bank chosen)
    response = client.post(reverse("questions:question-edit", args=[question.pk]), data)
    successor = Question.objects.get(is_latest=True)
    assert response.url == reverse("questions:question-detail", args=[successor.pk])
    assert (successor.version, successor.answer, successor.lineage_id) == (2, [False], question.pk)
    assert client.get(reverse("questions:question-edit", args=[question.pk])).status_code == 404  # old version


def test_publish_and_retire_from_the_detail_page(instructor, auditor):
    question = make_question("blank", status="draft")
    client = login(instructor)
    client.post(reverse("questions:question-status", args=[question.pk]), {"action": "publish"})
    question.refresh_from_db()
    assert question.status == "published"
    assert login(auditor).post(reverse("questions:question-status", args=[question.pk]),
                               {"action": "retire"}).status_code == 403  # fmt: skip


def test_bulk_tagging_from_the_list(instructor, org):
    knowledge_tree_seed()
    first, second, untouched = make_question("single"), make_question("judge"), make_question("blank")
    from zhifa.questions.models import KnowledgePoint

    point = KnowledgePoint.objects.get(code="law-licensing")
    response = login(instructor).post(reverse("questions:question-tag"), {
        "questions": [first.pk, second.pk], "add_points": [point.pk], "add_domains": [org.market_domain.pk],
        "next": "/questions/?kind=single",
    })  # fmt: skip
    assert response.url == "/questions/?kind=single"
    assert list(first.knowledge_points.all()) == [point] and list(second.domains.all()) == [org.market_domain]
    assert not untouched.knowledge_points.exists()


def test_the_duplicates_page_groups_near_identical_questions(instructor):
    a = make_question("single", stem="执法人员当场作出行政处罚决定的，应当向当事人出示执法证件")
    b = make_question("single", stem="执法人员当场作出行政处罚决定时，应当向当事人出示执法证件。")
    make_question("single", stem="行政复议机关收到申请后应当在五日内进行审查")
    response = login(instructor).get(reverse("questions:duplicate-list"), {"threshold": "0.7"})
    groups = response.context["groups"]
    assert [sorted(q.pk for q in group) for group in groups] == [sorted([a.pk, b.pk])]


def test_import_upload_preview_and_confirm(instructor):
    knowledge_tree_seed()
    client = login(instructor)
    upload = SimpleUploadedFile("试题.xlsx", spreadsheet.template_workbook())
    response = client.post(reverse("questions:import-page"), {"file": upload, "pending_citations": "on"})
    batch = QuestionImport.objects.get()
    assert response.url == reverse("questions:import-detail", args=[batch.pk])
    assert batch.status == "previewed" and batch.summary["created"] == 5 and not Question.objects.exists()
    page = client.get(response.url).content.decode()
    assert "确认导入" in page and "单选题 1" in page
    client.post(response.url, {"publish": "1"})
    batch.refresh_from_db()
    assert batch.status == "committed" and Question.objects.filter(status="published").count() == 5
    client.post(response.url, {"publish": "1"})  # a second confirmation imports nothing again
    assert Question.objects.count() == 5


def test_a_bad_upload_lists_the_rows_to_fix_and_imports_nothing(instructor):
    client = login(instructor)
    upload = SimpleUploadedFile("坏.xlsx", spreadsheet.template_workbook())  # no knowledge tree: unknown points
    response = client.post(reverse("questions:import-page"), {"file": upload})
    page = client.get(response.url).content.decode()
    assert "“行政处罚程序”不在知识点树中" in page and "确认导入" not in page
    client.post(response.url)
    assert not Question.objects.exists()


def test_template_and_exports_download(instructor):
    make_question("single", external_id="E-1")
    client = login(instructor)
    template = client.get(reverse("questions:import-template"))
    assert load_workbook(io.BytesIO(template.content))["试题"]["A1"].value == "题型"
    jsonl = client.get(reverse("questions:question-export", args=["jsonl"]), {"kind": "single"})
    assert json.loads(jsonl.content.decode().splitlines()[0])["id"] == "E-1"
    xlsx = client.get(reverse("questions:question-export", args=["xlsx"]))
    assert load_workbook(io.BytesIO(xlsx.content))["试题"]["Q2"].value == "E-1"


def test_the_import_page_polls_while_the_file_is_being_checked(instructor):
    batch = QuestionImport.objects.create(
        uploaded_by=instructor, filename="大文件.xlsx", format="xlsx", sha256="0" * 64
    )
    client = login(instructor)
    page = client.get(reverse("questions:import-detail", args=[batch.pk])).content.decode()
    assert "正在逐行检查文件" in page and 'hx-trigger="every 2s"' in page
    fragment = client.get(reverse("questions:import-detail", args=[batch.pk]), headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="batch"')
    client.post(reverse("questions:import-detail", args=[batch.pk]))  # not checked yet: cannot be confirmed
    batch.refresh_from_db()
    assert batch.status == "checking"


def test_a_batch_whose_file_vanished_fails_with_a_message(instructor):
    from zhifa.questions.tasks import question_import_check_task

    batch = QuestionImport.objects.create(uploaded_by=instructor, filename="x.xlsx", format="xlsx", sha256="0" * 64,
                                          file="question_imports/missing.xlsx")  # fmt: skip
    with pytest.raises(FileNotFoundError):
        question_import_check_task.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed" and "文件处理意外中止" in batch.errors[0]["message"]
