"""SQLite backend: a contentless FTS5 table (words, bigrams, title) ranked by FTS5's own bm25(), and for word-only
matches the impact-ordered postings ranked by `topk.rank_words` (the same algorithm as PostgreSQL).

`laws_search_document` holds, per article, the filter columns and the exact words/title terms that were indexed
plus the article text (bigrams depend on nothing else, so they are recomputed from it): a contentless FTS5 table
can only forget a row when given the values it indexed, and the dictionary may have changed since.
`laws_search_posting` (one row per word or title term and article, migration laws/0005), `laws_search_term`
(document frequencies of words and bigrams) and the totals in `laws_search_meta` are kept here on every add and
removal: FTS5 scores every match of a word (≈ 5 µs a row), the postings let a query stop after the best ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from django.db import connection

from zhifa.laws.search import tokenize, topk
from zhifa.laws.search.backends.base import (
    AND,
    Filters,
    Match,
    SearchBackend,
    conjunction_rows,
    conjunction_sql,
    filter_sql,
    posting_filter_sql,
)
from zhifa.laws.search.documents import WORD, Clause, IndexDocument, Weights, saturate

BATCH = 500
LOOKUP_BATCH = 900  # article ids per lookup statement (SQLite's variable limit is far above; plans stay small)


def posting_rows(
    doc_id: int, region: str, length: int, words: Iterable[str], title: Iterable[str], impact_avg: float
) -> list[tuple[str, int, str, int, int, int, float]]:
    """(term, article, region, wtf, ttf, dl, impact) of one article: impact with the default weights, as on
    PostgreSQL (migration laws/0004)."""
    defaults = Weights()
    words_tf, title_tf = Counter(words), Counter(title)
    rows = []
    for term in words_tf.keys() | title_tf.keys():
        f = defaults.words * words_tf[term] + defaults.title * title_tf[term]
        rows.append((term, doc_id, region, words_tf[term], title_tf[term], length, saturate(f, length, impact_avg)))
    return rows


def document_terms(words: Iterable[str], title: Iterable[str], bigrams: Iterable[str]) -> list[tuple[str, str]]:
    """(field code, term) of one article, each once: what its document frequencies count."""
    return [("w", t) for t in set(words) | set(title)] + [("b", t) for t in set(bigrams)]


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _clause_sql(clause: Clause) -> str:
    """`{words title} : "term"`, `bigrams : "term"`, or for a phrase `bigrams : "b1 b2 b3"` (FTS5 phrase syntax)."""
    columns = "{words title}" if clause.field == WORD else "bigrams"
    return f"{columns} : {_quote(clause.term)}"


def match_expression(match: Match) -> str:
    """The FTS5 query for the clauses; every term is quoted, so no user text is read as FTS5 syntax."""
    joiner = " AND " if match.mode == AND else " OR "
    return joiner.join(_clause_sql(c) for c in match.clauses)


def build_postings(cursor) -> None:
    """Fill the (empty) postings, document frequencies and totals from the stored documents: their indexed word
    and title terms and the bigrams of their text (what FTS5 indexed). Migration laws/0005 runs it; the impacts
    use today's average length."""
    cursor.execute("SELECT count(*), coalesce(sum(dl), 0) FROM laws_search_document")
    n_docs, total_length = cursor.fetchone()
    cursor.executemany(
        "INSERT INTO laws_search_meta (name, value) VALUES (%s, %s)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [("n_docs", str(n_docs)), ("total_length", str(total_length))]
        + ([("impact_avg", repr(total_length / n_docs))] if n_docs else []),
    )
    if n_docs:
        # unsorted rows go to a scratch table first; one sorted copy then fills the clustered table in order
        cursor.execute(
            "CREATE TEMP TABLE posting_scratch (term TEXT, doc_id INTEGER, region TEXT, wtf INTEGER,"
            " ttf INTEGER, dl INTEGER, impact REAL)"
        )
        frequencies: Counter = Counter()
        impact_avg = total_length / n_docs
        last_id = 0
        while True:
            cursor.execute(
                "SELECT id, region, dl, words, title, body FROM laws_search_document WHERE id > %s"
                " ORDER BY id LIMIT 5000",
                [last_id],
            )
            batch = cursor.fetchall()
            if not batch:
                break
            last_id = batch[-1][0]
            rows = []
            for doc_id, region, dl, words, title, body in batch:
                words, title = words.split(), title.split()
                rows += posting_rows(doc_id, region, dl, words, title, impact_avg)
                frequencies.update(document_terms(words, title, tokenize.bigrams(body)))
            cursor.executemany("INSERT INTO posting_scratch VALUES (%s, %s, %s, %s, %s, %s, %s)", rows)
        cursor.execute("INSERT INTO laws_search_posting SELECT * FROM posting_scratch ORDER BY term, doc_id")
        cursor.execute("DROP TABLE posting_scratch")
        cursor.executemany(
            "INSERT INTO laws_search_term (field, term, df) VALUES (%s, %s, %s)",
            sorted((field, term, df) for (field, term), df in frequencies.items()),
        )


