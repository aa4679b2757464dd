"""Citations through the law library, and the demo seed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from zhifa.laws.models import Citation
from zhifa.laws.services import law_import_text
from zhifa.questions import citations, sample_bank, services
from zhifa.questions.models import KnowledgePoint, Question
from zhifa.questions.seeding import sample_bank_seed

LAW = """中华人民共和国行政处罚法
2021年1月22日第十三届全国人民代表大会常务委员会第二十五次会议修订

第一章 总则

第一条 为了规范行政处罚的设定和实施，制定本法。

第二条 行政处罚是指行政机关依法对违反行政管理秩序的公民、法人或者其他组织，以减损权益或者增加义务的方式予以惩戒的行为。
"""


@pytest.fixture
def law(db):
    return law_import_text(text=LAW, source_name="行政处罚法.txt", version_date=dt.date(2021, 1, 22))


def test_known_articles_become_citations(law, instructor):
    question = services.question_create(kind="judge", stem="题", answer=[True], by=instructor,
                                        article_keys=["《行政处罚法》第2条"])  # fmt: skip
    assert question.article_keys == ["行政处罚法#第二条"]
    assert citations.cited_keys(question) == ["行政处罚法#第二条"]
    assert Citation.objects.get().created_by == instructor


def test_pending_keys_are_cited_once_the_law_arrives(db):
    question = services.question_create(kind="judge", stem="题", answer=[True], pending_citations=True,
                                        article_keys=["行政处罚法#第一条"])  # fmt: skip
    assert citations.pending_keys(question) == ["行政处罚法#第一条"]
    law_import_text(text=LAW, source_name="行政处罚法.txt", version_date=dt.date(2021, 1, 22))
    assert services.question_citations_refresh() == 1
    assert citations.pending_keys(question) == []


def test_an_unknown_article_of_a_known_law_is_refused(law):
    with pytest.raises(services.QuestionInvalid, match="行政处罚法#第九十九条"):
        services.question_create(kind="judge", stem="题", answer=[True], article_keys=["行政处罚法#第九十九条"])


def test_the_seed_builds_the_tree_and_the_sample_bank_of_every_kind_and_is_idempotent(db, capsys):
    total = len(sample_bank.QUESTIONS)
    call_command("seed_questions")
    out = capsys.readouterr().out
    assert f"知识点 18 个；试题 新建 {total}" in out and "暂未关联" in out
    assert KnowledgePoint.objects.get(code="ethics-empathy").parent.name == "职业道德"
    kinds = set(Question.objects.filter(parent__isnull=True).values_list("kind", flat=True))
    assert kinds == {"single", "multiple", "judge", "blank", "short", "case"}
    case = Question.objects.get(external_id="zhifa-sample-c01")
    assert case.sub_questions.count() == 4 and case.status == "published"
    call_command("seed_questions")
    assert f"新建 0，更新 0，未变 {total}" in capsys.readouterr().out
    assert Question.objects.filter(parent__isnull=True).count() == total == 50


def test_the_seed_cites_articles_of_laws_already_imported(law):
    report = sample_bank_seed()
    assert "行政处罚法#第二条" not in report.pending_keys
    assert any(key.startswith("行政处罚法#") for key in report.pending_keys)  # only 第一、二条 exist in this law


def test_after_seed_laws_the_sample_regulations_are_cited(db, capsys):
    call_command("seed_laws")
    report = sample_bank_seed()
    assert "江北市行政执法人员培训管理办法#第五条" not in report.pending_keys
    question = Question.objects.get(external_id="zhifa-sample-s14")
    assert citations.cited_keys(question) == ["江北市行政执法人员培训管理办法#第五条"]
