"""The learned re-ranker of questions: candidates from the index, features, a LightGBM lambdarank model.

1. Candidates (cheap, no bigram pool): the OR ranking of the question's words (minus very common ones) from the
   index (Tantivy's BM25), `word_depth` deep; the best `law_depth` of that pool in each of the `law_top` laws the
   law classifier names; the `prior_top` articles the learned prior proposes; the law scan: of every article of
   each of the `scan_laws` laws the classifier names first, the best `scan_keep` by the question's bigrams; the
   `dense_top` articles nearest to the question in the dense space of the corpus (dense.py: LSA, no shared term
   needed). The union is at most a few hundred.
2. Features per candidate (`FEATURES`): the index's word+title BM25 and its rank, the question's bigrams and
   words counted in the article text (BM25 and idf-weighted coverage), the law title against the question, the
   classifier's P(law), the prior's article and law cosines, how often training questions cited the article,
   the pool's law evidence, article-number match, law category, validity, region, length, position, and the
   article's cosine with the question in the dense space.
3. The booster scores them; the best `limit` are returned. Keyword mode never comes here (engine.py).

The artefact (`artefact.py`) holds the booster, the prior and the classifier trained together; features for its
training are computed with models that did not see the question (cross-fitting, `training_ranker.py`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from zhifa.laws.models import Law, LawVersion
from zhifa.laws.search.backends import OR, Filters, Match, SearchBackend
from zhifa.laws.search.backends.base import filter_sql
from zhifa.laws.search.documents import BIGRAM, K1, WORD, B, Clause
from zhifa.laws.search.query import ParsedQuery

FEATURES = (
    "word_bm25",
    "word_rank",
    "in_word_pool",
    "bigram_bm25",
    "bigram_cover",
    "word_cover",
    "title_cover",
    "title_in_query",
    "law_prob",
    "law_rank",
    "prior_article",
    "prior_law",
    "article_cited",
    "law_cited",
    "law_evidence",
    "number_match",
    "category",
    "status",
    "national",
    "length",
    "position",
    "query_words",
    "dense_cos",
)
# Features a version may lack (trained before they existed): its booster reads the columns it was trained on.
OPTIONAL_FEATURES = ("dense_cos",)
CATEGORIES = tuple(Law.Category.values)
STATUSES = tuple(LawVersion.Status.values)
_ARTICLE_NUMBER = re.compile(r"第([零〇一二三四五六七八九十百千\d]+)条")


@dataclass(frozen=True)
class Settings:
    """Candidate generation (stored in the artefact with the model trained on them)."""

    word_depth: int = 1000
    word_keep: int = 300  # of the word pool, the best this many always
    law_top: int = 3
    law_depth: int = 80  # … plus the best this many of each predicted law
    prior_top: int = 50
    max_doc_freq: int = 8000
    evidence_top: int = 10
    # The law scan (docs/search.md; `train_search --law-scan 0` trains without it): of each of the `scan_laws` laws
    # the classifier names, every article scored by the question's bigrams (BM25), the best `scan_keep` — also
    # those outside the word pool (no rare question word, or below its cut).
    scan_laws: int = 3
    scan_keep: int = 40
    # The dense space (dense.py; `train_search --dense-top 0` trains without its candidates): the `dense_top`
    # articles nearest to the question, its vector expanded by the prior's articles with weight `dense_expand`.
    dense_top: int = 100
    dense_expand: float = 1.0
    # Pseudo-relevance feedback (Rocchio): the question's vector also moves, with weight `dense_feedback_weight`,
    # towards the mean vector of the word pool's best `dense_feedback` articles (0: not).
    dense_feedback: int = 0
    dense_feedback_weight: float = 0.0


# A stored version trained before a setting existed lacks it: read as this (its candidates as they were).
ABSENT = {"scan_laws": 0, "dense_top": 0, "dense_expand": 0.0, "dense_feedback": 0, "dense_feedback_weight": 0.0}


@dataclass
class Pool:
    """Candidates of one question and what the generators knew about them."""

    ids: list[int]
    word: dict[int, tuple[float, int]] = field(default_factory=dict)  # id → (BM25, rank)
    prior_articles: dict[int, float] = field(default_factory=dict)
    prior_laws: dict[str, float] = field(default_factory=dict)
    law_probs: dict[str, float] = field(default_factory=dict)
    law_evidence: dict[int, float] = field(default_factory=dict)  # law id → share of the pool's best scores
    dense_vector: np.ndarray | None = None  # the question in the dense space (None without one)


def _rarest(backend: SearchBackend, terms: Sequence[str], field_name: str, max_df: int) -> list[str]:
    if not terms:
        return []
    freqs = backend.doc_freqs([Clause(t, field_name) for t in terms])
    kept = [t for t, df in zip(terms, freqs, strict=True) if 0 < df <= max_df]
    if kept:
        return kept
    present = [(df, t) for t, df in zip(terms, freqs, strict=True) if df > 0]
    return [min(present)[1]] if present else []


def _rows(ids: list[int]) -> dict[int, tuple]:
    """(law id, law short title, category, status, region, length, text, number, label, key) per indexed id."""
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.law_id, l.short_title, d.category, d.status, d.region, d.dl, p.text, p.number, p.label,"
            " d.key FROM laws_search_document d JOIN laws_provision p ON p.id = d.id JOIN laws_law l ON l.id = d.law_id"
            f" WHERE d.id IN ({marks})",
            ids,
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def counts(texts: Sequence[str], terms: Sequence[str]) -> np.ndarray:
    """(texts × terms) occurrence counts, as `text.count(term)`: one regex scan of the joined texts per term (a
    law's thousand articles × the question's bigrams would be tens of thousands of calls of str.count)."""
    tf = np.zeros((len(texts), len(terms)))
    if not texts:
        return tf
    joined = "\x00".join(texts)
    starts = np.cumsum([0, *(len(t) + 1 for t in texts[:-1])])
    for j, term in enumerate(terms):
        found = [m.start() for m in re.finditer(re.escape(term), joined)]
        if found:
            np.add.at(tf[:, j], np.searchsorted(starts, found, side="right") - 1, 1)
    return tf


def law_scan(
    backend: SearchBackend, parsed: ParsedQuery, filters: Filters, law_ids: Sequence[int], keep: int
) -> list[int]:
    """The best `keep` articles of each law by the question's bigrams (BM25 with the index's statistics), read
    whole from the index: a law's articles are few, so this finds the relevant article of a predicted law that
    shares no word with the question (the word pool cannot: it holds only articles with a question word)."""
    bigrams = list(parsed.bigrams)
    if not law_ids or not bigrams or keep <= 0:
        return []
    where, params = filter_sql(filters)
    marks = ", ".join(["%s"] * len(law_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.law_id, d.dl, p.text FROM laws_search_document d JOIN laws_provision p ON p.id = d.id"
            f" WHERE d.law_id IN ({marks}){where}",
            [*law_ids, *params],
        )
        rows = cursor.fetchall()
    if not rows:
        return []
    stats = backend.word_stats([])
    idf = _idfs(stats.n_docs, backend.doc_freqs([Clause(b, BIGRAM) for b in bigrams]))
    tf = counts([text for _id, _law, _dl, text in rows], bigrams)
    lengths = np.array([dl for _id, _law, dl, _text in rows], dtype=float)
    scores = _bm25(tf, idf, lengths, stats.avg or 1.0)
    chosen: list[int] = []
    taken: dict[int, int] = {}
    for n in sorted(range(len(rows)), key=lambda n: (-scores[n], rows[n][0])):
        doc_id, law_id = rows[n][0], rows[n][1]
        if scores[n] > 0 and taken.get(law_id, 0) < keep:
            taken[law_id] = taken.get(law_id, 0) + 1
            chosen.append(doc_id)
    return chosen


def candidates(backend: SearchBackend, parsed: ParsedQuery, filters: Filters, models, settings: Settings) -> Pool:
    """The candidate pool of a question (see the module docstring); `models` gives prior, classifier, resolver."""
    from zhifa.laws.search import resolve

    words = _rarest(backend, list(parsed.words), WORD, settings.max_doc_freq)
    ranked = (
        backend.rank(Match.build(words=words, mode=OR), filters=filters, limit=settings.word_depth) if words else []
    )
    pool = Pool(ids=[])
    pool.word = {doc_id: (score, rank) for rank, (doc_id, score) in enumerate(ranked, start=1)}
    chosen = dict.fromkeys(doc_id for doc_id, _ in ranked[: settings.word_keep])
    pool.law_probs = models.classifier.probabilities(parsed.text) if models.classifier else {}
    laws_of = resolve.law_ids_of_ids([doc_id for doc_id, _ in ranked]) if ranked else {}
    best_laws = sorted(pool.law_probs, key=lambda law: -pool.law_probs[law])[: settings.law_top]
    if best_laws:
        law_ids = set(resolve.law_ids_of_titles(best_laws))
        taken: dict[int, int] = {}
        for doc_id, _ in ranked:
            law_id = laws_of.get(doc_id)
            if law_id in law_ids and taken.get(law_id, 0) < settings.law_depth:
                taken[law_id] = taken.get(law_id, 0) + 1
                chosen[doc_id] = None
    if settings.scan_laws and pool.law_probs:
        scanned = sorted(pool.law_probs, key=lambda law: -pool.law_probs[law])[: settings.scan_laws]
        scan_ids = resolve.law_ids_of_titles(scanned)
        chosen.update(dict.fromkeys(law_scan(backend, parsed, filters, scan_ids, settings.scan_keep)))
    evidence: dict[int, list[float]] = {}
    for doc_id, score in ranked:
        scores = evidence.setdefault(laws_of.get(doc_id, 0), [])
        if len(scores) < settings.evidence_top:
            scores.append(score)
    total = sum(sum(s) for s in evidence.values()) or 1.0
    pool.law_evidence = {law_id: sum(s) / total for law_id, s in evidence.items()}
    articles: dict[str, float] = {}
    if models.prior is not None:
        articles, pool.prior_laws = models.prior.scores(parsed)
    best = sorted(articles, key=lambda k: -articles[k])[: settings.prior_top]
    nearest: dict[str, float] = {}
    space = getattr(models, "dense", None)
    if space is not None:
        feedback: list[str] = []
        if settings.dense_feedback and settings.dense_feedback_weight and ranked:
            best_ids = [doc_id for doc_id, _ in ranked[: settings.dense_feedback]]
            key_of = resolve.keys_of_ids(best_ids)
            feedback = [key_of[doc_id] for doc_id in best_ids if doc_id in key_of]
        pool.dense_vector = space.vector(
            parsed, articles, settings.dense_expand, feedback=feedback, feedback_weight=settings.dense_feedback_weight
        )
        nearest = space.nearest(pool.dense_vector, settings.dense_top, filters.regions)
    wanted = list(dict.fromkeys([*best, *nearest]))
    key_ids = resolve.ids_of_keys(wanted) if wanted else {}
    allowed = resolve.ids_passing(list(key_ids.values()), filters)
    for key in wanted:
        found = key_ids.get(key)
        if found is not None and found in allowed:
            if key in articles:
                pool.prior_articles[found] = articles[key]
            chosen[found] = None
    pool.ids = list(chosen)
    return pool


def _number_label(text: str) -> str | None:
    from zhifa.laws.services import UnknownArticle, article_key_normalize

    found = _ARTICLE_NUMBER.search(text)
    if not found:
        return None
    try:
        return article_key_normalize(f"x#{found.group(0)}").partition("#")[2]
    except UnknownArticle:
        return None


def _bm25(tf: np.ndarray, idf: np.ndarray, lengths: np.ndarray, avg: float) -> np.ndarray:
    """BM25 of a (docs × terms) count matrix."""
    norm = K1 * (1 - B + B * lengths / avg)
    return ((tf * (K1 + 1)) / (tf + norm[:, None]) * idf[None, :]).sum(axis=1)


def _idfs(n_docs: int, dfs: Sequence[int]) -> np.ndarray:
    return np.array([max(1e-6, math.log((n_docs - df + 0.5) / (df + 0.5))) if df else 0.0 for df in dfs])


def features(backend: SearchBackend, parsed: ParsedQuery, pool: Pool, models) -> tuple[list[int], np.ndarray, list]:
    """(ids, feature matrix in FEATURES order, keys) of the pool's candidates still in the index."""
    rows = _rows(pool.ids)
    ids = [doc_id for doc_id in pool.ids if doc_id in rows]
    if not ids:
        return [], np.zeros((0, len(FEATURES))), []
    words = list(parsed.words)
    bigrams = list(parsed.bigrams)
    stats = backend.word_stats(words)
    dfs = backend.doc_freqs([Clause(b, BIGRAM) for b in bigrams])
    word_idf = _idfs(stats.n_docs, stats.dfs)
    bigram_idf = _idfs(stats.n_docs, dfs)
    avg = stats.avg or 1.0
    texts = [rows[i][6] for i in ids]
    lengths = np.array([rows[i][5] for i in ids], dtype=float)
    bigram_tf = np.array([[t.count(b) for b in bigrams] for t in texts], dtype=float).reshape(len(ids), len(bigrams))
    word_tf = np.array([[t.count(w) for w in words] for t in texts], dtype=float).reshape(len(ids), len(words))
    bigram_bm25 = _bm25(bigram_tf, bigram_idf, lengths, avg) if bigrams else np.zeros(len(ids))
    bigram_cover = (bigram_tf > 0) @ bigram_idf / (bigram_idf.sum() or 1.0) if bigrams else np.zeros(len(ids))
    word_cover = (word_tf > 0) @ word_idf / (word_idf.sum() or 1.0) if words else np.zeros(len(ids))
    keys = [rows[i][9] for i in ids]
    space = getattr(models, "dense", None)
    dense_cos = space.cosines(pool.dense_vector, keys) if space is not None else [0.0] * len(ids)
    number = _number_label(parsed.text)
    query_text = parsed.text.replace("中华人民共和国", "")
    probs = pool.law_probs
    law_rank = {law: r for r, law in enumerate(sorted(probs, key=lambda x: -probs[x]), start=1)}
    depth = len(pool.word) + 1
    matrix = np.zeros((len(ids), len(FEATURES)))
    for n, doc_id in enumerate(ids):
        law_id, law, category, status, region, length, _text, position, label, key = rows[doc_id]
        score, rank = pool.word.get(doc_id, (0.0, depth))
        bare = law.replace("中华人民共和国", "")
        title_terms = [t for t in (*words, *bigrams) if t in bare]
        matrix[n] = (
            score,
            math.log(rank),
            doc_id in pool.word,
            bigram_bm25[n],
            bigram_cover[n],
            word_cover[n],
            len(title_terms) / max(1, len(words) + len(bigrams)),
            2.0 if bare in query_text else (1.0 if len(bare) > 3 and bare[:-1] in query_text else 0.0),
            probs.get(law, 0.0),
            math.log(law_rank.get(law, 1000)),
            pool.prior_articles.get(doc_id, 0.0),
            pool.prior_laws.get(law, 0.0),
            math.log1p(models.article_counts.get(key, 0)),
            math.log1p(models.law_counts.get(law, 0)),
            pool.law_evidence.get(law_id, 0.0),
            number is not None and label == number,
            CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES),
            STATUSES.index(status) if status in STATUSES else len(STATUSES),
            region == "",
            math.log1p(length),
            math.log1p(position or 0),
            len(words),
            dense_cos[n],
        )
    return ids, matrix, keys


def rank(backend: SearchBackend, parsed: ParsedQuery, filters: Filters, models, limit: int) -> list[tuple[int, float]]:
    """The pool re-ranked by the booster, best `limit` first."""
    pool = candidates(backend, parsed, filters, models, models.settings)
    ids, matrix, _keys = features(backend, parsed, pool, models)
    if not ids:
        return []
    columns = getattr(models, "columns", None)
    scores = models.booster.predict(matrix if columns is None else matrix[:, columns], num_threads=1)
    order = sorted(range(len(ids)), key=lambda i: (-scores[i], ids[i]))[:limit]
    return [(ids[i], float(scores[i])) for i in order]
