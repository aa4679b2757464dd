import pytest

pytestmark = pytest.mark.django_db
URL = "/api/v1/laws/search"


def get(client, user, **params):
    client.force_login(getattr(user, "user", user))
    return client.get(URL, params)


def test_a_question_finds_the_article_that_answers_it(client, officer, search_laws):
    response = get(client, officer, q="违法行为过了两年没被发现还会处罚吗？追诉时效")
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert first["key"] == "行政处罚法#第三十六条"
    assert first["law"] == "行政处罚法" and first["title"] == "行政处罚法 第三十六条"
    assert "<mark>追诉时效</mark>" in first["snippet"]
    assert (
        first["score"] > 0
        and first["url"]
        == "/laws/%E8%A1%8C%E6%94%BF%E5%A4%84%E7%BD%9A%E6%B3%95/%E7%AC%AC%E4%B8%89%E5%8D%81%E5%85%AD%E6%9D%A1/"
    )


def test_keywords_are_matched_all_together_first(client, officer, search_laws):
    keys = [r["key"] for r in get(client, officer, q="听证 罚款").json()["results"]]
    assert keys[0] == "行政处罚法#第六十三条"


def test_the_law_title_counts_as_a_field(client, officer, search_laws):
    keys = [r["key"] for r in get(client, officer, q="民法典 经营", scope="all").json()["results"]]
    assert keys[0] == "民法典#第五十四条"


def test_limit_and_filters(client, officer, search_laws):
    results = get(client, officer, q="行政处罚", limit=2, scope="all").json()["results"]
    assert len(results) == 2
    local = get(client, officer, q="行政处罚", scope="all", category="local_regulation").json()["results"]
    assert {r["law"] for r in local} == {"江北省市场监督管理条例", "山东省市场监督管理条例"}
    one_law = get(client, officer, q="行政处罚", scope="all", law="民法典").json()["results"]
    assert one_law == []


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        '"',
        '"""',
        "*",
        ":",
        "NEAR",
        "NEAR(听证 罚款)",
        "(",
        ")",
        "-听证",
        "听证 AND OR NOT",
        '"行政处罚',
        "行政处罚*",
        "title:听证",
        "听证" * 3000,
        "\x00",
        "'; DROP TABLE laws_law; --",
        "{words}: 听证",
        "^听证",
        "听证 + 罚款",
    ],
)
def test_bad_input_gives_a_clear_answer_never_an_error(client, officer, search_laws, q):
    response = get(client, officer, q=q, scope="all")
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_empty_query_gives_no_results(client, officer, search_laws):
    assert get(client, officer, q="").json() == {"results": []}


def test_an_unknown_scope_is_refused_with_the_accepted_ones(client, officer, search_laws):
    response = get(client, officer, q="听证", scope="mars")
    assert response.status_code == 400
    assert "national" in response.json()["message"]


def test_a_bad_limit_is_refused_and_a_huge_one_capped(client, officer, search_laws):
    assert get(client, officer, q="听证", limit="abc").status_code in (400, 422)
    assert get(client, officer, q="处罚", limit=100000, scope="all").status_code == 200
    assert get(client, officer, q="处罚", limit=-5, scope="all").status_code == 200


def test_anonymous_callers_are_refused(client, search_laws):
    assert client.get(URL, {"q": "听证"}).status_code == 401
