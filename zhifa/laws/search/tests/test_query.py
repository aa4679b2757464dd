import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhifa.laws.search.query import MAX_QUERY_CHARS, MAX_TERMS, parse_query


def test_question_words_without_legal_meaning_are_dropped():
    parsed = parse_query("请问行政处罚的追诉时效是多久？")
    assert "请问" not in parsed.words and "的" not in parsed.words
    assert "追诉时效" in parsed.words


def test_a_query_of_only_stop_words_is_searched_as_typed():
    assert parse_query("是什么").words


def test_quoted_text_becomes_a_phrase_of_bigrams():
    parsed = parse_query("“责令改正” 罚款")
    assert ("责令", "令改", "改正") in parsed.phrases
    assert "罚款" in parsed.words


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("“育、保护未成年子女”", ("保护", "护未", "未成", "成年", "年子", "子女")),  # 育 ends 教育 in the article
        ("“自由受法律保护。任”", ("自由", "由受", "受法", "法律", "律保", "保护")),  # 任 starts 任何
        ("“不得转让，但是”", ("不得", "得转", "转让", "但是")),  # whole runs on both sides stay
        ("“甲、乙、丙”", ("甲", "乙", "丙")),  # nothing longer to keep: as typed
        ("“前款、第二款”", ("前款", "第二", "二款")),
    ],
)
def test_a_quoted_phrase_leaves_out_a_lone_character_cut_off_at_its_edge(text, phrase):
    assert parse_query(text).phrases == (phrase,)


@pytest.mark.django_db
def test_a_quoted_phrase_cut_at_a_lone_character_finds_the_article(search_laws):
    from zhifa.laws.search.queries import SearchRequest, search_articles

    found = search_articles(request=SearchRequest(q="“一，应当从轻”", scope="all"))  # 一 ends 之一
    assert [r.key for r in found] == ["行政处罚法#第三十二条"]


@pytest.mark.parametrize("text", ["", "   ", '"', '""', "***", ":", "NEAR", "( )", "-", "AND OR NOT", "。，！？"])
def test_syntax_characters_alone_give_an_empty_query(text):
    parsed = parse_query(text)
    assert all(term.isalnum() for term in parsed.words)
    assert parse_query(text).words in ((), ("near",), ("and", "or", "not"))


def test_long_input_is_cut():
    parsed = parse_query("行政处罚" * 5000)
    assert len(parsed.text) == MAX_QUERY_CHARS
    assert len(parsed.bigrams) <= MAX_TERMS


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=400)
    | st.text(alphabet="\"*:()-^{}[]+NEARORAND行政处罚 “”'", max_size=60)
)
def test_any_input_parses_into_plain_terms(text):
    parsed = parse_query(text)
    for term in [*parsed.words, *parsed.bigrams, *(t for p in parsed.phrases for t in p)]:
        assert term.isalnum()
    assert len(parsed.words) <= MAX_TERMS and len(parsed.phrases) <= MAX_TERMS
