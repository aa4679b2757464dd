"""Practice through HTTP: the session API, syncing reviews, pages, mastery, the heatmap, generated items."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from zhifa.laws.models import Law, LawVersion, Provision
from zhifa.practice import services
from zhifa.practice.models import Mastery, ReviewLog
from zhifa.questions.models import Question

TZ = ZoneInfo("Asia/Shanghai")


def post_reviews(client, reviews):
    return client.post("/api/v1/practice/reviews", json.dumps({"reviews": reviews}), content_type="application/json")


def test_the_session_gives_the_officer_his_items_with_feedback_material(client, officer, bank):
    client.force_login(officer.user)
    body = client.get("/api/v1/practice/session").json()
    ids = {item["id"] for item in body["items"]}
    assert bank["questions"][5].pk not in ids  # another domain
    assert bank["questions"][0].pk in ids
    item = next(i for i in body["items"] if i["id"] == bank["questions"][0].pk)
    assert item["answer"] == ["B"] and [o["label"] for o in item["options"]] == ["A", "B", "C", "D"]


def test_offline_reviews_sync_once_even_when_resent(client, officer, bank):
    client.force_login(officer.user)
    q = bank["questions"][0]
    reviews = [
        {
            "client_id": "u1",
            "question_id": q.pk,
            "response": ["B"],
            "response_ms": 9000,
            "reviewed_at": "2026-05-04T09:00:00+08:00",
        },
        {
            "client_id": "u2",
            "question_id": bank["questions"][2].pk,
            "response": False,
            "response_ms": 4000,
            "reviewed_at": "2026-05-04T09:01:00+08:00",
        },
    ]
    first = post_reviews(client, reviews).json()["results"]
    assert [r["ok"] for r in first] == [True, True] and not any(r["duplicate"] for r in first)
    again = post_reviews(client, reviews).json()["results"]
    assert all(r["duplicate"] for r in again)
    assert ReviewLog.objects.filter(officer=officer).count() == 2


def test_a_review_of_a_question_outside_the_officers_scope_is_refused(client, officer, bank):
    client.force_login(officer.user)
    results = post_reviews(client, [{"client_id": "x", "question_id": bank["questions"][5].pk, "response": ["A"]}])
    assert results.json()["results"][0]["ok"] is False
    assert "不在您的练习范围" in results.json()["results"][0]["error"]
    assert not ReviewLog.objects.exists()


def test_an_answer_to_an_earlier_version_edited_meanwhile_still_counts_for_the_card(client, officer, bank, instructor):
    from zhifa.questions.services import question_update

    old = bank["questions"][0]
    new = question_update(question=old, by=instructor, stem="修改后的题干")
    assert new.pk != old.pk
    client.force_login(officer.user)
    results = post_reviews(client, [{"client_id": "v1", "question_id": old.pk, "response": ["B"]}]).json()["results"]
    assert results[0]["ok"] is True
    log = ReviewLog.objects.get(client_id="v1")
    assert log.question_id == old.pk and log.card.question_id == old.lineage_id


def test_a_batch_from_a_phone_with_a_wrong_clock_is_put_on_the_server_clock(client, officer, bank):
    client.force_login(officer.user)
    now = timezone.now()
    phone = now - timedelta(hours=5)  # the phone is five hours behind
    reviews = [
        {
            "client_id": "k",
            "question_id": bank["questions"][0].pk,
            "response": ["B"],
            "reviewed_at": (phone - timedelta(minutes=3)).isoformat(),
        },
    ]
    body = {"sent_at": phone.isoformat(), "reviews": reviews}
    response = client.post("/api/v1/practice/reviews", json.dumps(body), content_type="application/json")
    assert response.json()["results"][0]["ok"] is True
    recorded = ReviewLog.objects.get(client_id="k").reviewed_at
    assert abs(recorded - (now - timedelta(minutes=3))) < timedelta(seconds=30)


@pytest.mark.parametrize(
    "payload",
    [
        {"reviews": [{"question_id": 1}]},  # no client_id
        {"reviews": [{"client_id": "", "question_id": 1}]},
        {"reviews": [{"client_id": "a", "question_id": "x"}]},
        {"reviews": [{"client_id": "a", "question_id": 1, "response_ms": -5}]},
        {"nothing": True},
    ],
)
def test_malformed_sync_payloads_are_refused_and_change_nothing(client, officer, bank, payload):
    client.force_login(officer.user)
    response = client.post("/api/v1/practice/reviews", json.dumps(payload), content_type="application/json")
    assert response.status_code == 422
    assert not ReviewLog.objects.exists()


def test_pages_of_the_practice_home_for_an_officer(client, officer, bank):
    client.force_login(officer.user)
    services.review_record(
        officer=officer,
        question=bank["questions"][2],
        response=False,
        response_ms=3000,
        client_id="m",
        reviewed_at=None,
    )
    home = client.get("/practice/").content.decode()
    assert "开始今日练习" in home and "错题本（1）" in home
    book = client.get("/practice/mistakes/").content.decode()
    assert "廉洁自律" in book
    assert "未引用法条" in client.get("/practice/mistakes/?by=article").content.decode()
    assert client.get("/practice/play/").status_code == 200


def test_the_mistakes_book_reads_in_a_fixed_number_of_queries(client, officer, bank):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(officer.user)
    client.get("/practice/mistakes/")  # the first request of a session also writes the session
    counts = []
    for i, question in enumerate(bank["questions"][:5]):
        services.review_record(
            officer=officer, question=question, response=None, response_ms=1000, client_id=f"w{i}", reviewed_at=None
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/practice/mistakes/").status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, f"queries grow with the number of mistakes: {counts}"
    assert counts[0] <= 15


def test_mastery_is_computed_per_knowledge_point_and_shown_as_a_map(client, officer, bank):
    at = datetime(2026, 5, 4, 9, tzinfo=TZ)
    for i, question in enumerate(bank["questions"][:2]):  # both on 行政处罚程序
        services.review_record(
            officer=officer,
            question=question,
            response=question.answer,
            response_ms=9000,
            client_id=f"k{i}",
            reviewed_at=at,
            now=at,
        )
    rows = services.mastery_compute(now=datetime(2026, 5, 6, 9, tzinfo=TZ))
    assert rows == 1
    mastery = Mastery.objects.get(officer=officer)
    assert mastery.knowledge_point == bank["procedure"] and mastery.cards == 2 and 0 < mastery.recall < 1
    client.force_login(officer.user)
    assert "行政处罚程序" in client.get("/practice/mastery/").content.decode()


def test_the_heatmap_shows_an_administrator_only_his_subtree(client, officer, outsider, unit_admin, bank):
    at = datetime(2026, 5, 4, 9, tzinfo=TZ)
    for who in (officer, outsider):
        services.review_record(
            officer=who,
            question=bank["questions"][2],
            response=True,
            response_ms=5000,
            client_id=f"h{who.pk}",
            reviewed_at=at,
            now=at,
        )
    services.mastery_compute(now=at)
    client.force_login(unit_admin)
    page = client.get("/practice/manage/heatmap/").content.decode()
    assert "东城区市场监督管理局" in page
    assert "西城区交通运输局" not in page


@pytest.fixture
def hearing_article(db):
    law = Law.objects.create(title="中华人民共和国行政处罚法", short_title="行政处罚法")
    version = LawVersion.objects.create(law=law, version_date="2021-01-22", checksum="x", is_current=True)
    return Provision.objects.create(
        version=version,
        kind="article",
        position=1,
        label="第六十四条",
        number=64,
        key="行政处罚法#第六十四条",
        text="听证应当依照以下程序组织：（一）当事人要求听证的，应当在行政机关告知后五日内提出；",
    )


def test_generated_items_wait_for_an_instructor_before_reaching_officers(client, officer, instructor, hearing_article):
    created = services.generated_items_create(articles=[(hearing_article.key, hearing_article.text)])
    assert created >= 1
    assert services.generated_items_create(articles=[(hearing_article.key, hearing_article.text)]) == 0
    pending = Question.objects.filter(source="generated", status="review")
    client.force_login(officer.user)
    assert not any(i["id"] in {q.pk for q in pending} for i in client.get("/api/v1/practice/session").json()["items"])
    reviewer = Client()
    reviewer.force_login(instructor)
    queue = reviewer.get("/practice/manage/generated/").content.decode()
    assert "《行政处罚法》第六十四条" in queue and "[" not in queue.split("<tbody>")[-1]  # no raw keys or literals
    item = pending.first()
    reviewer.post(f"/practice/manage/generated/{item.pk}/review/", {"decision": "approve"})
    item.refresh_from_db()
    assert item.status == "published"
    ids = {i["id"] for i in client.get("/api/v1/practice/session").json()["items"]}
    assert item.pk in ids


def test_an_officer_cannot_review_generated_items(client, officer, hearing_article):
    services.generated_items_create(articles=[(hearing_article.key, hearing_article.text)])
    item = Question.objects.filter(source="generated").first()
    client.force_login(officer.user)
    assert client.post(f"/practice/manage/generated/{item.pk}/review/", {"decision": "approve"}).status_code == 404
    item.refresh_from_db()
    assert item.status == "review"
