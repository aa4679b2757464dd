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
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, id FROM laws_search_document WHERE key IN ({_marks(keys)})", keys)
        return dict(cursor.fetchall())


def laws_of_ids(ids: list[int]) -> dict[int, str]:
    """The law short title of each indexed provision id."""
    if not ids:
        return {}
    ids = list(dict.fromkeys(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, l.short_title FROM laws_search_document d JOIN laws_law l ON l.id = d.law_id"
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
        cursor.execute(f"SELECT id, law_id FROM laws_search_document WHERE id IN ({_marks(ids)})", ids)
        return dict(cursor.fetchall())
