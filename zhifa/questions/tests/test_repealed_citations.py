"""Real banks cite repealed laws, policy opinions and conventions: imported, kept as text, sent to review."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from zhifa.laws.models import Citation, LawVersion
from zhifa.laws.services import law_import_text
from zhifa.questions import citations
from zhifa.questions.imports import questions_import
from zhifa.questions.models import Question
from zhifa.questions.tests.test_citations_and_seed import LAW

REAL = Path(settings.SHARED_DATA_DIR) / "questions" / "questions.jsonl"
CONTRACT_LAW = """中华人民共和国合同法
1999年3月15日第九届全国人民代表大会第二次会议通过

第一条 为了保护合同当事人的合法权益，维护社会经济秩序，促进社会主义现代化建设，制定本法。

第二条 本法所称合同是平等主体的自然人、法人、其他组织之间设立、变更、终止民事权利义务关系的协议。
"""


def lines(*records) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def record(n: int, *keys: str) -> dict:
    return {"id": f"r-{n}", "type": "single", "stem": f"第{n}题", "options": {"A": "甲", "B": "乙"}, "answer": ["A"],
            "cited_articles": list(keys)}  # fmt: skip


def flagged(question: Question) -> dict[str, Citation]:
    ct = ContentType.objects.get_for_model(Question)
    return {c.article_key: c for c in Citation.objects.filter(content_type=ct, object_id=question.pk)}


@pytest.fixture
def library(db):
    law_import_text(text=LAW, source_name="行政处罚法.txt", version_date=dt.date(2021, 1, 22))


def test_citations_of_absent_or_repealed_laws_import_unresolved_and_go_to_review(library, unit_admin):
    blob = lines(
        record(1, "行政处罚法#第二条"),
        record(2, "婚姻法#第二十二条"),
        record(3, "关于加强行政执法的意见#第三条", "行政处罚法#第一条"),
    )
    report = questions_import(blob=blob, fmt="jsonl")
    assert (report.errors, report.created) == ([], 3)
    assert [(u["row"], u["key"]) for u in report.unresolved] == [(2, "婚姻法#第二十二条"),
                                                                  (3, "关于加强行政执法的意见#第三条")]  # fmt: skip
    assert "已由《民法典》取代" in report.unresolved[0]["note"]
    first, second, third = Question.objects.order_by("external_id")
    assert not any(c.needs_review for c in flagged(first).values())
    marriage = flagged(second)["婚姻法#第二十二条"]
    assert marriage.version is None and marriage.needs_review and "民法典" in marriage.review_note
    assert second.article_keys == ["婚姻法#第二十二条"]  # kept as text
    assert citations.unresolved_keys(third) == ["关于加强行政执法的意见#第三条"]
    assert flagged(third)["行政处罚法#第一条"].version is not None
    # the stale-content review queue lists the two questions
    client = Client()
    client.force_login(unit_admin)
    page = client.get(reverse("laws:stale-list")).content.decode()
    assert "婚姻法#第二十二条" in page or "《婚姻法》第二十二条" in page
    assert "未关联，待复核" in client.get(reverse("questions:question-detail", args=[second.pk])).content.decode()


def test_a_wrong_article_number_of_a_law_the_library_holds_stays_an_error(library):
    report = questions_import(blob=lines(record(1, "行政处罚法#第九十九条"), record(2, "合同法#第一条")), fmt="jsonl")
    assert report.errors[0]["message"].startswith(
        "第 1 行「法条依据」：“行政处罚法#第九十九条”：法规库收录的《行政处罚法》没有该条"
    )
    assert not Question.objects.exists()


def test_a_law_the_library_holds_as_repealed_is_cited_with_its_successor_and_flagged(library):
    result = law_import_text(text=CONTRACT_LAW, source_name="合同法.txt", version_date=dt.date(1999, 3, 15))
    LawVersion.objects.filter(pk=result.version.pk).update(status=LawVersion.Status.REPEALED)
    report = questions_import(blob=lines(record(1, "合同法#第二条")), fmt="jsonl")
    assert report.errors == [] and "《合同法》已废止，已由《民法典》取代" in report.unresolved[0]["note"]
    citation = flagged(Question.objects.get())["合同法#第二条"]
    assert citation.version_id == result.version.pk and citation.needs_review
    wrong = questions_import(blob=lines(record(2, "合同法#第九百条")), fmt="jsonl")
    assert "法规库收录的《合同法》没有该条" in wrong.errors[0]["message"]


@pytest.mark.shared_data
@pytest.mark.slow
@pytest.mark.django_db
def test_a_sample_of_the_real_questions_citing_repealed_laws_imports_with_none_refused():
    if not REAL.exists():
        pytest.skip(f"shared data not found at {REAL}")
    records = [json.loads(line) for line in REAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    repealed = [r for r in records if any(k.split("#")[0] in citations.SUCCESSORS for k in r["cited_articles"])]
    plain = [r for r in records if not r["cited_articles"]][:3]
    report = questions_import(blob=lines(*repealed, *plain), fmt="jsonl")
    assert report.errors == [] and report.created == len(repealed) + 3 and repealed
    assert {u["key"].split("#")[0] for u in report.unresolved} >= {"婚姻法", "侵权责任法"}
