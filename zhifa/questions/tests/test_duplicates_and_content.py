"""Pure modules: near-duplicate search against brute force, and the content helpers."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhifa.questions import content
from zhifa.questions.content import QuestionData
from zhifa.questions.duplicates import duplicate_groups, jaccard, shingles, similar_pairs


def brute_force(texts, threshold, size=3):
    found = set()
    for (a, x), (b, y) in itertools.combinations(texts, 2):
        sx, sy = shingles(x, size), shingles(y, size)
        if sx and sy and jaccard(sx, sy) >= threshold:
            found.add(frozenset((a, b)))
    return found


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="行政处罚听证告知", min_size=0, max_size=14), min_size=0, max_size=12),
    st.sampled_from([0.5, 0.6, 0.75, 0.8, 0.9, 1.0]),
)
def test_prefix_filtering_finds_exactly_the_pairs_brute_force_finds(texts, threshold):
    keyed = list(enumerate(texts))
    found = {frozenset((p.first, p.second)) for p in similar_pairs(keyed, threshold=threshold)}
    assert found == brute_force(keyed, threshold)


def test_pairs_are_sorted_and_grouped():
    texts = [(1, "行政机关应当在五日内审查"), (2, "行政机关应当在五日内审查。"), (3, "行政机关应当在五日内审查完毕"),
             (4, "完全不同的一道题目内容")]  # fmt: skip
    pairs = similar_pairs([(k, content.fingerprint_text(t)) for k, t in texts], threshold=0.7)
    assert pairs[0].similarity == 1.0 and {pairs[0].first, pairs[0].second} == {1, 2}
    assert duplicate_groups(pairs) == [[1, 2, 3]]


def test_a_bad_threshold_is_refused():
    with pytest.raises(ValueError):
        similar_pairs([], threshold=0)


@given(st.text(max_size=60))
def test_stem_html_is_idempotent_and_keeps_the_text(text):
    once = content.stem_html(text)
    assert content.stem_html(once) == once
    assert "<script" not in once.lower()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("行政处罚法#第四十四条", "行政处罚法#第四十四条"),
        ("《中华人民共和国行政处罚法》第44条", "行政处罚法#第四十四条"),
        ("行政处罚法第四十四条第一款", "行政处罚法#第四十四条"),
        ("刑法#第一百三十三条之一", "刑法#第一百三十三条之一"),
        ("政府信息公开条例 第 33 条", "政府信息公开条例#第三十三条"),
        ("随便写写", None),
    ],
)
def test_article_keys_are_read_in_the_usual_spellings(text, expected):
    assert content.article_key(text) == expected


@pytest.mark.parametrize(
    "value, expected", [(None, 3), ("", 3), (2, 2), (4.0, 4), ("５", 5), ("较难", 4), ("难", 5), (6, None), ("x", None)]
)
def test_difficulty_from_text(value, expected):
    assert content.difficulty_from_text(value) == expected


def test_stems_from_plain_text_export_back_as_the_same_text():
    for text in ["a<b 且 c>d", "第一行\n第二行", "A&B", "含有\x1f控制字符"]:
        stored = content.stem_html(text)
        assert content.stem_for_export(stored) == content.clean_text(text)
    assert content.stem_for_export("<p><b>粗体</b></p>") == "<p><b>粗体</b></p>"


def test_the_content_hash_ignores_classification_but_not_the_answer():
    base = QuestionData(kind="single", stem="题", answer=["A"], options={"A": "甲", "B": "乙"})
    assert content.content_hash(base) == content.content_hash(base.with_(knowledge_points=("x",), external_id="1"))
    assert content.content_hash(base) != content.content_hash(base.with_(answer=["B"]))


def test_problem_messages_name_their_column():
    data = QuestionData(kind="single", stem="", answer=["E"], options={"A": "甲", "B": "乙"}, difficulty=9)
    columns = {content.problem_column(m) for m in content.problems(data)}
    assert columns == {"题干", "难度", "答案"}
