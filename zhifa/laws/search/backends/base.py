"""The search backend interface: store index documents, rank articles for clauses under filters."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from zhifa.laws.search.documents import BIGRAM, PHRASE, Clause, IndexDocument, Weights

AND = "and"
OR = "or"


@dataclass(frozen=True)
class Filters:
    """Restrictions on the documents searched; None means "no restriction" for each."""

    categories: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None  # "" is national
    law_ids: tuple[int, ...] | None = None
    domain_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Match:
    """What to rank: clauses joined by AND or OR. Phrases are clauses of their own in AND mode (scored like a
    term, with the number of times the whole phrase occurs); in OR mode they fall apart into their bigrams."""

    clauses: tuple[Clause, ...]
    mode: str = AND

    @property
    def phrases(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(c.term.split()) for c in self.clauses if c.field == PHRASE)

    @classmethod
    def build(
        cls,
        *,
        words: Iterable[str] = (),
        bigrams: Iterable[str] = (),
        phrases: Iterable[tuple[str, ...]] = (),
        mode: str = AND,
    ) -> Match:
        """Word clauses, bigram clauses, then phrase clauses (AND) or the phrases' bigrams (OR); no duplicates."""
        phrases = tuple(p for p in phrases if p)
        clauses = [Clause(w) for w in words]
        clauses += [Clause(b, BIGRAM) for b in bigrams]
        if mode == AND:
            clauses += [Clause(" ".join(p), PHRASE) if len(p) > 1 else Clause(p[0], BIGRAM) for p in phrases]
        else:
            clauses += [Clause(b, BIGRAM) for p in phrases for b in p]
        return cls(tuple(dict.fromkeys(clauses)), mode)


class SearchBackend(ABC):
    """One full-text engine. Both implementations return the same ranking (documents.py gives the formula)."""

    vendor: str

    @abstractmethod
    def add(self, documents: Sequence[IndexDocument]) -> None:
        """Index documents (their ids must not be indexed yet)."""

    @abstractmethod
    def remove_laws(self, law_ids: Sequence[int]) -> int:
        """Drop every indexed article of these laws; returns how many were dropped."""

    @abstractmethod
    def clear(self) -> None:
        """Empty the index."""

    @abstractmethod
    def count(self) -> int:
        """Number of indexed articles."""

    @abstractmethod
    def doc_freq(self, clause: Clause) -> int:
        """Number of indexed articles containing the clause (over the whole index, no filters)."""

    @abstractmethod
    def rank(self, match: Match, *, filters: Filters, weights: Weights, limit: int) -> list[tuple[int, float]]:
        """(provision id, BM25 score) of the best `limit` documents, best first (ties: lower id first)."""

    @abstractmethod
    def get_meta(self, name: str) -> str | None:
        """A stored property of the index (tokenizer checksum …)."""

    @abstractmethod
    def set_meta(self, name: str, value: str) -> None:
        """Store a property of the index."""


def filter_sql(filters: Filters, alias: str = "d") -> tuple[str, list]:
    """SQL conditions (joined by AND, leading ' AND ') and parameters for the filters; same SQL on both vendors."""
    parts: list[str] = []
    params: list = []
    for column, values in (
        ("category", filters.categories),
        ("status", filters.statuses),
        ("region", filters.regions),
        ("law_id", filters.law_ids),
    ):
        if values is None:
            continue
        if not values:
            parts.append("1 = 0")
            continue
        parts.append(f"{alias}.{column} IN ({', '.join(['%s'] * len(values))})")
        params.extend(values)
    if filters.domain_ids is not None:
        ids = filters.domain_ids or (0,)
        marks = ", ".join(["%s"] * len(ids))
        parts.append(f"{alias}.law_id IN (SELECT law_id FROM laws_law_domains WHERE domain_id IN ({marks}))")
        params.extend(ids)
    return "".join(f" AND {p}" for p in parts), params
