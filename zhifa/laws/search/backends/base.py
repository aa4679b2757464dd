"""What a search asks of the index: clauses joined by AND or OR (`Match`) under `Filters`; the filters' SQL over
`laws_search_document` (the stored terms) for what is checked in the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zhifa.laws.search.documents import BIGRAM, PHRASE, Clause

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


def filter_sql(filters: Filters, alias: str = "d") -> tuple[str, list]:
    """SQL conditions (joined by AND, leading ' AND ') and parameters for the filters over `laws_search_document`;
    same SQL on both vendors."""
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
