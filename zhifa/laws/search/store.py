"""The database side of the search: the stored terms and the change log; the same SQL on SQLite and PostgreSQL.

- `laws_search_document`: per indexed article its filter columns, length and the exact word and title terms
  indexed (space-separated). The source of truth: every app server's index (backends/tantivy.py) is rebuilt from
  it (with the bigrams of `laws_provision.text`), never the other way round.
- `laws_search_change` (seq, law_id, token): one row per law whose stored terms an import changed, written in the
  import's transaction. The number comes from the counter row `change_seq` of `laws_search_meta`, incremented in
  that transaction: its row lock is held to the commit, so numbers become visible in order and without gaps, and
  "every change after the one my index applied" (sync.py) misses none. A rolled-back transaction gives its
  number back; the next change reuses it with another random token, which is how a copy that applied the
  rolled-back change finds out (sync.py rebuilds it).
- `laws_search_meta`: `generation` (a new random value when everything was re-tokenised: every copy rebuilds),
  `change_seq`, `tokenizer` (the dictionary's checksum at the last rebuild).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db import connection

from zhifa.laws.search.documents import IndexDocument, stored_document

BATCH = 2000  # documents per statement and per batch read
LAW_BATCH = 500  # law ids per IN (…)


@dataclass(frozen=True)
class Change:
    seq: int
    law_id: int
    token: str


def _marks(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


def documents_add(documents: Sequence[IndexDocument]) -> None:
    """Store the documents' terms (their ids must not be stored yet)."""
    with connection.cursor() as cursor:
        for start in range(0, len(documents), BATCH):
            cursor.executemany(
                "INSERT INTO laws_search_document (id, law_id, version_id, key, category, status, region, dl, words,"
                " title) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
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
                    )
                    for d in documents[start : start + BATCH]
                ],
            )


def documents_remove(law_ids: Sequence[int]) -> int:
    """Forget the stored documents of these laws; how many there were."""
    removed = 0
    with connection.cursor() as cursor:
        for start in range(0, len(law_ids), LAW_BATCH):
            batch = list(law_ids[start : start + LAW_BATCH])
            cursor.execute(f"DELETE FROM laws_search_document WHERE law_id IN ({_marks(batch)})", batch)
            removed += cursor.rowcount
    return removed


def documents_clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM laws_search_document")


def stored_documents(law_ids: Sequence[int] | None = None) -> Iterator[list[IndexDocument]]:
    """The stored documents (of these laws; None: all) in batches, in id order, bigrams from the article text."""
    chunks = (
        [None] if law_ids is None else [list(law_ids[i : i + LAW_BATCH]) for i in range(0, len(law_ids), LAW_BATCH)]
    )
    with connection.cursor() as cursor:
        for chunk in chunks:
            last_id = 0
            while True:
                where = "" if chunk is None else f" AND d.law_id IN ({_marks(chunk)})"
                cursor.execute(
                    "SELECT d.id, d.law_id, d.version_id, d.key, d.category, d.status, d.region, d.words, d.title,"
                    f" p.text FROM laws_search_document d JOIN laws_provision p ON p.id = d.id WHERE d.id > %s{where}"
                    " ORDER BY d.id LIMIT %s",
                    [last_id, *(chunk or []), BATCH],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                last_id = rows[-1][0]
                yield [
                    stored_document(
                        id=r[0], law_id=r[1], version_id=r[2], key=r[3], category=r[4], status=r[5], region=r[6],
                        words=r[7], title=r[8], text=r[9],
                    )
                    for r in rows
                ]  # fmt: skip


def change_record(law_ids: Sequence[int]) -> None:
    """Log that these laws' stored documents changed (inside the transaction that changed them)."""
    with connection.cursor() as cursor:
        for law_id in law_ids:
            cursor.execute(  # the counter's row lock is held to the commit: numbers appear in order, no gaps
                "INSERT INTO laws_search_meta (name, value) VALUES ('change_seq', '1') ON CONFLICT (name)"
                " DO UPDATE SET value = CAST(CAST(laws_search_meta.value AS BIGINT) + 1 AS TEXT) RETURNING value"
            )
            seq = int(cursor.fetchone()[0])
            cursor.execute(
                "INSERT INTO laws_search_change (seq, law_id, token) VALUES (%s, %s, %s)",
                [seq, law_id, secrets.token_hex(8)],
            )


def changes_since(seq: int) -> list[Change]:
    """The changes numbered after `seq`, in order."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, law_id, token FROM laws_search_change WHERE seq > %s ORDER BY seq", [seq])
        return [Change(*row) for row in cursor.fetchall()]


def change_at(seq: int) -> Change | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, law_id, token FROM laws_search_change WHERE seq = %s", [seq])
        row = cursor.fetchone()
    return Change(*row) if row else None


def last_change() -> Change | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, law_id, token FROM laws_search_change ORDER BY seq DESC LIMIT 1")
        row = cursor.fetchone()
    return Change(*row) if row else None


def generation() -> str:
    """The stored terms' generation (created on first use)."""
    found = meta_get("generation")
    if found is not None:
        return found
    with connection.cursor() as cursor:  # (migration laws/0009 creates it; a database emptied by hand has none)
        cursor.execute(
            "INSERT INTO laws_search_meta (name, value) VALUES ('generation', %s) ON CONFLICT (name) DO NOTHING",
            [secrets.token_hex(8)],
        )
        cursor.execute("SELECT value FROM laws_search_meta WHERE name = 'generation'")
        return cursor.fetchone()[0]


def generation_new() -> None:
    """Everything was re-tokenised: every app server's copy must be rebuilt, not patched."""
    meta_set("generation", secrets.token_hex(8))


def meta_get(name: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM laws_search_meta WHERE name = %s", [name])
        row = cursor.fetchone()
    return row[0] if row else None


def meta_set(name: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO laws_search_meta (name, value) VALUES (%s, %s)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [name, value],
        )
