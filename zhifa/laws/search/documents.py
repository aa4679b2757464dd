"""What the index holds for one article, and the ranking maths both backends share; pure, no ORM.

Each article is one document with three fields:
- `words`: jieba search-mode words of the article text,
- `bigrams`: character bigrams of the article text (in order, so phrases can be matched),
- `title`: jieba words of the law's short title (so 劳动合同 in a question finds 劳动合同法).

Word clauses match `words` and `title`; bigram clauses match `bigrams`. Ranking is BM25 exactly as SQLite FTS5's
`bm25()` computes it (k1 = 1.2, b = 0.75, field weights multiply term frequencies, document length = all fields,
idf = ln((N − n + 0.5) / (n + 0.5)) floored at 1e-6): FTS5 computes it natively, PostgreSQL from stored term
frequencies and document frequencies, and `bm25_score` here is the reference both are tested against.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from zhifa.laws.search import tokenize

K1 = 1.2
B = 0.75
WORD = "word"
BIGRAM = "bigram"
PHRASE = "phrase"  # a sequence of bigrams, matched in order in `bigrams`; term = the bigrams joined by spaces


@dataclass(frozen=True)
class Weights:
    """Field weights (FTS5 column weights): how much one occurrence in each field counts."""

    words: float = 1.0
    bigrams: float = 1.0
    title: float = 2.0


@dataclass(frozen=True)
class Clause:
    """One term to match: a word (in words or title) or a bigram (in bigrams)."""

    term: str
    field: str = WORD


@dataclass(frozen=True)
class IndexDocument:
    """The indexed form of one article; `id` is the Provision id."""

    id: int
    law_id: int
    version_id: int
    key: str
    category: str
    status: str
    region: str
    words: tuple[str, ...]
    bigrams: tuple[str, ...]
    title: tuple[str, ...]
    text: str = ""  # the article text: SQLite recomputes the bigrams from it to remove the document

    @property
    def length(self) -> int:
        return len(self.words) + len(self.bigrams) + len(self.title)

    def frequencies(self, field: str) -> Counter:
        return Counter(getattr(self, field))


def make_document(
    *, id: int, law_id: int, version_id: int, key: str, category: str, status: str, region: str, text: str, title: str
) -> IndexDocument:
    """Tokenise an article (its text and its law's short title) into an `IndexDocument`."""
    return IndexDocument(
        id=id,
        law_id=law_id,
        version_id=version_id,
        key=key,
        category=category,
        status=status,
        region=region,
        words=tuple(tokenize.words(text)),
        bigrams=tuple(tokenize.bigrams(text)),
        title=title_words(title),
        text=text,
    )


@lru_cache(maxsize=1024)
def title_words(title: str) -> tuple[str, ...]:
    """Words of a law title (cached: every article of a law repeats it)."""
    return tuple(tokenize.words(title))


def idf(n_docs: int, doc_freq: int) -> float:
    """FTS5's idf: ln((N − n + 0.5)/(n + 0.5)), floored at 1e-6 for terms in more than half the documents."""
    value = math.log((n_docs - doc_freq + 0.5) / (doc_freq + 0.5))
    return value if value > 0 else 1e-6


def saturate(freq: float, length: int, avg_length: float) -> float:
    """BM25's term-frequency saturation with length normalisation."""
    return freq * (K1 + 1.0) / (freq + K1 * (1.0 - B + B * length / avg_length))


def phrase_count(bigrams: tuple[str, ...], phrase: tuple[str, ...]) -> int:
    """Occurrences of the phrase (a bigram sequence) in the bigram stream."""
    n = len(phrase)
    return sum(1 for i in range(len(bigrams) - n + 1) if bigrams[i : i + n] == phrase)


def weighted_frequency(doc: IndexDocument, clause: Clause, weights: Weights) -> float:
    if clause.field == WORD:
        return weights.words * doc.words.count(clause.term) + weights.title * doc.title.count(clause.term)
    if clause.field == PHRASE:
        return weights.bigrams * phrase_count(doc.bigrams, tuple(clause.term.split()))
    return weights.bigrams * doc.bigrams.count(clause.term)


def contains(doc: IndexDocument, clause: Clause) -> bool:
    return weighted_frequency(doc, clause, Weights(1.0, 1.0, 1.0)) > 0


def bm25_score(doc: IndexDocument, clauses: list[Clause], corpus: list[IndexDocument], weights: Weights) -> float:
    """Reference BM25 of one document for the clauses over a small in-memory corpus (used by tests)."""
    n_docs = len(corpus)
    avg = sum(d.length for d in corpus) / n_docs
    score = 0.0
    for clause in clauses:
        df = sum(1 for d in corpus if contains(d, clause))
        score += idf(n_docs, df) * saturate(weighted_frequency(doc, clause, weights), doc.length, avg)
    return score
