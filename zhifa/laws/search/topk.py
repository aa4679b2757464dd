"""Exact top-k BM25 for word matches over impact-ordered postings: one algorithm, pure Python, both backends.

Each backend keeps `laws_search_posting`: one row per (word or title term, article) with the two term
frequencies, the article's length and region and its *impact* = BM25's saturation with the default field weights
(words 1, title 2) and the average length recorded when the first documents were indexed (`impact_avg`). The
backend only reads rows (`PostingSource`); the ranking decisions are all here, so SQLite and PostgreSQL read the
same postings in the same order and return the same top k, equal to the exhaustive BM25 ranking
(`tests/test_topk.py` checks every k on a small fixture).

- AND of several words: when the rarest word has few postings (≤ SMALL), all of them joined with the others (one
  statement), all scored. Else its best postings first, the others looked up by (term, article); stop when no
  unread article of the rarest word can beat the k-th (its last impact read + the others' best impacts); else
  the join.
- OR, or one word: when all terms together have few postings (≤ SMALL), all read and scored. Else each term's best
  postings, the seen articles completed and scored exactly; stop when no unseen
  article can beat the k-th (Σ idf × the last impact read); else MaxScore: the terms whose upper bounds together
  stay below the k-th cannot bring an article into the top k alone, so only the others' postings are read in full
  and the rest looked up for the articles that could still make it; else 8× more postings.

Bounds are multiplied by a correction for other weights (max(1, words weight, title weight / 2)) and for the
average length having moved since the impacts were computed (max(1, avg / impact_avg)): impacts are computed once.

Before all that, *packed lists*: a word in at most PACKED_MAX_DF articles also has all its postings of a region as
one binary value (`laws_search_postlist`, POSTLIST_DTYPE, kept by `index_refresh`). When the only filter is the
scope (regions) and every word is packed (AND: at least one; the others are looked up for the articles the packed
ones have in common), the lists are read whole in one statement and the articles scored with numpy: an OR of five
mid-frequency words reads 5,000–15,000 postings, 2 µs each as rows, 20 ms on PostgreSQL; packed it takes 2 ms.
The scores are the same floating-point operations in the same order as `_Ranking.scores`, so the ranking is
identical (tests/test_topk.py compares both paths).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from zhifa.laws.search.backends.base import AND, Filters, Match
from zhifa.laws.search.documents import K1, B, Weights, idf

FIRST_ROUND = 8  # the first round reads FIRST_ROUND × limit postings per term
FULL_READ = 30000  # MaxScore: read the essential terms' postings in full when they hold at most this many
SMALL = 3000  # postings of all terms together (OR) or of the rarest term (AND) that are read at once, no rounds:
# one statement is cheaper than the rounds' three or four (≈ 0.5–1 ms each on PostgreSQL under load)
PACKED_MAX_DF = 50000  # words in at most this many articles get packed lists: for 140k articles all but 7 words
# (的, 条 …), 6.5M postings, 130 MB. An AND looks up its words above this for the articles the others share.
PACKED_MAX_LOOKUP = 5000  # AND: at most this many articles in common looked up for the words not packed
POSTLIST_DTYPE = np.dtype([("doc", "<i8"), ("wtf", "<i4"), ("ttf", "<i4"), ("dl", "<i4")])  # sorted by doc

Frequencies = dict[int, dict[str, tuple[int, int]]]  # article → term → (words tf, title tf)


@dataclass(frozen=True)
class WordStats:
    n_docs: int
    avg: float  # average document length now
    impact_avg: float  # the average length the impacts were computed with
    dfs: tuple[int, ...]  # document frequency of each term, in the order asked
    packed: tuple[bool, ...] = ()  # whether each term's packed lists are current (laws_search_term.packed)


class PostingSource(Protocol):
    """What a backend reads for `rank_words`; rows are plain tuples."""

    def word_stats(self, terms: Sequence[str]) -> WordStats: ...

    def best_postings(
        self, terms: Sequence[str], filters: Filters, size: int | None
    ) -> Iterable[tuple[str, int, int, int, int, float]]:
        """(term, article, wtf, ttf, dl, impact): each term's best `size` postings (all when None) under the
        filters, by impact descending then article id."""
        ...

    def lookup(self, terms: Sequence[str], doc_ids: Sequence[int]) -> Iterable[tuple[str, int, int, int]]:
        """(term, article, wtf, ttf) of every posting of these terms in these articles (no filters)."""
        ...

    def conjunction(
        self, terms: Sequence[str], filters: Filters
    ) -> Iterable[tuple[int, int, Sequence[tuple[int, int]]]]:
        """(article, dl, ((wtf, ttf) per term)) of the articles under the filters holding every term; the first
        term is the rarest (its postings are read, the others looked up)."""
        ...

    def packed(self, terms: Sequence[str], regions: Sequence[str] | None) -> Iterable[tuple[str, bytes]]:
        """(term, POSTLIST_DTYPE bytes) of each packed term's list in each of these regions (None: all) that
        holds postings; only asked for terms whose WordStats.packed is True."""
        ...


def rank_words(
    source: PostingSource,
    match: Match,
    *,
    filters: Filters,
    weights: Weights,
    limit: int,
    first_round: int = FIRST_ROUND,
    full_read: int = FULL_READ,
    small: int = SMALL,
    rows_max: int | None = None,
) -> list[tuple[int, float]] | None:
    """The exact BM25 top `limit` of a match of word clauses only, best first, ties by article id; None when the
    packed lists cannot answer and `limit` is deeper than `rows_max` (the caller has a cheaper way there)."""
    terms = list(dict.fromkeys(c.term for c in match.clauses))
    if not terms or limit <= 0:
        return []
    stats = source.word_stats(terms)
    if not stats.n_docs:
        return []
    ranking = _Ranking(terms, [idf(stats.n_docs, df) for df in stats.dfs], stats.avg, weights, match.mode)
    factor = max(1.0, weights.words, weights.title / Weights().title) * max(1.0, stats.avg / stats.impact_avg)
    factor *= 1 + 1e-9  # rounding of the stored impacts
    dfs = dict(zip(terms, stats.dfs, strict=True))
    if match.mode == AND and min(dfs.values()) == 0:
        return []
    if _scope_only(filters):
        flags = stats.packed or (False,) * len(terms)
        packed = {t for t, ok, df in zip(terms, flags, stats.dfs, strict=True) if ok and df}
        ranked = _rank_packed(source, ranking, dfs, packed, filters.regions, limit)
        if ranked is not None:
            return ranked
    if rows_max is not None and limit > rows_max:
        return None
    if match.mode == AND and len(terms) > 1:
        return _conjunction(source, ranking, dfs, filters, limit, max(1, first_round * limit), factor, small)
    if sum(dfs.values()) <= small:  # every posting at once
        seen: Frequencies = {}
        lengths: dict[int, int] = {}
        for term, doc_id, wtf, ttf, dl, _impact in source.best_postings([t for t in terms if dfs[t]], filters, None):
            seen.setdefault(doc_id, {})[term] = (wtf, ttf)
            lengths[doc_id] = dl
        return ranking.scores(seen, lengths)[:limit]
    return _disjunction(source, ranking, dfs, filters, limit, max(1, first_round * limit), factor, full_read)


class _Ranking:
    """The query's terms, idfs and weights; scores the articles whose frequencies are known."""

    def __init__(self, terms: list[str], idfs: list[float], avg: float, weights: Weights, mode: str) -> None:
        self.terms, self.idfs, self.avg, self.weights, self.mode = terms, idfs, avg, weights, mode
        self.idf = dict(zip(terms, idfs, strict=True))

    def scores(
        self, seen: Frequencies, lengths: dict[int, int], terms: list[str] | None = None
    ) -> list[tuple[int, float]]:
        """Exact BM25 of the seen articles that match (all terms for AND), best first, ties by id; with `terms`,
        the partial score over those terms of every seen article. (documents.saturate, inlined: this loop runs
        over thousands of articles per query.)"""
        require_all = terms is None and self.mode == AND
        terms = self.terms if terms is None else terms
        n_terms = len(self.terms)
        factors = [(term, self.idf[term] * (K1 + 1.0)) for term in terms]
        words, title = self.weights.words, self.weights.title
        base, slope = K1 * (1.0 - B), K1 * B / self.avg
        scored = []
        for doc_id, found in seen.items():
            if require_all and len(found) < n_terms:
                continue
            norm, score = base + slope * lengths[doc_id], 0.0
            for term, factor in factors:
                tf = found.get(term)
                if tf is not None:
                    f = words * tf[0] + title * tf[1]
                    if f:
                        score += factor * f / (f + norm)
            scored.append((doc_id, score))
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored

    def reaching(self, seen: Frequencies, lengths: dict[int, int], terms: list[str], floor: float) -> list[int]:
        """The seen articles whose score over `terms` alone is at least `floor` (unsorted: MaxScore's candidates)."""
        factors = [(term, self.idf[term] * (K1 + 1.0)) for term in terms]
        words, title = self.weights.words, self.weights.title
        base, slope = K1 * (1.0 - B), K1 * B / self.avg
        found_ids = []
        for doc_id, found in seen.items():
            norm, score = base + slope * lengths[doc_id], 0.0
            for term, factor in factors:
                tf = found.get(term)
                if tf is not None:
                    f = words * tf[0] + title * tf[1]
                    score += factor * f / (f + norm)
            if score >= floor:
                found_ids.append(doc_id)
        return found_ids


