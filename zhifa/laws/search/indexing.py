"""Keep the stored terms equal to the current version's articles of every law, and this server's index with them.

`index_version` is the hook the import service calls (inside its transaction) with each created or updated
version: the law's stored documents are replaced, the change is logged, and this process's index applies it at
once (sync.py; the other app servers' timers within a minute). `index_rebuild` re-tokenises everything (after a
dictionary change, or to build the stored terms first): a new generation, which every server's copy rebuilds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from django.db import transaction

from zhifa.laws.models import Law, LawVersion, Provision
from zhifa.laws.search import store, sync, tokenize
from zhifa.laws.search.documents import IndexDocument, make_document

logger = logging.getLogger(__name__)
TOKENIZER_META = "tokenizer"
SYNC_WAIT = 60.0  # seconds the importing process waits for a sync of its server in progress (a rebuild: < 1 min)


def documents_for(version: LawVersion) -> list[IndexDocument]:
    """The index documents of a version's articles (articles without a key are not searchable)."""
    law = version.law
    rows = Provision.objects.filter(version=version, kind=Provision.Kind.ARTICLE).exclude(key="")
    return [
        make_document(
            id=pk,
            law_id=law.pk,
            version_id=version.pk,
            key=key,
            category=law.category,
            status=version.status,
            region=law.region,
            text=text,
            title=law.short_title,
        )
        for pk, key, text in rows.order_by("position").values_list("pk", "key", "text")
    ]


def _sync_now() -> None:
    """This process's index applies the change at once (the import's own server finds the law immediately)."""
    result = sync.sync(wait=SYNC_WAIT)
    if result.skipped:
        logger.warning("法规检索索引正由另一同步占用：本次导入将由 sync_search_index 定时任务在一分钟内补上")


@transaction.atomic
def index_law(law: Law) -> int:
    """Replace a law's stored documents by those of its current version (none when it has none), log the change
    and apply it to this server's index; the count stored."""
    store.documents_remove([law.pk])
    current = law.versions.filter(is_current=True).first()
    documents = documents_for(current) if current is not None else []
    store.documents_add(documents)
    store.change_record([law.pk])
    _sync_now()
    return len(documents)


def index_version(version: LawVersion) -> int:
    """The import hook: re-index the version's law (the version may or may not have become current)."""
    if store.meta_get(TOKENIZER_META) not in (None, tokenize.dictionary_checksum()):
        logger.warning("法规检索词典已变更，请运行 manage.py build_search_index 重建索引")
    return index_law(version.law)


def _current_versions() -> Iterator[LawVersion]:
    yield from LawVersion.objects.filter(is_current=True).select_related("law").order_by("pk").iterator(200)


@transaction.atomic
def index_rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Re-tokenise every law's current version into the stored terms (a new generation: every server's index
    rebuilds, this one at once); calls progress(done, total) per law."""
    store.documents_clear()
    total = LawVersion.objects.filter(is_current=True).count()
    indexed = 0
    batch: list[IndexDocument] = []
    for done, version in enumerate(_current_versions(), start=1):
        batch += documents_for(version)
        if len(batch) >= 5000:
            store.documents_add(batch)
            indexed, batch = indexed + len(batch), []
        if progress:
            progress(done, total)
    store.documents_add(batch)
    store.meta_set(TOKENIZER_META, tokenize.dictionary_checksum())
    store.generation_new()
    _sync_now()
    return indexed + len(batch)
