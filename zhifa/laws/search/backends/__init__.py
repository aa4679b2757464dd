"""Search backends by database vendor: SQLite FTS5 or PostgreSQL tsvector + GIN (same results)."""

from __future__ import annotations

from django.db import connection

from zhifa.laws.search.backends.base import AND, OR, Filters, Match, SearchBackend


def get_backend() -> SearchBackend:
    """The backend for the default database; raises RuntimeError for a vendor without full-text support here."""
    if connection.vendor == "sqlite":
        from zhifa.laws.search.backends.sqlite import SqliteBackend

        return SqliteBackend()
    if connection.vendor == "postgresql":
        from zhifa.laws.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    raise RuntimeError(f"法规检索不支持数据库 {connection.vendor}：请使用 SQLite 或 PostgreSQL。")


__all__ = ["AND", "OR", "Filters", "Match", "SearchBackend", "get_backend"]