def _complete(
    source: PostingSource, seen: Frequencies, terms: list[str], doc_ids: Iterable[int], done: set[int]
) -> None:
    """Fill in the frequencies of `terms` these articles have but whose postings were not read; `done` holds the
    articles already completed (an article without a term stays without it: it is not looked up again)."""
    missing = [d for d in doc_ids if d not in done and any(t not in seen[d] for t in terms)]
    if missing:
        for term, doc_id, wtf, ttf in source.lookup(terms, missing):
            seen[doc_id].setdefault(term, (wtf, ttf))
    done.update(missing)


def _conjunction(
    source: PostingSource,
    ranking: _Ranking,
    dfs: dict[str, int],
    filters: Filters,
    limit: int,
    size: int,
    factor: float,
    small: int,
) -> list[tuple[int, float]]:
    """AND: the rarest term's best postings with the others looked up (when it has more than `size`); all of them
    joined when that cannot decide."""
    terms = ranking.terms
    rarest = min(terms, key=lambda t: (dfs[t], t))
    others = [t for t in terms if t != rarest]
    if dfs[rarest] > max(size, small):
        seen: Frequencies = {}
        lengths: dict[int, int] = {}
        last = 0.0
        rows = list(source.best_postings([rarest], filters, size))
        for _term, doc_id, wtf, ttf, dl, impact in rows:
            seen[doc_id] = {rarest: (wtf, ttf)}
            lengths[doc_id] = dl
            last = impact
        if len(rows) < size:  # every article of the rarest term under the filters was read
            _complete(source, seen, terms, list(seen), set())
            return ranking.scores(seen, lengths)[:limit]
        best = {t: 0.0 for t in others}  # the others' best impacts (over all regions: still an upper bound)
        for term, *_, impact in source.best_postings(others, Filters(), 1):
            best[term] = impact
        _complete(source, seen, terms, list(seen), set())
        scored = ranking.scores(seen, lengths)
        bound = (ranking.idf[rarest] * last + sum(ranking.idf[t] * best[t] for t in others)) * factor
        if len(scored) >= limit and bound < scored[limit - 1][1]:
            return scored[:limit]
    seen, lengths = {}, {}
    for doc_id, dl, freqs in source.conjunction([rarest, *others], filters):
        seen[doc_id] = dict(zip([rarest, *others], freqs, strict=True))
        lengths[doc_id] = dl
    return ranking.scores(seen, lengths)[:limit]


