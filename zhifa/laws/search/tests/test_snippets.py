import pytest

from zhifa.laws.search.query import parse_query
from zhifa.laws.search.snippets import snippet


@pytest.mark.parametrize(
    "text, q, expected",
    [
        (
            "违法行为在二年内未被发现的，不再给予行政处罚。",
            "行政处罚",
            "违法行为在二年内未被发现的，不再给予<mark>行政处罚</mark>。",
        ),
        (
            "当事人要求听证的，行政机关应当组织听证。",
            '"组织听证"',
            "当事人要求听证的，行政机关应当<mark>组织听证</mark>。",
        ),
        ("a < b & c", "b", "a &lt; <mark>b</mark> &amp; c"),
        ("全角ＡＢＣ条款", "abc", "全角<mark>ＡＢＣ</mark>条款"),
        ("没有匹配", "听证", "没有匹配"),
    ],
)
def test_snippets_mark_the_query_in_escaped_text(text, q, expected):
    assert snippet(text, parse_query(q)) == expected


def test_long_articles_are_cut_around_the_matches():
    text = "甲" * 300 + "听证" + "乙" * 300
    html = snippet(text, parse_query("听证"), window=60)
    assert html.startswith("…") and html.endswith("…") and "<mark>听证</mark>" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) <= 62
