"""Top-k ranking reads only part of the index (impact-ordered postings, stopped by threshold and MaxScore bounds,
topk.py, on both backends) and must still give exactly the reference BM25's best k, whatever k, weights, filters
and index history. The suite runs on SQLite and on PostgreSQL: each run checks its backend against the same
reference, so the two agree; the pure tests at the end check the algorithm itself over an in-memory source.

Small rounds (first_round = 1: one posting per term, then 8, 64 …) make the early stop decide on this small corpus."""

from collections import Counter

import numpy as np
import pytest
from django.db import connection

from zhifa.laws.models import Law
from zhifa.laws.search import topk
from zhifa.laws.search.backends import AND, OR, Filters, Match, get_backend
from zhifa.laws.search.documents import IndexDocument, Weights, make_document, saturate
from zhifa.laws.search.indexing import index_law, index_refresh
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
    Match.build(words=["当事人", "听证", "行政机关"], mode=AND),
]


@pytest.fixture
def small_rounds(monkeypatch):
    monkeypatch.setattr(type(get_backend()), "first_round", 1, raising=False)
    monkeypatch.setattr(type(get_backend()), "small", 0, raising=False)  # rounds, not the read-everything shortcut


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


@pytest.mark.parametrize("max_df", [10**6, 2])  # every word packed / only words in ≤ 2 articles (AND looks up the rest)
def test_the_packed_lists_give_the_same_floats_as_the_posting_rows(search_laws, small_rounds, monkeypatch, max_df):
    backend = get_backend()
    rows = {}
    for match in WORD_MATCHES:
        for weights in (Weights(), Weights(words=1.0, bigrams=0.7, title=2.5)):
            for filters in (
                Filters(),
                Filters(regions=("",)),
                Filters(regions=("江北省", "山东省")),
                Filters(regions=()),
            ):
                for limit in (1, 3, 50):
                    rows[match, weights, filters, limit] = backend.rank(
                        match, filters=filters, weights=weights, limit=limit
                    )
    monkeypatch.setattr(topk, "PACKED_MAX_DF", max_df)
    assert backend.refresh(batch_postings=7, batch_terms=5) > 0  # small chunks: several transactions
    read = Counter()
    packed = type(backend).packed
    monkeypatch.setattr(type(backend), "packed", lambda *a: read.update(["packed"]) or packed(*a))
    for (match, weights, filters, limit), expected_rows in rows.items():
        ranked = backend.rank(match, filters=filters, weights=weights, limit=limit)
        assert ranked == expected_rows, (match, filters, limit)
        check(match, weights, filters, limit)
    # every word packed: all but the matches with a word in no article (an empty AND) read the lists, twice
    assert read["packed"] >= (len(rows) * 3 // 2 if max_df > 2 else 1)


def test_a_changed_word_is_ranked_from_its_rows_until_the_lists_are_refreshed(search_laws, monkeypatch):
    """Adding or removing articles marks their words' lists stale; stale lists are never read."""
    backend = get_backend()
    index_refresh()
    stats = lambda *terms: backend.word_stats(list(terms)).packed  # noqa: E731
    assert stats("听证", "夫妻") == (True, True)
    law = create_law("听证程序规定", "听证程序规定", Law.Category.LAW, "", [("第一条", "听证应当公开举行。")])
    assert stats("听证", "夫妻") == (False, True)
    read = Counter()
    packed = type(backend).packed
    monkeypatch.setattr(
        type(backend), "packed", lambda self, terms, regions: read.update(terms) or packed(self, terms, regions)
    )
    for match in [*WORD_MATCHES, Match.build(words=["夫妻"]), Match.build(words=["听证"])]:
        check(match, Weights(), Filters(regions=("",)), 3)
    assert read["听证"] == 0 and read["夫妻"] > 0  # (an OR with a stale word reads no list at all)
    assert index_refresh() > 0 and stats("听证") == (True,)
    check(Match.build(words=["听证", "公开"], mode=OR), Weights(), Filters(), 10)
    backend.remove_laws([law.pk])
    law.delete()  # (the reference ranks the articles in the database)
    assert stats("听证", "举行") == (False, False)  # 举行 is gone from the index; its list goes at the refresh
    index_refresh()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM laws_search_postlist WHERE term = %s", ["举行"])
        assert cursor.fetchone()[0] == 0
    for match in WORD_MATCHES:
        check(match, Weights(), Filters(), 5)


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


def test_the_sqlite_postings_built_from_the_stored_documents_equal_the_ones_kept_on_each_add(search_laws):
    """Migration laws/0005 builds the SQLite postings from the stored documents; indexing keeps them since."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite builds its postings in migration 0005; PostgreSQL's come from 0004")
    from zhifa.laws.search.backends.sqlite import build_postings

    def snapshot():
        with connection.cursor() as cursor:
            cursor.execute("SELECT term, doc_id, region, wtf, ttf, dl FROM laws_search_posting ORDER BY term, doc_id")
            postings = cursor.fetchall()
            cursor.execute("SELECT field, term, df FROM laws_search_term ORDER BY field, term")
            terms = cursor.fetchall()
            cursor.execute("SELECT name, value FROM laws_search_meta WHERE name IN ('n_docs', 'total_length')")
            return postings, terms, sorted(cursor.fetchall())

    index_law(search_laws["民法典"])  # a removal and an add after the first indexing
    kept = snapshot()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM laws_search_posting")
        cursor.execute("DELETE FROM laws_search_term")
        build_postings(cursor)
    assert snapshot() == kept and kept[0] and kept[1]


# The algorithm alone, over postings kept in memory (no database): every path of topk.rank_words.

TEXTS = [
    ("当事人要求听证的，行政机关应当组织听证。", ""),
    ("行政机关作出行政处罚决定之前，应当告知当事人。", ""),
    ("当事人当事人当事人。", "江北省"),
    ("夫妻共同财产归夫妻共同所有。", ""),
    ("行政处罚由违法行为发生地的行政机关管辖。", "江北省"),
    ("听证由行政机关指定的非本案调查人员主持；当事人认为主持人与本案有直接利害关系的，有权申请回避。", ""),
    ("食品安全标准是强制执行的标准。", ""),
    ("当事人对行政处罚决定不服的，可以依法申请行政复议或者提起行政诉讼。", "山东省"),
]


class MemorySource:
    """topk.PostingSource over in-memory documents; impacts computed with `impact_avg`."""

    def __init__(self, documents: list[IndexDocument], impact_avg: float) -> None:
        self.documents = {d.id: d for d in documents}
        self.impact_avg = impact_avg

    def _posting(self, term: str, d: IndexDocument) -> tuple[str, int, int, int, int, float] | None:
        wtf, ttf = d.words.count(term), d.title.count(term)
        if not (wtf or ttf):
            return None
        return (term, d.id, wtf, ttf, d.length, saturate(wtf + 2 * ttf, d.length, self.impact_avg))

    def word_stats(self, terms):
        docs = list(self.documents.values())
        dfs = tuple(sum(1 for d in docs if self._posting(t, d)) for t in terms)
        return topk.WordStats(len(docs), sum(d.length for d in docs) / len(docs), self.impact_avg, dfs)

    def best_postings(self, terms, filters, size):
        rows = []
        for term in terms:
            found = [
                p
                for d in self.documents.values()
                if (filters.regions is None or d.region in filters.regions) and (p := self._posting(term, d))
            ]
            found.sort(key=lambda p: (-p[5], p[1]))
            rows += found if size is None else found[:size]
        return rows

    def lookup(self, terms, doc_ids):
        postings = (self._posting(t, self.documents[i]) for t in terms for i in doc_ids)
        return [p[:4] for p in postings if p]

    def conjunction(self, terms, filters):
        rows = []
        for d in self.documents.values():
            postings = [self._posting(t, d) for t in terms]
            if all(postings) and (filters.regions is None or d.region in filters.regions):
                rows.append((d.id, d.length, [(p[2], p[3]) for p in postings if p]))
        return rows


class PackedMemorySource(MemorySource):
    """MemorySource with packed lists for the words in at most `max_df` documents."""

    def __init__(self, documents: list[IndexDocument], impact_avg: float, max_df: int) -> None:
        super().__init__(documents, impact_avg)
        self.max_df = max_df

    def word_stats(self, terms):
        stats = super().word_stats(terms)
        return topk.WordStats(
            stats.n_docs, stats.avg, stats.impact_avg, stats.dfs, tuple(0 < df <= self.max_df for df in stats.dfs)
        )

    def packed(self, terms, regions):
        lists = {}
        for term in terms:
            for d in sorted(self.documents.values(), key=lambda d: d.id):
                if (p := self._posting(term, d)) and (regions is None or d.region in regions):
                    lists.setdefault((term, d.region), []).append((d.id, p[2], p[3], d.length))
        return [(term, np.array(rows, dtype=topk.POSTLIST_DTYPE).tobytes()) for (term, _), rows in lists.items()]


@pytest.mark.parametrize("match", WORD_MATCHES, ids=lambda m: f"{m.mode} " + " ".join(c.term for c in m.clauses))
@pytest.mark.parametrize("max_df", [0, 3, 10**6])  # nothing packed / rare words only / every word
def test_the_packed_path_equals_the_exhaustive_ranking(match, max_df):
    documents = memory_documents()
    avg = sum(d.length for d in documents) / len(documents)
    rows, packed = MemorySource(documents, avg), PackedMemorySource(documents, avg, max_df)
    for weights in (Weights(), Weights(words=1.5, title=0.5), Weights(title=4.0)):
        for filters in (Filters(), Filters(regions=("",)), Filters(regions=("江北省", "山东省"))):
            reference = exhaustive(documents, match, filters, weights)
            for limit in range(1, len(documents) + 2):
                ranked = topk.rank_words(packed, match, filters=filters, weights=weights, limit=limit)
                assert ranked == topk.rank_words(rows, match, filters=filters, weights=weights, limit=limit)
                assert [i for i, _ in ranked] == [i for i, _ in reference[:limit]]


def memory_documents(repeat: int = 3) -> list[IndexDocument]:
    """The texts `repeat` times over (ties between equal documents test the order by id)."""
    return [
        make_document(
            id=i,
            law_id=1,
            version_id=1,
            key=f"k{i}",
            category="law",
            status="s",
            region=region,
            text=text,
            title="处罚法",
        )
        for i, (text, region) in enumerate(TEXTS * repeat, start=1)
    ]


def exhaustive(documents, match: Match, filters: Filters, weights: Weights) -> list[tuple[int, float]]:
    """Every matching document scored (documents.bm25_score through test_backends.expected)."""
    return expected(match, documents, filters, weights=weights)


@pytest.mark.parametrize("match", WORD_MATCHES, ids=lambda m: f"{m.mode} " + " ".join(c.term for c in m.clauses))
@pytest.mark.parametrize("impact_ratio", [1.0, 0.5, 2.0])  # the average length moved since the impacts (both ways)
@pytest.mark.parametrize("full_read", [0, 10**6])  # never / always MaxScore once the first rounds cannot decide
@pytest.mark.parametrize("small", [0, 10**6])  # rounds / everything read at once
def test_the_algorithm_equals_the_exhaustive_ranking(match, impact_ratio, full_read, small):
    documents = memory_documents()
    avg = sum(d.length for d in documents) / len(documents)
    source = MemorySource(documents, avg * impact_ratio)
    for weights in (Weights(), Weights(words=1.5, title=0.5), Weights(title=4.0)):
        for filters in (Filters(), Filters(regions=("",)), Filters(regions=("江北省",))):
            reference = exhaustive(documents, match, filters, weights)
            for limit in range(1, len(documents) + 2):
                for first_round in (1, 2, 8):
                    ranked = topk.rank_words(
                        source,
                        match,
                        filters=filters,
                        weights=weights,
                        limit=limit,
                        first_round=first_round,
                        full_read=full_read,
                        small=small,
                    )
                    assert [i for i, _ in ranked] == [i for i, _ in reference[:limit]]
                    assert [s for _, s in ranked] == pytest.approx([s for _, s in reference[:limit]], rel=1e-9)


def test_the_algorithm_stops_early_on_a_rare_and_a_common_word():
    """AND of a rarer and a common word: the rarer word's best postings decide (no join of all its postings)."""
    fillers = [  # 当事人 becomes common (its idf is floored), 行政机关 stays rare
        make_document(
            id=100 + i,
            law_id=2,
            version_id=2,
            key=f"f{i}",
            category="law",
            status="s",
            region="",
            text=t,
            title="民法典",
        )
        for i, t in enumerate(["当事人可以委托代理人。"] * 9 + ["夫妻共同财产。", "食品安全标准。"])
    ]
    documents = memory_documents(repeat=1) + fillers
    source = MemorySource(documents, sum(d.length for d in documents) / len(documents))
    calls = Counter()
    for name in ("best_postings", "lookup", "conjunction"):
        method = getattr(source, name)
        setattr(source, name, lambda *a, _m=method, _n=name: calls.update([_n]) or _m(*a))
    match = Match.build(words=["行政机关", "当事人"], mode=AND)
    ranked = topk.rank_words(source, match, filters=Filters(), weights=Weights(), limit=1, first_round=2, small=0)
    assert ranked[0][0] == exhaustive(documents, match, Filters(), Weights())[0][0]
    assert calls["conjunction"] == 0
