"""SQLite FTS5 backend: a contentless FTS5 table (words, bigrams, title) ranked by FTS5's own bm25().

`laws_search_document` holds, per article, the filter columns and the exact words/title terms that were indexed
plus the article text (bigrams depend on nothing else, so they are recomputed from it): a contentless FTS5 table
can only forget a row when given the values it indexed, and the dictionary may have changed since.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from zhifa.laws.search import tokenize
from zhifa.laws.search.backends.base import AND, Filters, Match, SearchBackend, filter_sql
from zhifa.laws.search.documents import WORD, Clause, IndexDocument, Weights

BATCH = 500


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

    def remove_laws(self, law_ids: Sequence[int]) -> int:
        if not law_ids:
            return 0
        marks = ", ".join(["%s"] * len(law_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, words, body, title FROM laws_search_document WHERE law_id IN ({marks})", list(law_ids)
            )
            rows = [
                (id_, words, " ".join(tokenize.bigrams(body)), title) for id_, words, body, title in cursor.fetchall()
            ]
            cursor.executemany(
                "INSERT INTO laws_search_fts (laws_search_fts, rowid, words, bigrams, title)"
                " VALUES ('delete', %s, %s, %s, %s)",
                rows,
            )
            cursor.execute(f"DELETE FROM laws_search_document WHERE law_id IN ({marks})", list(law_ids))
            return cursor.rowcount

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO laws_search_fts (laws_search_fts) VALUES ('delete-all')")
            cursor.execute("DELETE FROM laws_search_document")

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM laws_search_document")
            return cursor.fetchone()[0]

    def _id_range(self, law_ids) -> tuple[int, int]:
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(law_ids))
            cursor.execute(
                f"SELECT min(id), max(id) FROM laws_search_document WHERE law_id IN ({marks})", list(law_ids)
            )
            low, high = cursor.fetchone()
        return (low or 0), (high or 0)

    def doc_freq(self, clause: Clause) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM laws_search_fts WHERE laws_search_fts MATCH %s", [_clause_sql(clause)])
            return cursor.fetchone()[0]

    def rank(self, match: Match, *, filters: Filters, weights: Weights, limit: int) -> list[tuple[int, float]]:
        if not match.clauses or limit <= 0:
            return []
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
