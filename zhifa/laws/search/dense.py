"""A dense space of the corpus (LSA): articles and questions as short vectors, compared by cosine (numpy only at
query time, scikit-learn to build it).

Why: the relevant articles the lexical candidates miss share no word (and mostly no bigram) with the question
(docs/search.md, "Why not more"). A truncated SVD of the corpus' tf-idf matrix (articles as rows; jieba words and
character bigrams as columns, the law's title words with them) places articles that use related words near each
other, so a question lands near articles it shares no term with. Learned from this corpus only; no downloaded
weights.

A question's vector is its own tf-idf projected into the space, plus (`expand`) the vectors of the articles the
learned prior proposes for it, weighted by their cosines — what past questions like it were about, carried to the
articles around those in the space (also ones no training question cited).

Stored in the re-ranker's version directory (`dense.npz`): the vocabulary, idf, projection (terms × k), the article
keys, their regions and unit vectors (float16). Rows are article *keys* (law short title#第X条), so one space serves
every database that imported the same corpus; keys are resolved to ids at query time.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from zhifa.laws.search import tokenize
from zhifa.laws.search.query import ParsedQuery

FORMAT = 1
DIMENSIONS = 128
MAX_TERMS = 120_000
MIN_DF = 3


def article_terms(text: str, title: str) -> list[str]:
    """The terms of an article: its jieba words and character bigrams, and its law title's words (w:/b: as the
    prior's question terms, so a question's terms meet them)."""
    return [f"w:{w}" for w in (*tokenize.words(text), *tokenize.segment(title))] + [
        f"b:{b}" for b in tokenize.bigrams(text)
    ]


def question_terms(parsed: ParsedQuery) -> list[str]:
    return [f"w:{w}" for w in parsed.words] + [f"b:{b}" for b in parsed.bigrams]


class DenseSpace:
    """The LSA space: question → vector, and the articles nearest to it."""

    def __init__(
        self, *, vocabulary: list[str], idf, projection, keys: list[str], regions: list[str], region_of, matrix
    ):
        self.vocabulary = {t: i for i, t in enumerate(vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)
        self.projection = np.asarray(projection, dtype=np.float32)
        self.keys = keys
        self.row_of = {k: i for i, k in enumerate(keys)}
        self.regions = regions  # distinct region names ("" national); region_of[i] indexes it
        self.region_of = np.asarray(region_of, dtype=np.int32)
        self.matrix = np.asarray(matrix, dtype=np.float32)
        self._scoped: dict[tuple[str, ...] | None, tuple[np.ndarray, np.ndarray]] = {}

    def vector(
        self,
        parsed: ParsedQuery,
        prior_articles: dict[str, float] | None = None,
        expand: float = 0.0,
        *,
        feedback: Sequence[str] = (),
        feedback_weight: float = 0.0,
    ):
        """The question's unit vector (None when none of its terms is known and nothing expands it); `feedback`:
        the keys of the lexical search's best articles, whose mean vector is added with `feedback_weight` after
        the prior's expansion (Rocchio's pseudo-relevance feedback)."""
        counts = Counter(self.vocabulary[t] for t in question_terms(parsed) if t in self.vocabulary)
        vector = np.zeros(self.projection.shape[1], dtype=np.float32)
        if counts:
            cols = np.fromiter(counts, dtype=np.int64)
            tf = np.array([(1 + math.log(n)) for n in counts.values()], dtype=np.float32)
            vector = np.einsum("i,ij->j", tf * self.idf[cols], self.projection[cols])
            norm = float(np.linalg.norm(vector))
            vector = vector / norm if norm else vector
        if expand and prior_articles:
            rows = [(self.row_of[k], s) for k, s in prior_articles.items() if k in self.row_of]
            if rows:
                weights = np.array([s for _r, s in rows], dtype=np.float32)
                mix = np.einsum("i,ij->j", weights, self.matrix[[r for r, _s in rows]])
                norm = float(np.linalg.norm(mix))
                if norm:
                    vector = vector + expand * mix / norm
        norm = float(np.linalg.norm(vector))
        vector = vector / norm if norm else vector
        best = [self.row_of[k] for k in feedback if k in self.row_of] if feedback_weight else []
        if best:
            mix = self.matrix[best].mean(axis=0)
            norm = float(np.linalg.norm(mix))
            if norm:
                vector = vector + feedback_weight * mix / norm
                norm = float(np.linalg.norm(vector))
                vector = vector / norm if norm else vector
        return vector if norm else None

    def _scope(self, regions: tuple[str, ...] | None) -> tuple[np.ndarray, np.ndarray]:
        """(rows, their matrix) of the articles in these regions, cached per scope (a copy: a contiguous product)."""
        if regions not in self._scoped:
            if regions is None:
                rows = np.arange(len(self.keys))
            else:
                allowed = [i for i, r in enumerate(self.regions) if r in set(regions)]
                rows = np.flatnonzero(np.isin(self.region_of, allowed))
            self._scoped[regions] = (rows, np.ascontiguousarray(self.matrix[rows]))
        return self._scoped[regions]

    def nearest(self, vector, top: int, regions: tuple[str, ...] | None = None) -> dict[str, float]:
        """The `top` articles (key → cosine) nearest to the vector, among the regions' articles."""
        rows, matrix = self._scope(regions)
        if vector is None or not len(rows) or top <= 0:
            return {}
        # einsum, not `matrix @ vector`: BLAS's gemv runs on every core and its threads spin after the call (measured
        # 8 ms wall on a busy 2-core machine, and twice the CPU, against 1.9 ms for this single-threaded loop).
        sims = np.einsum("ij,j->i", matrix, vector)
        top = min(top, len(rows))
        best = np.argpartition(-sims, top - 1)[:top]
        best = best[np.argsort(-sims[best], kind="stable")]
        return {self.keys[rows[i]]: float(sims[i]) for i in best}

    def cosines(self, vector, keys: Sequence[str]) -> list[float]:
        """The cosine of each key's article with the vector (0 for keys not in the space)."""
        if vector is None:
            return [0.0] * len(keys)
        rows = [self.row_of.get(k, -1) for k in keys]
        known = [r for r in rows if r >= 0]
        products = np.einsum("ij,j->i", self.matrix[known], vector) if known else np.zeros(0)
        sims = dict(zip(known, products.tolist(), strict=True))
        return [sims.get(r, 0.0) for r in rows]

    def save(self, path: Path) -> None:
        vocabulary = sorted(self.vocabulary, key=lambda t: self.vocabulary[t])
        meta = {"format": FORMAT, "vocabulary": vocabulary, "keys": self.keys, "regions": self.regions}
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                meta=np.array(json.dumps(meta, ensure_ascii=False)),
                idf=self.idf,
                projection=self.projection.astype(np.float16),
                region_of=self.region_of,
                matrix=self.matrix.astype(np.float16),
            )

    @classmethod
    def load(cls, path: Path) -> DenseSpace:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT:
                raise ValueError(f"稠密检索空间 {path} 的格式版本不符，请重新运行 manage.py train_search")
            matrix = data["matrix"].astype(np.float32)
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)  # float16 rounding: unit length again
            norms[norms == 0] = 1.0
            return cls(
                vocabulary=meta["vocabulary"],
                idf=data["idf"],
                projection=data["projection"],
                keys=meta["keys"],
                regions=meta["regions"],
                region_of=data["region_of"],
                matrix=matrix / norms,
            )


