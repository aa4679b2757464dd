"""The search index: an embedded Tantivy index in a local directory (`ZHIFA_SEARCH_INDEX`), on SQLite and PostgreSQL
alike (docs/search.md, "Decision record").

The schema the engine benchmark validated (benchmarks/bench_search_engines.py): one `words` field holding the
article's jieba words plus its law title's words twice (FTS5's weighted term frequency, title weight 2, in one
field: a title field of its own over-rewards the short title), `bigrams` with positions (phrases), and the filters
as raw terms. Every term is one of tokenize.py's, joined by spaces and split by Tantivy's whitespace tokenizer, so
the index holds exactly our terms. Tantivy's BM25 and its top-k (block-max WAND) rank.

The index is a copy: the database's `laws_search_document` (the stored terms) is the source of truth, and
sync.py keeps each app server's copy current. This module only reads and writes the copy.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tantivy
from django.db import connection

from zhifa.laws.search.backends.base import AND, Filters, Match
from zhifa.laws.search.documents import BIGRAM, PHRASE, WORD, Clause, IndexDocument

TITLE_REPEAT = 2  # the title's words count twice (FTS5's title weight 2 before the switch)
NATIONAL = "national"  # the region term of national texts (region ""): a raw term cannot be empty
WRITER_HEAP = 64_000_000  # bytes; one indexing thread (the 2-core box serves requests meanwhile)


class IndexUnavailable(RuntimeError):
    """The index directory cannot be created, opened or written; the message says where and what to do."""


@dataclass(frozen=True)
class WordStats:
    """What the re-ranker's features need of the index: its size, average length and the terms' frequencies."""

    n_docs: int
    avg: float  # average article length (words + title + bigrams, laws_search_document.dl)
    dfs: tuple[int, ...]  # document frequency of each term, in the order asked


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", fast=True)  # the Provision id, read back from the hits
    builder.add_integer_field("law_id", indexed=True)  # filter, and removal of a law's articles
    builder.add_integer_field("dl", fast=True)  # the stored length, for the re-ranker's average
    for name in ("region", "category", "status"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("words", tokenizer_name="whitespace", index_option="freq")
    builder.add_text_field("bigrams", tokenizer_name="whitespace", index_option="position")
    return builder.build()


def open_index(path: Path) -> tantivy.Index:
    """The index at `path`, created empty when the directory has none; IndexUnavailable when it cannot be."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(schema(), path=str(path), reuse=True)
    except (OSError, ValueError) as exc:
        raise IndexUnavailable(
            f"法规检索索引目录 {path} 无法创建或打开（{exc}）：请确认该目录可由应用用户写入，"
            "或用 ZHIFA_SEARCH_INDEX 指定其他目录，然后运行 manage.py sync_search_index。"
        ) from exc
    # Reloaded by the backend when another process commits (meta.json changes): no watcher thread per index.
    index.config_reader(reload_policy="Manual")
    return index