def _disjunction(
    source: PostingSource,
    ranking: _Ranking,
    dfs: dict[str, int],
    filters: Filters,
    limit: int,
    size: int,
    factor: float,
    full_read: int,
) -> list[tuple[int, float]]:
    """OR (or a single term): threshold rounds over the best postings, then MaxScore, exact."""
    terms = [t for t in ranking.terms if dfs[t]]
    if not terms:
        return []
    seen: Frequencies = {}
    lengths: dict[int, int] = {}
    top: dict[str, float] = {}
    done: set[int] = set()
    while True:
        rows = list(source.best_postings(terms, filters, size))
        read = Counter(row[0] for row in rows)
        last = {term: 0.0 for term in terms}
        for term, doc_id, wtf, ttf, dl, impact in rows:
            seen.setdefault(doc_id, {})[term] = (wtf, ttf)
            lengths[doc_id] = dl
            last[term] = impact
            top.setdefault(term, impact)
        exhausted = {t for t in terms if read[t] < size}
        _complete(source, seen, terms, list(seen), done)
        scored = ranking.scores(seen, lengths)
        if len(exhausted) == len(terms):
            return scored[:limit]
        threshold = scored[limit - 1][1] if len(scored) >= limit else 0.0
        bound = sum(ranking.idf[t] * last[t] for t in terms if t not in exhausted)
        if bound * factor < threshold:
            return scored[:limit]
        upper = {t: ranking.idf[t] * top.get(t, 0.0) * factor for t in terms}
        minor: list[str] = []
        for term in sorted(terms, key=lambda t: (upper[t], t)):
            if sum(upper[t] for t in minor) + upper[term] >= threshold:
                break
            minor.append(term)
        essential = [t for t in terms if t not in minor and t not in exhausted]
        if minor and sum(dfs[t] for t in essential) <= full_read:
            break
        size *= 8
    # MaxScore: every article outside the essential terms' postings scores below the threshold
    for term, doc_id, wtf, ttf, dl, _impact in source.best_postings(essential, filters, None):
        seen.setdefault(doc_id, {})[term] = (wtf, ttf)
        lengths[doc_id] = dl
    major = [t for t in terms if t not in minor]
    minor_bound = sum(upper[t] for t in minor)
    hopeful = ranking.reaching(seen, lengths, major, threshold - minor_bound)
    # the major terms' postings are all read (essential) or were (exhausted): only the minor ones are missing
    _complete(source, seen, minor, hopeful, done)
    return ranking.scores({doc_id: seen[doc_id] for doc_id in hopeful}, lengths)[:limit]


