"""Index lookups shared by both backends (plain SQL on laws_search_document): keys ↔ ids, laws, filters."""

from __future__ import annotations

from django.db import connection

from zhifa.laws.search.backends.base import Filters, filter_sql


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def ids_of_keys(keys: list[str]) -> dict[str, int]:
    """Indexed provision id of each article key (keys not in the index are absent)."""
    if not keys:
        return {}
    # By laws_provision's index on key (laws_search_document has none on it: on PostgreSQL that lookup scanned the
    # whole table, 0.5 s a question at load 20). PostgreSQL gets one index probe per key (LATERAL): for `key IN
    # (…)` it expects thousands of rows per key (most provisions have the empty key) and scans both tables.
    # OFFSET 0 keeps the LATERAL subquery a subquery: flattened, and with no statistics on laws_provision after an
    # import (autovacuum off), the planner hashed all 500k provisions per question (0.8 s for the re-ranker's 150
    # keys on the corpus, 2026-12-07); as written, 150 index probes take ≈ 2 ms.
    if connection.vendor == "postgresql":
        sql = (
            "SELECT k.key, x.id FROM unnest(%s::text[]) AS k(key) CROSS JOIN LATERAL (SELECT p.id FROM laws_provision p"
            " JOIN laws_search_document d ON d.id = p.id WHERE p.key = k.key OFFSET 0) x"
        )
        params: list = [list(keys)]
    else:
        sql = (
            "SELECT p.key, p.id FROM laws_provision p JOIN laws_search_document d ON d.id = p.id"
            f" WHERE p.key IN ({_marks(keys)})"
        )
        params = list(keys)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def keys_of_ids(ids: list[int]) -> dict[int, str]:
    """The article key of each indexed provision id."""
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, key FROM laws_search_document WHERE id IN ({_marks(ids)})", ids)
        return dict(cursor.fetchall())


def laws_of_ids(ids: list[int]) -> dict[int, str]:
    """The law short title of each indexed provision id."""
    if not ids:
        return {}
    ids = list(dict.fromkeys(ids))
    with connection.cursor() as cursor:
        # A scalar subquery, not a join: with a join PostgreSQL hashed all 3,357 laws for a keyword's 30 ids (2.0 ms
        # of a 7 ms search); the subquery is one laws_law index probe per id (0.2 ms).
        cursor.execute(
            "SELECT d.id, (SELECT l.short_title FROM laws_law l WHERE l.id = d.law_id) FROM laws_search_document d"
            f" WHERE d.id IN ({_marks(ids)})",
            ids,
        )
        return dict(cursor.fetchall())


def ids_passing(ids: list[int], filters: Filters) -> set[int]:
    """The ids among `ids` that the filters allow."""
    if not ids:
        return set()
    where, params = filter_sql(filters)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT d.id FROM laws_search_document d WHERE d.id IN ({_marks(ids)}){where}", [*ids, *params])
        return {row[0] for row in cursor.fetchall()}


def law_ids_of_titles(titles: list[str]) -> tuple[int, ...]:
    """Ids of the laws with these short titles."""
    if not titles:
        return ()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM laws_law WHERE short_title IN ({_marks(titles)})", titles)
        return tuple(row[0] for row in cursor.fetchall())


def law_ids_of_ids(ids: list[int]) -> dict[int, int]:
    """The law id of each indexed provision id."""
    if not ids:
        return {}
    ids = list(dict.fromkeys(ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one array parameter: psycopg spent ~20 ms splitting 1,500 marks
            cursor.execute("SELECT id, law_id FROM laws_search_document WHERE id = ANY(%s::bigint[])", [ids])
        else:
            cursor.execute(f"SELECT id, law_id FROM laws_search_document WHERE id IN ({_marks(ids)})", ids)
        return dict(cursor.fetchall())


def article_texts():
    """(key, region, law short title, text) of every indexed article, in id order (to build the dense space)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.key, d.region, l.short_title, p.text FROM laws_search_document d"
            " JOIN laws_provision p ON p.id = d.id JOIN laws_law l ON l.id = d.law_id ORDER BY d.id"
        )
        return cursor.fetchall()
