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
    assert engine.DEFAULT.depth >= 1000
    assert engine.DEFAULT.keyword_mode  # keyword queries still rank only as deep as asked