def _scope_only(filters: Filters) -> bool:
    """The packed lists are split by region only: any other filter needs the posting rows."""
    return (
        filters.categories is None
        and filters.statuses is None
        and filters.law_ids is None
        and filters.domain_ids is None
    )


def _rank_packed(
    source: PostingSource,
    ranking: _Ranking,
    dfs: dict[str, int],
    packed: set[str],
    regions: Sequence[str] | None,
    limit: int,
) -> list[tuple[int, float]] | None:
    """The top `limit` from the packed lists (None when they cannot answer: OR with a term not packed, AND with
    none packed or too many articles in common to look the others up)."""
    terms = ranking.terms
    present = [t for t in terms if dfs[t]]
    if ranking.mode == AND:
        if not packed:
            return None
    elif not present or any(t not in packed for t in present):
        return None
    chunks: dict[str, list[np.ndarray]] = {t: [] for t in terms if t in packed}
    for term, data in source.packed([t for t in terms if t in packed], regions):
        chunks[term].append(np.frombuffer(data, dtype=POSTLIST_DTYPE))
    lists = {t: _by_doc(parts) for t, parts in chunks.items()}
    if ranking.mode == AND:
        shortest, *rest = sorted(lists.values(), key=len)
        docs = shortest["doc"]
        for postings in rest:
            docs = np.intersect1d(docs, postings["doc"], assume_unique=True)
        others = [t for t in terms if t not in lists]
        if others and len(docs):
            if len(docs) > PACKED_MAX_LOOKUP:
                return None
            looked_up: dict[str, list[tuple[int, int, int]]] = {t: [] for t in others}
            for term, doc_id, wtf, ttf in source.lookup(others, docs.tolist()):
                looked_up[term].append((doc_id, wtf, ttf))
            for term, rows in looked_up.items():  # lengths from the packed lists: every article here is in them
                found = np.array(sorted(rows), dtype=np.int64).reshape(-1, 3)
                postings = np.zeros(len(found), dtype=POSTLIST_DTYPE)
                postings["doc"], postings["wtf"], postings["ttf"] = found[:, 0], found[:, 1], found[:, 2]
                lists[term] = postings
                docs = np.intersect1d(docs, postings["doc"], assume_unique=True)
    else:
        docs = np.unique(np.concatenate([postings["doc"] for postings in lists.values()]))
    if not len(docs):
        return []
    return _top(ranking, docs, lists, packed, limit)


def _by_doc(parts: list[np.ndarray]) -> np.ndarray:
    """One term's postings over the regions read, sorted by article (each region's list already is)."""
    if not parts:
        return np.zeros(0, dtype=POSTLIST_DTYPE)
    if len(parts) == 1:
        return parts[0]
    joined = np.concatenate(parts)
    return joined[np.argsort(joined["doc"], kind="stable")]


def _top(
    ranking: _Ranking, docs: np.ndarray, lists: dict[str, np.ndarray], packed: set[str], limit: int
) -> list[tuple[int, float]]:
    """BM25 of the articles `docs` (sorted) over the terms' lists, best `limit` first, ties by article id: the
    operations of _Ranking.scores, term by term in the same order, so the floats are the same. The lengths come
    from the packed lists (each article here is in one of them; looked-up rows carry none)."""
    words, title = ranking.weights.words, ranking.weights.title
    base, slope = K1 * (1.0 - B), K1 * B / ranking.avg
    lengths = np.zeros(len(docs), dtype=np.float64)
    found: list[tuple[str, np.ndarray, np.ndarray]] = []
    for term in ranking.terms:
        postings = lists.get(term)
        if postings is None or not len(postings):
            continue
        at = np.minimum(np.searchsorted(postings["doc"], docs), len(postings) - 1)
        hit = postings["doc"][at] == docs
        found.append((term, at, hit))
        if term in packed:
            lengths = np.where(hit, postings["dl"][at], lengths)
    norm = base + slope * lengths
    scores = np.zeros(len(docs), dtype=np.float64)
    for term, at, hit in found:
        postings = lists[term]
        f = words * postings["wtf"][at].astype(np.float64) + title * postings["ttf"][at].astype(np.float64)
        factor = ranking.idf[term] * (K1 + 1.0)
        scores += np.where(hit & (f != 0), factor * f / (f + norm), 0.0)  # norm ≥ k1 (1 − b) > 0
    if len(docs) > limit:
        kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        keep = scores >= kth
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[:limit]
    return [(int(docs[i]), float(scores[i])) for i in order]
