"""Law search: Chinese full-text search over the current version of every article.

Backends (SQLite FTS5, PostgreSQL tsvector + GIN) rank the same way (BM25, documents.py); engine.py combines
word and bigram rankings and an optional learned prior (learned.py); scopes.py applies jurisdiction.
`index_version(version)` is the hook the import service calls; `index_refresh()` brings the packed posting lists
up to date after a batch of imports; `manage.py build_search_index` rebuilds all.
"""

from __future__ import annotations


def index_version(version) -> int:
    """Re-index the law of a newly imported version (called inside the import transaction)."""
    from zhifa.laws.search.indexing import index_version as _index_version

    return _index_version(version)


def index_refresh() -> int:
    """After a batch of imports: rebuild the packed posting lists of the words whose postings changed (outside the
    import transactions; until then those words are ranked from their posting rows). Returns how many words."""
    from zhifa.laws.search.indexing import index_refresh as _index_refresh

    return _index_refresh()
