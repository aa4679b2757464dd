"""The search index: Tantivy in a local directory (tantivy.py), the same on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from zhifa.laws.search.backends.base import AND, OR, Filters, Match
from zhifa.laws.search.backends.tantivy import IndexUnavailable, TantivyBackend

SearchBackend = TantivyBackend  # the one engine (annotations say what a function needs, not which engine)
_backend: TantivyBackend | None = None


def get_backend(*, reopen: bool = False) -> TantivyBackend:
    """The index of this process (ZHIFA_SEARCH_INDEX), opened once per directory (again with `reopen`: sync.py
    after emptying a broken one); IndexUnavailable when the directory cannot be created or opened."""
    global _backend
    path = Path(settings.ZHIFA_SEARCH_INDEX)
    if reopen or _backend is None or _backend.path != path:  # tests give every test its own directory
        _backend = TantivyBackend(path)
    return _backend


__all__ = ["AND", "OR", "Filters", "IndexUnavailable", "Match", "SearchBackend", "get_backend"]