class TantivyBackend:
    """Ranking and statistics over one index directory, and the writes sync.py makes to it."""

    vendor = "tantivy"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index = open_index(path)
        self.schema = self.index.schema
        self._seen: tuple | None = self._commit_mark()
        self._avg: float | None = None
        # The current search's searcher and statistics (one_search), per thread: gthread workers share this object.
        self._search = threading.local()
        self._writer: tantivy.IndexWriter | None = None

    # -------------------------------------------------------------------------------------------------- reading

    def _commit_mark(self) -> tuple | None:
        try:
            stat = (self.path / "meta.json").stat()
        except OSError:
            return None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def searcher(self) -> tantivy.Searcher:
        """The searcher of the current search, or a fresh one of the last commit (any process's)."""
        current = getattr(self._search, "searcher", None)
        if current is not None:
            return current
        mark = self._commit_mark()
        if mark != self._seen:  # a stat per search: another process (sync, an import) has committed
            self.index.reload()
            self._seen, self._avg = mark, None
        return self.index.searcher()

    @contextmanager
    def one_search(self) -> Iterator[None]:
        """One search sees one commit of the index (Tantivy: the same searcher for all of a query's parts), and
        the statistics it reads are kept until it ends."""
        if getattr(self._search, "searcher", None) is not None:  # nested: the outer search's
            yield
            return
        self._search.searcher, self._search.memo = self.searcher(), {}
        try:
            yield
        finally:
            self._search.searcher = self._search.memo = None

    def count(self) -> int:
        """Number of indexed articles."""
        return self.searcher().num_docs

    def doc_freqs(self, clauses: Sequence[Clause]) -> list[int]:
        """Number of indexed articles holding each clause (over the whole index, no filters)."""
        searcher, memo = self.searcher(), getattr(self._search, "memo", None)
        memo = memo if memo is not None else {}
        out = []
        for clause in clauses:
            key = (clause.field, clause.term)
            if key not in memo:
                if clause.field == PHRASE:
                    memo[key] = searcher.search(self._clause(clause), 1, count=True).count  # type: ignore[attr-defined]
                else:
                    memo[key] = searcher.doc_freq("words" if clause.field == WORD else "bigrams", clause.term)
            out.append(memo[key])
        return out

    def word_stats(self, terms: Sequence[str]) -> WordStats:
        """The index's size and average article length, and the word terms' document frequencies."""
        searcher = self.searcher()
        if self._avg is None:
            found = searcher.aggregate(tantivy.Query.all_query(), {"avg": {"avg": {"field": "dl"}}})
            self._avg = float(found["avg"]["value"] or 1.0)
        return WordStats(searcher.num_docs, self._avg, tuple(self.doc_freqs([Clause(t, WORD) for t in terms])))

    def _clause(self, clause: Clause) -> tantivy.Query:
        if clause.field == PHRASE:
            bigrams: list[str | tuple[int, str]] = list(clause.term.split())
            return tantivy.Query.phrase_query(self.schema, "bigrams", bigrams)
        return tantivy.Query.term_query(self.schema, "bigrams" if clause.field == BIGRAM else "words", clause.term)

    def _filter(self, filters: Filters) -> tantivy.Query | None:
        """The filters as one query scoring 0 (it restricts, never ranks); None without filters."""
        law_ids = filters.law_ids
        if filters.domain_ids is not None:  # the laws of those domains (a database relation, not indexed)
            domain_laws = _laws_of_domains(filters.domain_ids)
            law_ids = domain_laws if law_ids is None else tuple(set(law_ids) & set(domain_laws))
        parts = []
        for name, values in (
            ("region", None if filters.regions is None else [r or NATIONAL for r in filters.regions]),
            ("category", filters.categories),
            ("status", filters.statuses),
            ("law_id", law_ids),
        ):
            if values is not None:
                parts.append(tantivy.Query.term_set_query(self.schema, name, list(values)))
        if not parts:
            return None
        both = parts[0] if len(parts) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Must, p) for p in parts])
        return tantivy.Query.const_score_query(both, 0.0)

    def rank(self, match: Match, *, filters: Filters, limit: int) -> list[tuple[int, float]]:
        """(provision id, BM25 score) of the best `limit` articles matching all (AND) or any (OR) clause."""
        if not match.clauses or limit <= 0 or any(v == () for v in _filter_values(filters)):
            return []
        occur = tantivy.Occur.Must if match.mode == AND else tantivy.Occur.Should
        query = tantivy.Query.boolean_query([(occur, self._clause(c)) for c in match.clauses])
        restriction = self._filter(filters)
        if restriction is not None:
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, restriction)])
        searcher = self.searcher()
        hits = searcher.search(query, limit, count=False).hits
        ids = searcher.fast_field_values("id", [address for _score, address in hits])
        ranked = [(int(doc_id), float(score)) for doc_id, (score, _address) in zip(ids, hits, strict=True)]  # type: ignore[arg-type]
        return sorted(ranked, key=lambda item: (-item[1], item[0]))

    # -------------------------------------------------------------------------------- writing (sync.py only)

    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as exc:  # another writer holds the directory's lock (sync.py serialises them)
                raise IndexUnavailable(
                    f"法规检索索引目录 {self.path} 正由其他进程写入（{exc}）："
                    "请稍后再运行 manage.py sync_search_index。"
                ) from exc
        return self._writer

    def add(self, documents: Sequence[IndexDocument]) -> None:
        """Stage documents (their ids must not be indexed); visible at commit()."""
        writer = self.writer()
        for d in documents:
            writer.add_document(
                tantivy.Document(
                    id=d.id,
                    law_id=d.law_id,
                    dl=d.length,
                    region=d.region or NATIONAL,
                    category=d.category,
                    status=d.status,
                    words=" ".join((*d.words, *d.title * TITLE_REPEAT)),
                    bigrams=" ".join(d.bigrams),
                )
            )

    def remove_laws(self, law_ids: Sequence[int]) -> None:
        """Stage the removal of every article of these laws."""
        writer = self.writer()
        for law_id in law_ids:
            writer.delete_documents_by_term("law_id", law_id)

    def clear(self) -> None:
        """Stage the removal of everything."""
        self.writer().delete_all_documents()

    def commit(self) -> None:
        """Publish the staged changes (one atomic commit) and release the directory's writer lock."""
        writer, self._writer = self.writer(), None
        try:
            writer.commit()
        finally:
            writer.wait_merging_threads()
        self.index.reload()
        self._seen, self._avg = self._commit_mark(), None

    def rollback(self) -> None:
        """Drop the staged changes and release the lock."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.rollback()
            writer.wait_merging_threads()


def _filter_values(filters: Filters) -> tuple:
    return (filters.regions, filters.categories, filters.statuses, filters.law_ids, filters.domain_ids)


def _laws_of_domains(domain_ids: Sequence[int]) -> tuple[int, ...]:
    if not domain_ids:
        return ()
    marks = ", ".join(["%s"] * len(domain_ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT law_id FROM laws_law_domains WHERE domain_id IN ({marks})", list(domain_ids))
        return tuple(row[0] for row in cursor.fetchall())
