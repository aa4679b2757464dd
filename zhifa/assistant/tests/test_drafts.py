"""Authors draft practice questions from articles into the review queue; nothing reaches officers unreviewed."""

import datetime as dt

import pytest
from django.urls import reverse

from zhifa.assistant import drafting
from zhifa.assistant.tests.stub_llm import StubLLM
from zhifa.laws.models import LawVersion, Provision
from zhifa.questions.models import Question

pytestmark = pytest.mark.django_db

TEXT = "当事人要求听证的，应当在行政机关告知后五日内提出；行政机关应当在举行听证的七日前通知当事人。"


def test_single_choice_drafts_blank_a_number_the_article_holds():
    drafts = drafting.single_choice_from_article("行政处罚法#第六十四条", TEXT)
    assert len(drafts) == 2
    first = drafts[0]
    assert "（\u3000）内提出" in first.stem and len(first.options) == 4
    assert first.options["ABCD".index(first.answer)] == "五日"
    assert drafts == drafting.single_choice_from_article("行政处罚法#第六十四条", TEXT)  # deterministic


def test_model_drafts_are_kept_only_when_the_answer_is_in_the_article():
    reply = (
        '[{"stem": "听证谁组织？", "options": ["组织听证", "b", "c", "d"], "answer": "A"},'
        ' {"stem": "x", "options": ["甲", "b", "c", "d"], "answer": "A"}, 3]'
    )
    kept = drafting.drafts_from_model_reply(reply, "行政处罚法#第六十三条", "行政机关应当组织听证。")
    assert [d.stem for d in kept] == ["听证谁组织？"]
    assert drafting.drafts_from_model_reply("not json", "k", "t") == []


def test_an_instructor_drafts_into_the_review_queue(client, instructor, officer, laws, settings):
    client.force_login(instructor)
    with StubLLM("drafts") as stub:
        settings.LLM_URL, settings.LLM_MODEL = stub.url, "stub"
        response = client.post(
            reverse("assistant:drafts"), {"keys": "行政处罚法#第六十三条\n行政处罚法#第36条", "use_model": "1"}
        )
    assert response.status_code == 200 and "已起草" in response.content.decode()
    drafted = Question.objects.filter(source="generated")
    assert drafted.exists() and set(drafted.values_list("status", flat=True)) == {Question.Status.REVIEW}
    assert drafted.filter(kind="single", stem__contains="行政机关应当怎么做").count() == 1  # the model's good draft
    assert not drafted.filter(stem__contains="听证费用").exists()  # its ungrounded one
    again = client.post(reverse("assistant:drafts"), {"keys": "行政处罚法#第六十三条\n行政处罚法#第36条"})
    assert "已起草 0 道新题" in again.content.decode()
    client.force_login(officer.user)
    assert client.get(reverse("assistant:drafts")).status_code == 404


def test_bad_keys_and_laws_are_named_and_nothing_is_drafted(client, instructor, laws):
    client.force_login(instructor)
    for data, message in (
        ({"keys": "行政处罚法#第九百条"}, "法规库中没有这一条"),
        ({"keys": "随便写"}, "条文键“随便写”"),
        ({"keys": ""}, "请至少写一个条文键"),
        ({"law": "不存在法"}, "法规库中没有“不存在法”"),
        ({"law": "行政处罚法"}, "只有一个版本"),
    ):
        response = client.post(reverse("assistant:drafts"), data)
        assert response.status_code == 400 and message in response.content.decode()
    assert not Question.objects.exists()


def test_a_new_versions_changed_articles_are_drafted(client, instructor, laws):
    law = laws["行政处罚法"]
    old = law.versions.get()
    old.is_current = False
    old.status = LawVersion.Status.AMENDED
    old.save()
    new = LawVersion.objects.create(
        law=law, version_date=dt.date(2023, 1, 1), is_current=True, checksum="new", status=LawVersion.Status.IN_FORCE
    )
    for position, p in enumerate(old.provisions.order_by("position"), start=1):
        text = p.text if p.label != "第六十三条" else p.text + "行政机关应当在听证结束后十日内作出决定。"
        Provision.objects.create(version=new, kind=p.kind, position=position, label=p.label, text=text, key=p.key)
    client.force_login(instructor)
    response = client.post(reverse("assistant:drafts"), {"law": "行政处罚法"})
    assert response.status_code == 200, response.content.decode()
    keys = {k for q in Question.objects.filter(source="generated") for k in q.article_keys}
    assert keys == {"行政处罚法#第六十三条"}