def build(
    articles: Iterable[tuple[str, str, str, str]],
    *,
    dimensions: int = DIMENSIONS,
    max_terms: int = MAX_TERMS,
    min_df: int = MIN_DF,
    seed: int = 7,
) -> DenseSpace:
    """The space of these (key, region, law title, text) articles; raises ValueError when there are too few."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    keys, regions, region_of, docs = [], [], [], []
    region_index: dict[str, int] = {}
    for key, region, title, text in articles:
        keys.append(key)
        region_of.append(region_index.setdefault(region or "", len(region_index)))
        docs.append(article_terms(text, title))
    regions = sorted(region_index, key=lambda r: region_index[r])
    if len(keys) < 3:
        raise ValueError(f"条文太少（{len(keys)} 条），无法建立稠密检索空间")
    vectorizer = TfidfVectorizer(
        analyzer=lambda terms: terms,
        min_df=min_df,
        max_features=max_terms,
        sublinear_tf=True,
        dtype=np.float32,
    )
    try:
        x = vectorizer.fit_transform(docs)
    except ValueError:  # no term in min_df articles (a tiny library): the whole vocabulary
        vectorizer.set_params(min_df=1)
        x = vectorizer.fit_transform(docs)
    dimensions = min(dimensions, x.shape[0] - 1, x.shape[1] - 1)  # a small library (tests): fewer
    svd = TruncatedSVD(n_components=dimensions, algorithm="randomized", n_iter=5, random_state=seed)
    reduced = svd.fit_transform(x).astype(np.float32)
    norms = np.linalg.norm(reduced, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    return DenseSpace(
        vocabulary=vocabulary,
        idf=vectorizer.idf_,
        projection=svd.components_.T,
        keys=keys,
        regions=regions,
        region_of=region_of,
        matrix=reduced / norms,
    )