class SqliteBackend(SearchBackend):
    vendor = "sqlite"

    def add(self, documents: Sequence[IndexDocument]) -> None:
        with connection.cursor() as cursor:
            for start in range(0, len(documents), BATCH):
                batch = documents[start : start + BATCH]
                cursor.executemany(
                    "INSERT INTO laws_search_document (id, law_id, version_id, key, category, status, region, dl,"
                    " words, title, body) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            d.id,
                            d.law_id,
                            d.version_id,
                            d.key,
                            d.category,
                            d.status,
                            d.region,
                            d.length,
                            " ".join(d.words),
                            " ".join(d.title),
                            d.text,
                        )
                        for d in batch
                    ],
                )
                cursor.executemany(
                    "INSERT INTO laws_search_fts (rowid, words, bigrams, title) VALUES (%s, %s, %s, %s)",
                    [(d.id, " ".join(d.words), " ".join(d.bigrams), " ".join(d.title)) for d in batch],
                )
        if not documents:
            return
        frequencies = Counter(term for d in documents for term in document_terms(d.words, d.title, d.bigrams))
        self._change_stats(frequencies, len(documents), sum(d.length for d in documents))
        impact_avg = self._impact_avg()
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO laws_search_posting (term, doc_id, region, wtf, ttf, dl, impact)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    row
                    for d in documents
                    for row in posting_rows(d.id, d.region, d.length, d.words, d.title, impact_avg)
                ],
            )

    def _change_stats(self, frequencies: Counter, n_docs: int, total_length: int) -> None:
        """Document frequencies and the totals (number and summed length of the documents) move by these deltas."""
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO laws_search_term (field, term, df) VALUES (%s, %s, %s)"
                " ON CONFLICT (field, term) DO UPDATE SET df = df + excluded.df, packed = 0",  # lists stale
                [(field, term, df) for (field, term), df in frequencies.items()],
            )
            cursor.executemany(  # only the terms just lowered can have reached 0
                "DELETE FROM laws_search_term WHERE field = %s AND term = %s AND df <= 0",
                [(field, term) for (field, term), df in frequencies.items() if df < 0],
            )
            for name, delta in (("n_docs", n_docs), ("total_length", total_length)):
                cursor.execute(
                    "INSERT INTO laws_search_meta (name, value) VALUES (%s, %s) ON CONFLICT (name)"
                    " DO UPDATE SET value = CAST(CAST(value AS INTEGER) + %s AS TEXT)",
                    [name, str(delta), delta],
                )

    def remove_laws(self, law_ids: Sequence[int]) -> int:
        if not law_ids:
            return 0
        marks = ", ".join(["%s"] * len(law_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, words, body, title, dl FROM laws_search_document WHERE law_id IN ({marks})",
                list(law_ids),
            )
            found = cursor.fetchall()
            rows = [(id_, words, " ".join(tokenize.bigrams(body)), title) for id_, words, body, title, _dl in found]
            cursor.executemany(
                "INSERT INTO laws_search_fts (laws_search_fts, rowid, words, bigrams, title)"
                " VALUES ('delete', %s, %s, %s, %s)",
                rows,
            )
            cursor.executemany(
                "DELETE FROM laws_search_posting WHERE term = %s AND doc_id = %s",
                [(term, id_) for id_, words, _b, title in rows for term in set(words.split()) | set(title.split())],
            )
            cursor.execute(f"DELETE FROM laws_search_document WHERE law_id IN ({marks})", list(law_ids))
        frequencies = Counter(
            term
            for _id, words, bigrams, title in rows
            for term in document_terms(words.split(), title.split(), bigrams.split())
        )
        self._change_stats(Counter({k: -v for k, v in frequencies.items()}), -len(found), -sum(r[4] for r in found))
        return len(found)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO laws_search_fts (laws_search_fts) VALUES ('delete-all')")
            cursor.execute("DELETE FROM laws_search_document")
            cursor.execute("DELETE FROM laws_search_posting")
            cursor.execute("DELETE FROM laws_search_term")
            cursor.execute("DELETE FROM laws_search_postlist")
            cursor.execute("DELETE FROM laws_search_meta WHERE name IN ('n_docs', 'total_length', 'impact_avg')")

    def _id_range(self, law_ids) -> tuple[int, int]:
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(law_ids))
            cursor.execute(
                f"SELECT min(id), max(id) FROM laws_search_document WHERE law_id IN ({marks})", list(law_ids)
            )
            low, high = cursor.fetchone()
        return (low or 0), (high or 0)

    def phrase_doc_freq(self, clause: Clause) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM laws_search_fts WHERE laws_search_fts MATCH %s", [_clause_sql(clause)])
            return cursor.fetchone()[0]

    first_round = topk.FIRST_ROUND
    full_read = topk.FULL_READ
    small = topk.SMALL
    topk_max = 100  # deeper word rankings not answered by the packed lists: FTS5

    def rank(self, match: Match, *, filters: Filters, weights: Weights, limit: int) -> list[tuple[int, float]]:
        if not match.clauses or limit <= 0:
            return []
        if all(c.field == WORD for c in match.clauses):
            # the packed lists, or the posting rows: stop after the best k (FTS5 scores every match). From the rows
            # a question's pool (1,000 deep) reads so many postings that FTS5 scoring everything is cheaper there;
            # all three are exact, the ranking the same.
            ranked = self._rank_words(match, filters=filters, weights=weights, limit=limit, rows_max=self.topk_max)
            if ranked is not None:
                return ranked
        where, params = filter_sql(filters)
        if filters.law_ids:  # same result, much faster: FTS5 reads only the postings in the laws' id range
            low, high = self._id_range(filters.law_ids)
            where += " AND laws_search_fts.rowid BETWEEN %s AND %s"
            params = [*params, low, high]
        sql = (
            "SELECT laws_search_fts.rowid, -bm25(laws_search_fts, %s, %s, %s) AS score"
            " FROM laws_search_fts JOIN laws_search_document d ON d.id = laws_search_fts.rowid"
            f" WHERE laws_search_fts MATCH %s{where} ORDER BY score DESC, laws_search_fts.rowid LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql, [weights.words, weights.bigrams, weights.title, match_expression(match), *params, limit]
            )
            return [(row[0], row[1]) for row in cursor.fetchall()]

    # topk.PostingSource (word_stats: SearchBackend)

    def best_postings(
        self, terms: Sequence[str], filters: Filters, size: int | None
    ) -> list[tuple[str, int, int, int, int, float]]:
        join, conditions, params = posting_filter_sql(filters)
        limit = " LIMIT %s" if size is not None else ""
        sql = (  # the (term, impact desc, …) index holds every column read: no table lookups
            "SELECT p.term, p.doc_id, p.wtf, p.ttf, p.dl, p.impact FROM laws_search_posting p"
            f" INDEXED BY laws_search_posting_impact{join} WHERE p.term = %s{conditions}"
            f" ORDER BY p.impact DESC, p.doc_id{limit}"
        )
        rows: list[tuple[str, int, int, int, int, float]] = []
        with connection.cursor() as cursor:
            for term in terms:
                cursor.execute(sql, [term, *params, *([size] if size is not None else [])])
                rows += cursor.fetchall()
        return rows

    def lookup(self, terms: Sequence[str], doc_ids: Sequence[int]) -> list[tuple[str, int, int, int]]:
        rows: list[tuple[str, int, int, int]] = []
        with connection.cursor() as cursor:
            for start in range(0, len(doc_ids), LOOKUP_BATCH):
                batch = list(doc_ids[start : start + LOOKUP_BATCH])
                marks = ", ".join(["%s"] * len(batch))
                for term in terms:
                    cursor.execute(
                        "SELECT term, doc_id, wtf, ttf FROM laws_search_posting"
                        f" WHERE term = %s AND doc_id IN ({marks})",
                        [term, *batch],
                    )
                    rows += cursor.fetchall()
        return rows

    def conjunction(self, terms: Sequence[str], filters: Filters) -> list[tuple[int, int, list[tuple[int, int]]]]:
        sql, params = conjunction_sql(terms, filters)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return conjunction_rows(cursor.fetchall(), len(terms))

    def get_meta(self, name: str) -> str | None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT value FROM laws_search_meta WHERE name = %s", [name])
            row = cursor.fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO laws_search_meta (name, value) VALUES (%s, %s)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                [name, value],
            )
