"""What the index holds for one article; pure, no ORM.

Each article is one document:
- `words`: jieba search-mode words of the article text,
- `bigrams`: character bigrams of the article text (in order, so phrases can be matched),
- `title`: jieba words of the law's short title (so 劳动合同 in a question finds 劳动合同法).

Word clauses match words and title (one Tantivy field, the title's words twice: backends/tantivy.py); bigram and
phrase clauses match bigrams. The database stores words and title (`laws_search_document`); bigrams depend on
nothing but the text, so they are recomputed from it (`stored_document`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from zhifa.laws.search import tokenize

K1 = 1.2  # BM25's constants (Tantivy's too), for the re-ranker's own BM25 features over article texts
B = 0.75
WORD = "word"
BIGRAM = "bigram"
PHRASE = "phrase"  # a sequence of bigrams, matched in order in `bigrams`; term = the bigrams joined by spaces


@dataclass(frozen=True)
class Clause:
    """One term to match: a word (in words or title), a bigram or a phrase (in bigrams)."""

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

    @property
    def length(self) -> int:
        return len(self.words) + len(self.bigrams) + len(self.title)


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
    )


def stored_document(
    *, id: int, law_id: int, version_id: int, key: str, category: str, status: str, region: str, words: str, title: str,
    text: str,
) -> IndexDocument:  # fmt: skip
    """The document of an article from its stored terms (space-separated words and title words, as indexed then:
    the dictionary may have changed since) and its text (for the bigrams)."""
    return IndexDocument(
        id=id,
        law_id=law_id,
        version_id=version_id,
        key=key,
        category=category,
        status=status,
        region=region,
        words=tuple(words.split()),
        bigrams=tuple(tokenize.bigrams(text)),
        title=tuple(title.split()),
    )


@lru_cache(maxsize=1024)
def title_words(title: str) -> tuple[str, ...]:
    """Words of a law title (cached: every article of a law repeats it)."""
    return tuple(tokenize.words(title))
