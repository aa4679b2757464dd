"""Both backends rank exactly as the reference BM25 (documents.bm25_score), so they agree with each other.

The suite runs once on SQLite (FTS5) and once on PostgreSQL (tsvector + GIN): each run checks its backend."""

import pytest

from zhifa.laws.models import LawVersion
from zhifa.laws.search.backends import AND, OR, Filters, Match, get_backend
from zhifa.laws.search.documents import Weights, bm25_score, contains
from zhifa.laws.search.indexing import documents_for, index_law, index_rebuild

pytestmark = pytest.mark.django_db
WEIGHTS = Weights(words=1.0, bigrams=0.7, title=2.5)


def corpus():
    return [d for v in LawVersion.objects.filter(is_current=True) for d in documents_for(v)]


def expected(match: Match, docs, filters: Filters | None = None, weights: Weights = WEIGHTS):
    filters = filters or Filters()

    def allowed(d):
        return (filters.regions is None or d.region in filters.regions) and (
            filters.categories is None or d.category in filters.categories
        )

    test = all if match.mode == AND else any
    found = [d for d in docs if allowed(d) and test(contains(d, c) for c in match.clauses)]
    scored = [(d.id, bm25_score(d, list(match.clauses), docs, weights)) for d in found]
    return sorted(scored, key=lambda item: (-item[1], item[0]))


MATCHES = [
    Match.build(words=["行政处罚"], mode=AND),
    Match.build(words=["行政机关", "听证"], mode=AND),
    Match.build(words=["听证", "夫妻", "赔偿"], mode=OR),
    Match.build(words=["处罚法"], mode=AND),  # found through the law title
    Match.build(bigrams=["夫妻", "财产", "离婚", "听证"], mode=OR),
    Match.build(words=["当事人"], phrases=[("告知", "知当", "当事", "事人")], mode=AND),
    Match.build(phrases=[("要求", "求听", "听证")], mode=AND),
    Match.build(words=["行政机关"], phrases=[("听证",), ("告知", "知当", "当事", "事人")], mode=AND),
    Match.build(words=["夫妻"], phrases=[("夫妻", "妻共", "共同")], mode=OR),
    Match.build(words=["没有这个词"], mode=AND),
]


@pytest.mark.parametrize("match", MATCHES, ids=lambda m: " ".join(c.term for c in m.clauses))
def test_ranking_equals_the_reference_bm25(search_laws, match):
    docs = corpus()
    ranked = get_backend().rank(match, filters=Filters(), weights=WEIGHTS, limit=50)
    reference = expected(match, docs)
    assert [doc_id for doc_id, _ in ranked] == [doc_id for doc_id, _ in reference]
    assert [score for _, score in ranked] == pytest.approx([score for _, score in reference], rel=1e-9)


def test_filters_restrict_the_ranking(search_laws):
    docs = corpus()
    match = Match.build(words=["行政处罚"], mode=AND)
    for filters in (Filters(regions=("", "江北省")), Filters(categories=("local_regulation",)), Filters(regions=())):
        ranked = get_backend().rank(match, filters=filters, weights=WEIGHTS, limit=50)
        assert [i for i, _ in ranked] == [i for i, _ in expected(match, docs, filters)]


def test_law_and_domain_filters(search_laws, org):
    law = search_laws["江北省市场监督管理条例"]
    law.domains.add(org.market_domain)
    match = Match.build(words=["行政处罚"], mode=AND)
    by_law = get_backend().rank(match, filters=Filters(law_ids=(law.pk,)), weights=WEIGHTS, limit=50)
    by_domain = get_backend().rank(
        match, filters=Filters(domain_ids=(org.market_domain.pk,)), weights=WEIGHTS, limit=50
    )
    assert len(by_law) == 1 and by_law == by_domain


def same_ranking(a, b) -> bool:
    return [i for i, _ in a] == [i for i, _ in b] and [s for _, s in a] == pytest.approx([s for _, s in b])


def test_reindexing_a_law_and_rebuilding_give_the_same_ranking_as_the_first_index(search_laws):
    match = Match.build(bigrams=["处罚", "听证", "夫妻"], mode=OR)
    before = get_backend().rank(match, filters=Filters(), weights=WEIGHTS, limit=50)
    for law in search_laws.values():
        index_law(law)
    assert same_ranking(get_backend().rank(match, filters=Filters(), weights=WEIGHTS, limit=50), before)
    assert index_rebuild() == get_backend().count() == len(corpus())
    assert same_ranking(get_backend().rank(match, filters=Filters(), weights=WEIGHTS, limit=50), before)


def test_a_law_without_current_version_leaves_the_index(search_laws):
    law = search_laws["民法典"]
    law.versions.update(is_current=False)
    index_law(law)
    ranked = get_backend().rank(Match.build(words=["夫妻"]), filters=Filters(), weights=WEIGHTS, limit=50)
    assert ranked == []
