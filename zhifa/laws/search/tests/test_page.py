import pytest

pytestmark = pytest.mark.django_db
URL = "/laws/search/"


def test_the_page_answers_as_the_user_types(client, officer, search_laws):
    client.force_login(officer.user)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    # no hx-trigger filter (htmx evaluates filters with eval, which the CSP refuses): common/ime_input.js
    assert 'data-ime-input hx-trigger="ime-input changed delay:300ms, search"' in html and "[!event" not in html
    assert "common/ime_input.js" in html and 'name="category"' in html
    # the text typed last wins: a new search aborts the one in flight (htmx's default drops the new one, so a
    # question still being answered for "当事人要求听" kept its results after "…期限是多久" was typed)
    assert 'hx-sync="closest form:replace"' in html and 'hx-sync="this:replace"' in html
    fragment = client.get(URL, {"q": "要求听证"}, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "<html" not in text
    assert "行政处罚法 第六十三条" in text and "<mark>" in text
    assert "/laws/%E8%A1%8C%E6%94%BF%E5%A4%84%E7%BD%9A%E6%B3%95/%E7%AC%AC%E5%85%AD%E5%8D%81%E4%B8%89%E6%9D%A1/" in text


def test_the_full_page_shows_results_without_javascript(client, officer, search_laws):
    client.force_login(officer.user)
    html = client.get(URL, {"q": "个体工商户"}).content.decode()
    assert "民法典 第五十四条" in html and "<html" in html


def test_snippets_escape_the_article_text(client, officer, search_laws):
    from zhifa.laws.search.tests.conftest import create_law

    create_law("测试条例", "测试条例", "departmental_rule", "", [("第一条", "<script>alert(1)</script> 听证程序")])
    client.force_login(officer.user)
    html = client.get(URL, {"q": "听证程序"}, headers={"HX-Request": "true"}).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_nothing_found_and_bad_scope_are_explained(client, officer, search_laws):
    client.force_login(officer.user)
    assert "没有找到" in client.get(URL, {"q": "宇宙飞船"}, headers={"HX-Request": "true"}).content.decode()
    assert "未知的检索范围" in client.get(URL, {"q": "听证", "scope": "x"}).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


def test_an_index_this_server_cannot_open_is_explained_not_a_server_error(
    client, officer, search_laws, tmp_path, settings, monkeypatch, caplog
):
    """A full disk or a wrong owner on the index directory costs the search, not the page: the officer is told to
    try later, the API answers 503, and the log names the directory and the fix."""
    from zhifa.laws.search import backends

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    settings.ZHIFA_SEARCH_INDEX = blocker / "index"
    monkeypatch.setattr(backends, "_backend", None)  # an app server starting on the broken directory
    client.force_login(officer.user)
    page = client.get(URL, {"q": "听证"})
    assert page.status_code == 200 and "法规检索暂时不可用" in page.content.decode()
    assert f"{blocker}" in caplog.text and "ZHIFA_SEARCH_INDEX" in caplog.text
    api = client.get("/api/v1/laws/search", {"q": "听证"})
    assert api.status_code == 503 and api.json()["code"] == "search_unavailable"
    assert client.get("/laws/").status_code == 200  # browsing the library still works
