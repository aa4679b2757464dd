"""The learned prior: what past questions citing articles teach about new questions (numpy/scipy only).

Built by `manage.py train_search` from (text → cited article keys) pairs — the platform's own citations
(questions, cases, lessons…) and/or a pairs file — and stored under var/search/ (outside git). Two parts:

- article associations: each cited article gets a bag of the words of the questions that cited it; a new
  question's tf-idf cosine with those bags proposes and boosts articles (even ones the words of the article
  itself do not match: 离婚 → 夫妻共同财产);
- a law classifier: the same cosine against each law's bag of questions says which laws the question is about;
  every candidate article of those laws gets a boost (民法典 rather than a local regulation on the same words).

Search works without it (lexically); `current_prior()` is None when no artefact exists.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from scipy import sparse

from zhifa.laws.search import tokenize
from zhifa.laws.search.query import ParsedQuery, parse_query

FORMAT = 1
ARTICLE_TOP = 50


def artefact_path() -> Path:
    return Path(settings.ZHIFA_SEARCH_PRIOR)


@dataclass(frozen=True)
class Pair:
    query: str
    relevant: tuple[str, ...]
    # A second text about the same articles, when the source has one (the retrieval pairs' lawyer-written answer):
    # the prior and the law classifier learn from it too; the re-ranker only from questions (`with_answers`).
    answer: str = ""


def with_answers(pairs: Iterable[Pair]) -> list[Pair]:
    """The pairs, and for each with an answer the (answer → the same articles) pair: more of the law's own words for
    the models that map text to articles and laws. Measured (docs/search.md, issue 17): pool recall +0.006."""
    pairs = list(pairs)
    return pairs + [Pair(p.answer, p.relevant) for p in pairs if p.answer.strip()]


def query_terms(parsed: ParsedQuery) -> list[str]:
    """The features of a question: its words (w:) and bigrams (b:)."""
    return [f"w:{w}" for w in parsed.words] + [f"b:{b}" for b in parsed.bigrams]


def _normalised_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ matrix


class Prior:
    """Article and law boosts for a query; ids are resolved to the current index by `resolver`."""

    def __init__(
        self,
        *,
        vocabulary: list[str],
        idf: np.ndarray,
        articles: list[str],
        article_matrix,
        laws: list[str],
        law_matrix,
        article_weight: float = 0.05,
        law_weight: float = 0.02,
        article_top: int = ARTICLE_TOP,
    ):
        self.vocabulary = {t: i for i, t in enumerate(vocabulary)}
        self.idf = idf
        self.articles, self.article_matrix = articles, article_matrix
        self.laws, self.law_matrix = laws, law_matrix
        self.article_weight, self.law_weight = article_weight, law_weight
        self.article_top = article_top
        self._ids: dict[str, int] | None = None
        self._laws_of: dict[int, str] = {}

    def _vector(self, parsed: ParsedQuery) -> np.ndarray | None:
        counts = Counter(self.vocabulary[t] for t in query_terms(parsed) if t in self.vocabulary)
        if not counts:
            return None
        vector = np.zeros(len(self.vocabulary))
        for index, count in counts.items():
            vector[index] = (1 + math.log(count)) * self.idf[index]
        return vector / np.linalg.norm(vector)

    def scores(self, parsed: ParsedQuery) -> tuple[dict[str, float], dict[str, float]]:
        """(article key → cosine, law short title → cosine) for the query."""
        vector = self._vector(parsed)
        if vector is None:
            return {}, {}
        article_sims = self.article_matrix @ vector
        top = np.argsort(-article_sims)[: self.article_top]
        articles = {self.articles[i]: float(article_sims[i]) for i in top if article_sims[i] > 0}
        law_sims = self.law_matrix @ vector
        laws = {self.laws[i]: float(s) for i, s in enumerate(law_sims) if s > 0}
        return articles, laws

    def boosts(self, parsed: ParsedQuery, ids: list[int]) -> dict[int, float]:
        from zhifa.laws.search import resolve  # the ORM side: keys ↔ current provision ids, law of each id

        articles, laws = self.scores(parsed)
        out: dict[int, float] = {}
        key_ids = resolve.ids_of_keys(list(articles))
        for key, sim in articles.items():
            if key in key_ids:
                out[key_ids[key]] = self.article_weight * sim
        if laws:
            for doc_id, law in resolve.laws_of_ids([*ids, *out]).items():
                if law in laws:
                    out[doc_id] = out.get(doc_id, 0.0) + self.law_weight * laws[law]
        return out

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": FORMAT,
            "vocabulary": list(self.vocabulary),
            "articles": self.articles,
            "laws": self.laws,
            "article_weight": self.article_weight,
            "law_weight": self.law_weight,
            "article_top": self.article_top,
            "tokenizer": tokenize.dictionary_checksum(),
        }
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                meta=np.array(json.dumps(meta, ensure_ascii=False)),
                idf=self.idf,
                **_pack("a", self.article_matrix),
                **_pack("l", self.law_matrix),
            )

    @classmethod
    def load(cls, path: Path) -> Prior:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT:
                raise ValueError(f"检索模型 {path} 的格式版本不符，请重新运行 manage.py train_search")
            return cls(
                vocabulary=meta["vocabulary"],
                idf=data["idf"],
                articles=meta["articles"],
                article_matrix=_unpack(data, "a"),
                laws=meta["laws"],
                law_matrix=_unpack(data, "l"),
                article_weight=meta["article_weight"],
                law_weight=meta["law_weight"],
                article_top=meta.get("article_top", ARTICLE_TOP),
            )


def _pack(prefix: str, matrix) -> dict:
    m = sparse.csr_matrix(matrix)
    return {
        f"{prefix}_data": m.data,
        f"{prefix}_indices": m.indices,
        f"{prefix}_indptr": m.indptr,
        f"{prefix}_shape": np.array(m.shape),
    }


def _unpack(data, prefix: str) -> sparse.csr_matrix:
    return sparse.csr_matrix(
        (data[f"{prefix}_data"], data[f"{prefix}_indices"], data[f"{prefix}_indptr"]),
        shape=tuple(data[f"{prefix}_shape"]),
    )


def _bags(pairs: Iterable[Pair]) -> tuple[dict[str, Counter], dict[str, Counter], Counter, int]:
    article_bags: dict[str, Counter] = defaultdict(Counter)
    law_bags: dict[str, Counter] = defaultdict(Counter)
    df: Counter = Counter()
    n = 0
    for pair in pairs:
        terms = query_terms(parse_query(pair.query))
        if not terms or not pair.relevant:
            continue
        n += 1
        df.update(set(terms))
        for key in pair.relevant:
            article_bags[key].update(terms)
            law_bags[key.split("#", 1)[0]].update(terms)
    return article_bags, law_bags, df, n


def _matrix(bags: dict[str, Counter], vocabulary: dict[str, int], idf: np.ndarray) -> sparse.csr_matrix:
    rows, cols, values = [], [], []
    for row, bag in enumerate(bags.values()):
        for term, count in bag.items():
            if term in vocabulary:
                rows.append(row)
                cols.append(vocabulary[term])
                values.append((1 + math.log(count)) * idf[vocabulary[term]])
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(len(bags), len(vocabulary)))
    return _normalised_rows(matrix)


def train(pairs: Iterable[Pair], *, article_weight: float = 0.05, law_weight: float = 0.02) -> Prior:
    # Weights chosen by 2-fold cross-validation inside the train split (docs/search.md), never on test.
    """Build the prior from (text → article keys) pairs; raises ValueError when no pair is usable."""
    article_bags, law_bags, df, n = _bags(pairs)
    if not n:
        raise ValueError("没有可用于训练的问题—法条对（每行需有非空的 query 和 relevant）")
    vocabulary = {t: i for i, t in enumerate(sorted(df))}
    idf = np.array([math.log((n + 1) / (df[t] + 0.5)) for t in sorted(df)])
    return Prior(
        vocabulary=list(vocabulary),
        idf=idf,
        articles=list(article_bags),
        article_matrix=_matrix(article_bags, vocabulary, idf),
        laws=list(law_bags),
        law_matrix=_matrix(law_bags, vocabulary, idf),
        article_weight=article_weight,
        law_weight=law_weight,
    )


_cache: dict[str, tuple[float, Prior | None]] = {}


def current_prior(path: str | Path | None = None) -> Prior | None:
    """The stored prior (reloaded when the file changes); None when there is none or it cannot be read."""
    path = Path(path) if path else artefact_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    cached = _cache.get(str(path))
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        prior: Prior | None = Prior.load(path)
    except (OSError, ValueError, KeyError):
        prior = None
    _cache[str(path)] = (mtime, prior)
    return prior
