"""Issue 22 item 2: a citation to an article the library lacks opens a Chinese "not in the library" page (404),
never Django's English error page; keys are shown as 《法》第X条, never raw."""

from __future__ import annotations

from django.template import Context, Template

from zhifa.common.text import article_key_display
from zhifa.laws.tests.test_pages import library  # noqa: F401  (the sample library fixture)


def test_a_law_the_library_lacks_gets_a_chinese_page(client, officer, db):
    client.force_login(officer.user)
    response = client.get("/laws/行政处罚法/第四十二条/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "《行政处罚法》第四十二条" in page and "法规库中暂无该条文" in page and "返回法规库" in page
    assert "Page not found" not in page and "行政处罚法#" not in page


def test_an_article_the_law_lacks_gets_a_chinese_page_linking_the_law(client, officer, library):  # noqa: F811
    client.force_login(officer.user)
    short_title = "江北市行政执法人员培训管理办法"
    response = client.get(f"/laws/{short_title}/第九百九十九条/")
    page = response.content.decode()
    assert response.status_code == 404
    assert f"《{short_title}》第九百九十九条" in page and "法规库中暂无该条文" in page
    assert "Page not found" not in page and f"查看《{short_title}》现有条文" in page


def test_keys_read_as_law_and_article():
    assert article_key_display("行政处罚法#第四十二条") == "《行政处罚法》第四十二条"
    assert Template("{% load zhifa_text %}{{ k|article_key }}").render(Context({"k": "产品质量法#第五十条"})) == (
        "《产品质量法》第五十条"
    )
