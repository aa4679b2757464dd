"""Which law a question is about: a linear classifier over the question's character n-grams (scikit-learn).

Trained from (question → cited article keys) pairs, one example per (question, law); stored as plain arrays
(the n-gram vocabulary, idf, coefficients) in an .npz, never pickled, and applied with numpy. Character n-grams
rather than words: plain questions name things in their own words ("老公的工资", "开小店"), and n-grams of 1–3
characters catch the stems that jieba would cut differently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np

NGRAMS = (1, 3)
MAX_FEATURES = 40_000


class LawClassifier:
    """P(law | question) over the laws it was trained on (a softmax over one-vs-rest logistic scores)."""

    def __init__(self, *, vocabulary: list[str], idf: np.ndarray, laws: list[str], coef: np.ndarray, intercept):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.laws = laws
        self.coef = coef.astype(np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.vectorizer = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=NGRAMS,
            sublinear_tf=True,
            vocabulary={t: i for i, t in enumerate(vocabulary)},
        )
        self.vectorizer.idf_ = idf

    def probabilities(self, text: str) -> dict[str, float]:
        """Law short title → probability (softmax of the linear scores), every trained law."""
        if not self.laws:
            return {}
        x = self.vectorizer.transform([text])
        scores = np.asarray(x @ self.coef.T).ravel() + self.intercept
        if len(self.laws) == 1:
            return {self.laws[0]: 1.0}
        scores = np.exp(scores - scores.max())
        scores /= scores.sum()
        return dict(zip(self.laws, scores.tolist(), strict=True))

    def save(self, path: Path) -> None:
        vocabulary = sorted(self.vectorizer.vocabulary, key=self.vectorizer.vocabulary.get)
        meta = {"vocabulary": vocabulary, "laws": self.laws, "ngrams": list(NGRAMS)}
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                meta=np.array(json.dumps(meta, ensure_ascii=False)),
                idf=self.vectorizer.idf_,
                coef=self.coef,
                intercept=self.intercept,
            )

    @classmethod
    def load(cls, path: Path) -> LawClassifier:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            return cls(
                vocabulary=meta["vocabulary"],
                idf=data["idf"],
                laws=meta["laws"],
                coef=data["coef"],
                intercept=data["intercept"],
            )


def law_of_key(key: str) -> str:
    return key.split("#", 1)[0]


def train(pairs: Iterable, *, c: float = 10.0) -> LawClassifier:
    """Fit on (query, relevant keys) pairs; raises ValueError when there are none."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts, labels = [], []
    for pair in pairs:
        for law in sorted({law_of_key(k) for k in pair.relevant}):
            texts.append(pair.query)
            labels.append(law)
    if not texts:
        raise ValueError("没有可用于训练法规分类的问题")
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True, max_features=MAX_FEATURES)
    x = vectorizer.fit_transform(texts)
    laws = sorted(set(labels))
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
    if len(laws) == 1:
        coef, intercept = np.zeros((1, x.shape[1])), np.zeros(1)
    else:
        model = LogisticRegression(C=c, max_iter=300)
        model.fit(x, labels)
        coef, intercept = model.coef_, model.intercept_
        if len(laws) == 2:  # binary: one row for the second class
            coef = np.vstack([-coef[0], coef[0]]) / 2
            intercept = np.array([-intercept[0], intercept[0]]) / 2
        laws = [str(law) for law in model.classes_]
    classifier = LawClassifier(vocabulary=vocabulary, idf=vectorizer.idf_, laws=laws, coef=coef, intercept=intercept)
    return classifier
