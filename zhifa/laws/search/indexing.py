"""Keep the search index equal to the current version's articles of every law.

`index_version` is the hook the import service calls (inside its transaction) with each created or updated
version; `index_refresh` rebuilds the packed posting lists of the words that changed, once a batch of imports is
done (topk.py: they are only read while current); `index_rebuild` re-tokenises everything (after a dictionary
change, or to build the index first).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from django.db import transaction

from zhifa.laws.models import Law, LawVersion, Provision
from zhifa.laws.search import tokenize
from zhifa.laws.search.backends import get_backend
from zhifa.laws.search.documents import IndexDocument, make_document

logger = logging.getLogger(__name__)
TOKENIZER_META = "tokenizer"


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


@transaction.atomic
def index_law(law: Law) -> int:
    """Replace a law's documents by those of its current version (none when it has none); the count indexed."""
    backend = get_backend()
    backend.remove_laws([law.pk])
    current = law.versions.filter(is_current=True).first()
    if current is None:
        return 0
    documents = documents_for(current)
    backend.add(documents)
    return len(documents)


def index_version(version: LawVersion) -> int:
    """The import hook: re-index the version's law (the version may or may not have become current)."""
    if get_backend().get_meta(TOKENIZER_META) not in (None, tokenize.dictionary_checksum()):
        logger.warning("法规检索词典已变更，请运行 manage.py build_search_index 重建索引")
    return index_law(version.law)


def _current_versions() -> Iterator[LawVersion]:
    yield from LawVersion.objects.filter(is_current=True).select_related("law").order_by("pk").iterator(200)


@transaction.atomic
def index_rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Empty the index and index every law's current version; calls progress(done, total) per law."""
    backend = get_backend()
    backend.clear()
    total = LawVersion.objects.filter(is_current=True).count()
    indexed = 0
    batch: list[IndexDocument] = []
    for done, version in enumerate(_current_versions(), start=1):
        batch += documents_for(version)
        if len(batch) >= 5000:
            backend.add(batch)
            indexed, batch = indexed + len(batch), []
        if progress:
            progress(done, total)
    backend.add(batch)
    backend.set_meta(TOKENIZER_META, tokenize.dictionary_checksum())
    backend.refresh()
    return indexed + len(batch)


def index_refresh() -> int:
    """The packed posting lists of every word whose postings changed, rebuilt; how many words."""
    return get_backend().refresh()
