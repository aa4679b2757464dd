"""The search backend interface: store index documents, rank articles for clauses under filters."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
from django.db import connection, transaction

from zhifa.laws.search.documents import BIGRAM, PHRASE, WORD, Clause, IndexDocument, Weights

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

    def count(self) -> int:
        """Number of indexed articles."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM laws_search_document")
            return cursor.fetchone()[0]

    def doc_freq(self, clause: Clause) -> int:
        """Number of indexed articles containing the clause (over the whole index, no filters)."""
        if clause.field == PHRASE:
            return self.phrase_doc_freq(clause)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT df FROM laws_search_term WHERE field = %s AND term = %s",
                [FIELD_CODE[clause.field], clause.term],
            )
            row = cursor.fetchone()
        return row[0] if row else 0

    @abstractmethod
    def phrase_doc_freq(self, clause: Clause) -> int:
        """Number of indexed articles holding the phrase (kept by each engine's own index, not in laws_search_term)."""

    def _impact_avg(self) -> float:
        """The average length the postings' impacts are computed with (set by the first documents indexed)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO laws_search_meta (name, value) SELECT 'impact_avg', CAST(CAST(t.value AS DOUBLE PRECISION)"
                " / CAST(n.value AS DOUBLE PRECISION) AS TEXT) FROM laws_search_meta t, laws_search_meta n"
                " WHERE t.name = 'total_length' AND n.name = 'n_docs' AND CAST(n.value AS BIGINT) > 0"
                " ON CONFLICT (name) DO NOTHING"
            )
            cursor.execute("SELECT value FROM laws_search_meta WHERE name = 'impact_avg'")
            row = cursor.fetchone()
        return float(row[0]) if row else 1.0

    _memo: dict | None = None  # statistics read during one search (one_search)

    @contextmanager
    def one_search(self) -> Iterator[None]:
        """One search: the index does not change meanwhile, so the document frequencies and totals read are kept
        until it ends (a keyword search asked for the same words' statistics up to three times: AND, the common-term
        cut, the OR top-up)."""
        outer = self._memo
        if outer is None:
            self._memo = {}
        try:
            yield
        finally:
            if outer is None:
                self._memo = None

    def _fetch(self, sql: str, params: list) -> list[tuple]:
        """Rows of one statement (PostgreSQL prepares it)."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def doc_freqs(self, clauses: Sequence[Clause]) -> list[int]:
        """doc_freq of each clause; words and bigrams from `laws_search_term` in one statement."""
        memo = self._memo if self._memo is not None else {}
        missing = list(dict.fromkeys((FIELD_CODE[c.field], c.term) for c in clauses if c.field != PHRASE))
        missing = [key for key in missing if key not in memo]
        if missing:
            sql, params = doc_freqs_sql(missing)
            found = {(field.strip(), term): df for field, term, df in self._fetch(sql, params)}
            memo.update({key: found.get(key, 0) for key in missing})
        return [self.doc_freq(c) if c.field == PHRASE else memo[(FIELD_CODE[c.field], c.term)] for c in clauses]

    def word_stats(self, terms: Sequence[str]):
        """topk.WordStats of word terms: the totals and their document frequencies, one statement."""
        from zhifa.laws.search.topk import WordStats

        memo = self._memo if self._memo is not None else {}
        missing = [t for t in dict.fromkeys(terms) if ("wp", t) not in memo]
        if missing or "meta" not in memo:
            sql, params = word_stats_sql(missing)
            rows = self._fetch(sql, params)
            memo["meta"] = {name: value for kind, name, value, _packed in rows if kind == "m"}
            found = {name: (int(value), bool(packed)) for kind, name, value, packed in rows if kind == "t"}
            for t in missing:
                memo[("w", t)], memo[("wp", t)] = found.get(t, (0, False))
        meta = memo["meta"]
        n_docs = int(meta.get("n_docs", 0))
        avg = int(meta.get("total_length", 0)) / n_docs if n_docs else 1.0
        return WordStats(
            n_docs,
            avg,
            float(meta.get("impact_avg") or avg),
            tuple(memo[("w", t)] for t in terms),
            tuple(memo[("wp", t)] for t in terms),
        )

    # Packed posting lists (topk.PACKED_MAX_DF; migration laws/0006)

    lock_rows = ""  # PostgreSQL: " FOR UPDATE" (SQLite serialises writers itself)

    def packed(self, terms: Sequence[str], regions: Sequence[str] | None) -> list[tuple[str, bytes]]:
        """topk.PostingSource.packed: one row per (term, region) list."""
        if not terms or (regions is not None and not regions):
            return []
        sql = f"SELECT term, data FROM laws_search_postlist WHERE term IN ({', '.join(['%s'] * len(terms))})"
        params: list = list(terms)
        if regions is not None:
            sql += f" AND region IN ({', '.join(['%s'] * len(regions))})"
            params += list(regions)
        return [(term, bytes(data)) for term, data in self._fetch(sql, params)]

    def refresh(self, *, batch_postings: int = 200_000, batch_terms: int = 5000) -> int:
        """After a batch of imports: rebuild the packed lists of every word whose postings changed since they were
        built (packed = 0) and that is rare enough to have them; drop the lists of the others. Returns how many
        words were packed. (PostgreSQL also tidies its indexes and statistics.)"""
        from zhifa.laws.search.topk import PACKED_MAX_DF, POSTLIST_DTYPE

        rows = self._fetch(
            "SELECT term, df FROM laws_search_term WHERE field = CAST('w' AS char(1)) AND packed = 0 AND df <= %s"
            " ORDER BY term",
            [PACKED_MAX_DF],
        )
        chunks: list[list[str]] = [[]]
        size = 0
        for term, df in rows:
            if (size + df > batch_postings or len(chunks[-1]) >= batch_terms) and chunks[-1]:  # (statement size)
                chunks.append([])
                size = 0
            chunks[-1].append(term)
            size += df
        for chunk in chunks:
            if chunk:
                with transaction.atomic():
                    self._pack(chunk, POSTLIST_DTYPE)
        with connection.cursor() as cursor:  # lists of words gone, or grown past the limit
            cursor.execute(
                "DELETE FROM laws_search_postlist WHERE term NOT IN"
                " (SELECT term FROM laws_search_term WHERE field = CAST('w' AS char(1)) AND packed = 1)"
            )
        return len(rows)

    def _pack(self, terms: list[str], dtype) -> None:
        """Replace these words' lists by their postings now, and mark them packed (in one transaction; on
        PostgreSQL the words' rows are locked first, so an import cannot change them in between)."""
        marks = ", ".join(["%s"] * len(terms))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT term FROM laws_search_term WHERE field = CAST('w' AS char(1)) AND term IN ({marks})"
                f" ORDER BY term{self.lock_rows}",
                terms,
            )
            cursor.execute(
                "SELECT term, region, doc_id, wtf, ttf, dl FROM laws_search_posting"
                f" WHERE term IN ({marks}) ORDER BY term, region, doc_id",
                terms,
            )
            lists: dict[tuple[str, str], list[tuple[int, int, int, int]]] = {}
            for term, region, *posting in cursor.fetchall():
                lists.setdefault((term, region), []).append(tuple(posting))  # type: ignore[arg-type]
            cursor.execute(f"DELETE FROM laws_search_postlist WHERE term IN ({marks})", terms)
            cursor.executemany(
                "INSERT INTO laws_search_postlist (term, region, data) VALUES (%s, %s, %s)",
                [
                    (term, region, np.array(postings, dtype=dtype).tobytes())
                    for (term, region), postings in lists.items()
                ],
            )
            cursor.execute(
                f"UPDATE laws_search_term SET packed = 1 WHERE field = CAST('w' AS char(1)) AND term IN ({marks})",
                terms,
            )

    # topk.PostingSource (word_stats and packed above): the posting rows each engine reads

    @abstractmethod
    def best_postings(
        self, terms: Sequence[str], filters: Filters, size: int | None
    ) -> list[tuple[str, int, int, int, int, float]]:
        """(term, article, wtf, ttf, dl, impact): each term's best `size` postings (None: all), by impact."""

    @abstractmethod
    def lookup(self, terms: Sequence[str], doc_ids: Sequence[int]) -> list[tuple[str, int, int, int]]:
        """(term, article, wtf, ttf) of these terms' postings in these articles."""

    @abstractmethod
    def conjunction(self, terms: Sequence[str], filters: Filters) -> list[tuple[int, int, list[tuple[int, int]]]]:
        """(article, dl, [(wtf, ttf) per term]) of the articles holding every term (the first the rarest)."""

    # topk's tuning, set by each backend to topk's constants (tests shrink them to make the early stops decide)
    first_round: int
    full_read: int
    small: int

    def _rank_words(
        self, match: Match, *, filters: Filters, weights: Weights, limit: int, rows_max: int | None = None
    ) -> list[tuple[int, float]] | None:
        """topk.rank_words over this backend's postings (word clauses only), exact; None only past `rows_max`."""
        from zhifa.laws.search import topk

        return topk.rank_words(
            self,
            match,
            filters=filters,
            weights=weights,
            limit=limit,
            first_round=self.first_round,
            full_read=self.full_read,
            small=self.small,
            rows_max=rows_max,
        )

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


