"""Law search: Chinese full-text search over the current version of every article.

The index is Tantivy in a local directory on each app server (backends/tantivy.py), kept equal to the stored
terms in the database (store.py) by sync.py; engine.py combines word and bigram rankings and an optional learned
prior (learned.py) or re-ranker (rerank.py); scopes.py applies jurisdiction. `index_version(version)` is the hook
the import service calls; `manage.py sync_search_index` brings a server's index up to date, `build_search_index`
re-tokenises all.
"""

from __future__ import annotations


def index_version(version) -> int:
    """Re-index the law of a newly imported version (called inside the import transaction)."""
    from zhifa.laws.search.indexing import index_version as _index_version

    return _index_version(version)
