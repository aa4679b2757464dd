"""Top-k ranking reads only part of the index (PostgreSQL: impact-ordered postings, stopped by a MaxScore bound)
and must still give exactly the reference BM25's best k, whatever k, weights, filters and index history.

Small rounds (first_round = 1: one posting per term, then 8, 64 …) make the early stop decide on this small corpus."""

import pytest

from zhifa.laws.models import Law
from zhifa.laws.search.backends import AND, OR, Filters, Match, get_backend
from zhifa.laws.search.documents import Weights
from zhifa.laws.search.indexing import index_law
from zhifa.laws.search.tests.conftest import LAWS, create_law
from zhifa.laws.search.tests.test_backends import corpus, expected

pytestmark = pytest.mark.django_db

WORD_MATCHES = [
    Match.build(words=["行政处罚"], mode=AND),
    Match.build(words=["当事人"], mode=AND),
    Match.build(words=["行政机关", "听证"], mode=AND),
    Match.build(words=["当事人", "行政处罚"], mode=AND),
    Match.build(words=["听证", "夫妻", "赔偿"], mode=OR),
    Match.build(words=["当事人", "行政处罚", "食品", "没有这个词"], mode=OR),
    Match.build(words=["处罚法", "当事人"], mode=OR),  # the title field
    Match.build(words=["没有这个词", "当事人"], mode=AND),
]


@pytest.fixture
def small_rounds(monkeypatch):
    monkeypatch.setattr(type(get_backend()), "first_round", 1, raising=False)


def check(match: Match, weights: Weights, filters: Filters, limit: int) -> None:
    ranked = get_backend().rank(match, filters=filters, weights=weights, limit=limit)
    reference = expected(match, corpus(), filters, weights=weights)[:limit]
    assert [doc_id for doc_id, _ in ranked] == [doc_id for doc_id, _ in reference]
    assert [score for _, score in ranked] == pytest.approx([score for _, score in reference], rel=1e-9)


@pytest.mark.parametrize("match", WORD_MATCHES, ids=lambda m: f"{m.mode} " + " ".join(c.term for c in m.clauses))
@pytest.mark.parametrize("weights", [Weights(), Weights(words=1.0, bigrams=0.7, title=2.5), Weights(title=0.5)])
def test_top_k_equals_the_reference_for_every_k(search_laws, small_rounds, match, weights):
    for limit in (1, 2, 3, 5, 50):
        for filters in (Filters(), Filters(regions=("",)), Filters(regions=("", "江北省"), categories=("law",))):
            check(match, weights, filters, limit)


def test_top_k_is_exact_after_the_average_length_moved(db, small_rounds):
    """The impacts were computed with the first law's average length; later laws move the average."""
    laws = [create_law(*key, articles) for key, articles in list(LAWS.items())[:1]]
    laws += [create_law(*key, articles) for key, articles in list(LAWS.items())[1:]]
    laws += [create_law("长文条例", "长文条例", Law.Category.LAW, "", [("第一条", "当事人" + "申请听证的期限。" * 40)])]
    for match in WORD_MATCHES:
        for limit in (1, 2, 4):
            check(match, Weights(), Filters(), limit)
    index_law(laws[0])  # re-indexed documents keep the old impact average
    for match in WORD_MATCHES:
        check(match, Weights(), Filters(regions=("",)), 2)


def test_a_single_phrase_is_ranked_under_filters_with_its_document_frequency_over_all_laws(search_laws):
    match = Match.build(phrases=[("听证", "证权", "权利")], mode=AND)
    for filters in (Filters(), Filters(regions=("",)), Filters(regions=("山东省",)), Filters(regions=())):
        check(match, Weights(), filters, 10)