def posting_filter_sql(filters: Filters) -> tuple[str, str, list]:
    """(join, conditions, params) for rows of `laws_search_posting p`: the region is on the posting row (the
    scope filter, no join), the other filters need the document."""
    region_sql, region_params = "", list[object]()
    if filters.regions is not None:
        region_sql, region_params = filter_sql(Filters(regions=filters.regions), alias="p")
    where, filter_params = filter_sql(replace(filters, regions=None))
    join = " JOIN laws_search_document d ON d.id = p.doc_id" if where else ""
    return join, f"{region_sql}{where}", [*region_params, *filter_params]


def conjunction_sql(terms: Sequence[str], filters: Filters) -> tuple[str, list]:
    """SELECT doc_id, dl, wtf, ttf (of each term in order) of the articles holding every term: the first term's
    postings read, the others' looked up by primary key (term, doc_id). Same SQL on both vendors."""
    join, conditions, params = posting_filter_sql(filters)
    others = "".join(
        f" JOIN laws_search_posting o{i} ON o{i}.term = %s AND o{i}.doc_id = p.doc_id" for i in range(1, len(terms))
    )
    columns = "".join(f", o{i}.wtf, o{i}.ttf" for i in range(1, len(terms)))
    sql = f"SELECT p.doc_id, p.dl, p.wtf, p.ttf{columns} FROM laws_search_posting p{join}{others} WHERE p.term = %s"
    return sql + conditions, [*terms[1:], terms[0], *params]


