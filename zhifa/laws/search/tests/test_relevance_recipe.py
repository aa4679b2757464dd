"""The ranking recipe's relevance parts: deep candidate pools and the law evidence of the pool."""

import pytest

from zhifa.laws.search import engine
from zhifa.laws.search.backends import Filters, get_backend
from zhifa.laws.search.resolve import laws_of_ids

pytestmark = pytest.mark.django_db

QUESTION = "请问行政处罚的当事人怎么要求听证？"


def laws_of(ranked: list[engine.Ranked]) -> list[str]:
    laws = laws_of_ids([r.id for r in ranked])
    return [laws[r.id] for r in ranked]


def test_law_evidence_lifts_the_articles_of_the_law_the_pool_points_at(search_laws):
    backend = get_backend()
    plain = engine.rank(backend, QUESTION, filters=Filters(), limit=3, recipe=engine.variant(law_evidence=0.0))
    lifted = engine.rank(backend, QUESTION, filters=Filters(), limit=3, recipe=engine.variant(law_evidence=1.0))
    assert "行政处罚法" in laws_of(plain) and set(laws_of(plain)) != {"行政处罚法"}
    assert laws_of(lifted) == ["行政处罚法"] * 3  # the law most of the pool belongs to
    assert [r.score for r in lifted] == sorted((r.score for r in lifted), reverse=True)


def test_keyword_queries_rank_as_before(search_laws):
    backend = get_backend()
    for share in (0.0, 1.0):
        ranked = engine.rank(backend, "听证", filters=Filters(), limit=2, recipe=engine.variant(law_evidence=share))
        assert [r.id for r in ranked] == [
            r.id for r in engine.rank(backend, "听证", filters=Filters(), limit=2, recipe=engine.variant())
        ]


def test_a_pool_deeper_than_the_page_is_the_default_for_questions():
    assert engine.DEPTH >= 1000  # keyword queries still rank only as deep as asked (test_keyword_queries_rank…)


@pytest.mark.parametrize(
    "text",
    ["不予受理 驳回起诉", "不予答复 不产生实际影响的行为", "金融借款合同纠纷 民间借贷司法解释", "行政许可 隐瞒情况"],
)
def test_a_list_of_keywords_separated_by_spaces_is_ranked_as_keywords(text):
    parsed = engine.parse_query(text)
    assert len(parsed.words) + len(parsed.phrases) > engine.KEYWORD_MAX_TERMS or parsed.dropped
    assert engine.is_keywords(parsed, engine.DEFAULT)
    assert not engine.is_keywords(parsed, engine.variant(keyword_lists=False))


@pytest.mark.parametrize(
    "text",
    [
        "外卖骑手与平台企业之间是劳动关系吗",  # one chunk, a question word
        "如何 判断信息公开申请中“内容描述”是否明确具体?",  # spaces, but punctuation
        "村小组分给我承包土地之后 ，要求我允许别人自由通过我的土地，我可以拒绝吗？",
        "行政机关 在作出行政处罚决定之前应当告知当事人",  # a chunk longer than a keyword
    ],
)
def test_questions_and_sentences_stay_questions(text):
    assert not engine.is_keywords(engine.parse_query(text), engine.DEFAULT)


@pytest.mark.parametrize("text", ["附义务的赠与合同", "帮助信息网络犯罪活动罪", "一年期贷款市场报价利率", "债权让与"])
def test_a_short_term_without_a_question_marker_is_ranked_as_keywords(text):
    parsed = engine.parse_query(text)
    assert len(parsed.words) + len(parsed.phrases) > engine.KEYWORD_MAX_TERMS or parsed.dropped
    assert engine.is_keywords(parsed, engine.DEFAULT)
    assert not engine.is_keywords(parsed, engine.variant(keyword_term_chars=0))


@pytest.mark.parametrize("text", ["居住权是什么？", "专利权能设立质权吗", "导游有哪些义务", "商标可以共存吗"])
def test_a_short_question_stays_a_question(text):
    assert not engine.is_keywords(engine.parse_query(text), engine.DEFAULT)


def test_a_term_keeps_the_stop_words_it_is_typed_with(search_laws):
    """ "债权让与": jieba cuts 让与 into two stop-words; dropped, the search would be for 债权 alone."""
    backend = get_backend()
    calls = []
    original = backend.rank

    def spy(match, **kwargs):
        calls.append({c.term for c in match.clauses})
        return original(match, **kwargs)

    backend.rank = spy
    engine.rank(backend, "债权让与", filters=Filters(), limit=3)
    assert {"债权", "让", "与"} <= calls[0]