def conjunction_rows(rows, n_terms: int) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """conjunction_sql's rows as (article, dl, [(wtf, ttf) per term])."""
    return [(doc_id, dl, [(f[2 * i], f[2 * i + 1]) for i in range(n_terms)]) for doc_id, dl, *f in rows]


def doc_freqs_sql(keys: Sequence[tuple[str, str]]) -> tuple[str, list]:
    """One statement for the document frequencies of (field code, term) pairs from `laws_search_term` (both
    vendors): rows (field code, term, df)."""
    pairs = " OR ".join(["(field = CAST(%s AS char(1)) AND term = %s)"] * len(keys))  # char(1): the key is used
    params = [p for key in keys for p in key]
    return f"SELECT field, term, df FROM laws_search_term WHERE {pairs}", params


FIELD_CODE = {WORD: "w", BIGRAM: "b"}


def word_stats_sql(terms: Sequence[str]) -> tuple[str, list]:
    """One statement for topk.WordStats (both vendors): rows ('m', meta name, value, 0) for the totals and
    ('t', term, df, packed) for the word terms' document frequencies and whether their packed lists are current."""
    sql = "SELECT 'm', name, value, 0 FROM laws_search_meta WHERE name IN ('n_docs', 'total_length', 'impact_avg')"
    if not terms:
        return sql, []
    marks = ", ".join(["%s"] * len(terms))
    return (
        sql + " UNION ALL SELECT 't', term, CAST(df AS text), packed FROM laws_search_term"
        f" WHERE field = CAST('w' AS char(1)) AND term IN ({marks})",
        list(terms),
    )
