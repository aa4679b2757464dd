"""The law search engines side by side (issue 21, docs/search.md "Decision record"): the in-house BM25 against an
embedded library (Tantivy) and against each database's full-text search alone, on the same tokens and the same
recipe, so the comparison is of engines, not of tokenisers or recipes.

    .venv/bin/python benchmarks/bench_search_engines.py --build               # Tantivy index + PostgreSQL FTS tables
    .venv/bin/python benchmarks/bench_search_engines.py --relevance --latency # test split; bench_laws_search's queries
    .venv/bin/python benchmarks/bench_search_engines.py --latency --engines inhouse \
        --db postgres://postgres@127.0.0.1/zhifa_corpus                       # the in-house engine on PostgreSQL

Engines (each a minimal `SearchBackend` as far as `engine.rank` uses one: `rank`, `doc_freqs`, `one_search`):
- `inhouse`: the platform's backend for the database --db points at. Until the switch (issue 21) the in-house BM25
  (SQLite: FTS5 + posting rows + packed lists + topk.py; PostgreSQL: tsvector/GIN + jsonb + posting rows + packed
  lists + topk.py) and `fts5` (SQLite FTS5 alone); both are gone (git history: the decision record's rows were
  measured at 6513f43); since the switch it is the production Tantivy backend (ZHIFA_SEARCH_INDEX);
- `tantivy`: a Tantivy index (var/bench/tantivy/) of the same terms: fields `words`, `title` (term frequencies) and
  `bigrams` (positions, for phrases), tokenizer `whitespace` over the stored terms; Tantivy's own BM25 (per field,
  title boosted 2×) and top-k (block-max WAND);
- `pgfts` / `pgfts_cd`: PostgreSQL alone (database zhifa_pgfts): one table, `wtsv` (words at weight D, law title
  words at weight A) and `btsv` (bigrams with positions), two GIN indexes, ranked by ts_rank / ts_rank_cd
  (normalisation 1: ÷ 1 + log length; weight A counts 2× D, as the title field does), ORDER BY … LIMIT: no
  in-house top-k, no idf (PostgreSQL has none).

The documents (terms, text, region) are read from the corpus the platform imported (--corpus, an SQLite file, read
only); bigrams are recomputed from the text as the SQLite backend does. Not part of `make test` or CI.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
PAIRS = DATA / "retrieval" / "article_retrieval.jsonl"
CORPUS = ROOT / "var" / "bench" / "engines_corpus.sqlite3"
TANTIVY_DIR = ROOT / "var" / "bench" / "tantivy"
TANTIVY_ONE_FIELD_DIR = ROOT / "var" / "bench" / "tantivy_one_field"
PGFTS_URL = "postgres://postgres@127.0.0.1:5432/zhifa_pgfts"
NATIONAL = "national"  # Tantivy's term for the empty region (national texts)


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("ZHIFA_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # as a server runs (DEBUG records every statement)


def corpus_rows(path: Path):
    """(id, law_id, region, category, status, words, title, bigrams) of every indexed article, from the corpus."""
    from zhifa.laws.search import tokenize

    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    for row in db.execute("SELECT id, law_id, region, category, status, words, title, body FROM laws_search_document"):
        doc_id, law_id, region, category, status, words, title, body = row
        yield doc_id, law_id, region, category, status, words.split(), title.split(), tokenize.bigrams(body)


# ---------------------------------------------------------------------------------------------------------- Tantivy


class TantivyBackend:
    """Tantivy over the same terms: what a production backend would hold (plus add/remove, ~40 lines more)."""

    vendor = "tantivy"

    def __init__(self, path: Path = TANTIVY_DIR) -> None:
        """`path`: TANTIVY_DIR (title a field of its own, boosted), or TANTIVY_ONE_FIELD_DIR (the title's words added
        twice to `words`, the `title` field empty: FTS5's weighted term frequency, title weight 2, in one field)."""
        import tantivy

        self.t = tantivy
        self.index = tantivy.Index.open(str(path))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    @staticmethod
    def schema_builder():
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("id", stored=True, indexed=True, fast=True)
        builder.add_text_field("region", tokenizer_name="raw", index_option="basic")
        builder.add_text_field("words", tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field("title", tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field("bigrams", tokenizer_name="whitespace", index_option="position")
        return builder.build()

    @contextmanager
    def one_search(self):
        yield

    def count(self) -> int:
        return self.searcher.num_docs

    def doc_freqs(self, clauses) -> list[int]:
        from zhifa.laws.search.documents import WORD

        return [self.searcher.doc_freq("words" if c.field == WORD else "bigrams", c.term) for c in clauses]

    def _clause(self, clause, title_boost: float = 2.0):
        from zhifa.laws.search.documents import BIGRAM, WORD

        Q, Occur = self.t.Query, self.t.Occur
        if clause.field == WORD:
            words = Q.term_query(self.schema, "words", clause.term, index_option="freq")
            title = Q.boost_query(Q.term_query(self.schema, "title", clause.term, index_option="freq"), title_boost)
            return Q.boolean_query([(Occur.Should, words), (Occur.Should, title)])
        if clause.field == BIGRAM:
            return Q.term_query(self.schema, "bigrams", clause.term, index_option="freq")
        return Q.phrase_query(self.schema, "bigrams", clause.term.split())

    def rank(self, match, *, filters, limit) -> list[tuple[int, float]]:
        from zhifa.laws.search.backends import AND

        if not match.clauses or limit <= 0:
            return []
        if filters.categories or filters.statuses or filters.law_ids or filters.domain_ids:
            raise NotImplementedError("the benchmark filters by region only")
        Q, Occur = self.t.Query, self.t.Occur
        occur = Occur.Must if match.mode == AND else Occur.Should
        query = Q.boolean_query([(occur, self._clause(c)) for c in match.clauses])
        if filters.regions is not None:
            regions = [Q.term_query(self.schema, "region", r or NATIONAL) for r in filters.regions]
            scope = Q.const_score_query(Q.boolean_query([(Occur.Should, r) for r in regions]), 0.0)
            query = Q.boolean_query([(Occur.Must, query), (Occur.Must, scope)])
        hits = self.searcher.search(query, limit, count=False).hits
        ids = self.searcher.fast_field_values("id", [address for _score, address in hits])
        return [(doc_id, score) for doc_id, (score, _address) in zip(ids, hits, strict=True)]


def build_tantivy(corpus: Path, *, one_field: bool = False) -> dict:
    import tantivy

    path = TANTIVY_ONE_FIELD_DIR if one_field else TANTIVY_DIR
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    index = tantivy.Index(TantivyBackend.schema_builder(), path=str(path))
    started = time.perf_counter()
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    n = 0
    for doc_id, _law_id, region, _category, _status, words, title, bigrams in corpus_rows(corpus):
        writer.add_document(
            tantivy.Document(
                id=doc_id,
                region=region or NATIONAL,
                words=" ".join(words + title + title if one_field else words),
                title="" if one_field else " ".join(title),
                bigrams=" ".join(bigrams),
            )
        )
        n += 1
    writer.commit()
    writer.wait_merging_threads()
    seconds = time.perf_counter() - started
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    name = "tantivy_one_field" if one_field else "tantivy"
    return {"engine": name, "documents": n, "seconds": round(seconds, 1), "bytes": size}


# ------------------------------------------------------------------------------------------------- PostgreSQL alone


class PgFtsBackend:
    """PostgreSQL full-text search alone: tsvector + GIN, ts_rank or ts_rank_cd, ORDER BY score LIMIT k."""

    vendor = "pgfts"

    def __init__(self, url: str = PGFTS_URL, *, function: str = "ts_rank") -> None:
        import psycopg

        self.connection = psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True)
        self.function = function

    @contextmanager
    def one_search(self):
        yield

    def count(self) -> int:
        return self.connection.execute("SELECT count(*) FROM doc").fetchone()[0]

    def server_pid(self) -> int:
        return self.connection.info.backend_pid

    def doc_freqs(self, clauses) -> list[int]:
        from zhifa.laws.search.documents import WORD

        keys = [("w" if c.field == WORD else "b", c.term) for c in clauses]
        rows = self.connection.execute(
            "SELECT field, term, df FROM term WHERE (field, term) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
            [[f for f, _ in keys], [t for _, t in keys]],
        ).fetchall()
        found = {(f, t): df for f, t, df in rows}
        return [found.get(key, 0) for key in keys]

    def rank(self, match, *, filters, limit, words_weight: float = 1.0, title_weight: float = 2.0):
        from zhifa.laws.search.backends import AND
        from zhifa.laws.search.documents import BIGRAM, PHRASE, WORD

        if not match.clauses or limit <= 0:
            return []
        if filters.categories or filters.statuses or filters.law_ids or filters.domain_ids:
            raise NotImplementedError("the benchmark filters by region only")
        joiner = " & " if match.mode == AND else " | "
        words = [_lexeme(c.term) for c in match.clauses if c.field == WORD]
        bigrams = [_lexeme(c.term) for c in match.clauses if c.field == BIGRAM]
        bigrams += [" <-> ".join(map(_lexeme, c.term.split())) for c in match.clauses if c.field == PHRASE]
        bigrams = [f"({b})" for b in bigrams]
        scores, conditions, params = [], [], []
        # weights {D, C, B, A} (each ≤ 1): words at D, title words at A, in the fields' ratio (title 2: A = 2 × D)
        top = max(words_weight, title_weight)
        for column, terms, array in (
            ("wtsv", words, [words_weight / top, 0.0, 0.0, title_weight / top]),
            ("btsv", bigrams, [1.0, 0.0, 0.0, 1.0]),
        ):
            if terms:
                scores.append(f"{self.function}(%s::float4[], {column}, %s::tsquery, 1)")
                conditions.append(f"{column} @@ %s::tsquery")
                params.append((array, joiner.join(terms)))
        where = (" AND " if match.mode == AND else " OR ").join(conditions)
        sql = f"SELECT id, {' + '.join(scores)} AS score FROM doc WHERE ({where})"
        values: list = [v for array, q in params for v in (array, q)] + [q for _array, q in params]
        if filters.regions is not None:
            sql += " AND region = ANY(%s)"
            values.append(list(filters.regions))
        sql += " ORDER BY score DESC, id LIMIT %s"
        return [(doc_id, float(score)) for doc_id, score in self.connection.execute(sql, [*values, limit])]


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _positions(terms: list[str], start: int = 1, weight: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for i, term in enumerate(terms, start=start):
        slots = out.setdefault(term, [])
        if len(slots) < 256:  # PostgreSQL keeps 256 positions per lexeme, positions ≤ 16,383
            slots.append(f"{min(i, 16383)}{weight}")
    return out


def _tsvector(groups: list[dict[str, list[str]]]) -> str:
    merged: dict[str, list[str]] = {}
    for group in groups:
        for term, positions in group.items():
            merged.setdefault(term, []).extend(positions)
    return " ".join(f"{_lexeme(t)}:{','.join(p[:256])}" for t, p in merged.items())


def build_pgfts(corpus: Path, url: str) -> dict:
    import psycopg

    admin_url, name = url.rsplit("/", 1)
    with psycopg.connect(f"{admin_url.replace('postgres://', 'postgresql://')}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    started = time.perf_counter()
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as db:
        db.execute(
            "CREATE TABLE doc (id bigint PRIMARY KEY, law_id int NOT NULL, region text NOT NULL,"
            " category text NOT NULL, status text NOT NULL, wtsv tsvector NOT NULL, btsv tsvector NOT NULL)"
        )
        n = 0
        with db.cursor().copy("COPY doc FROM STDIN") as copy:
            for doc_id, law_id, region, category, status, words, title, bigrams in corpus_rows(corpus):
                wtsv = _tsvector([_positions(words, weight="D"), _positions(title, len(words) + 1, "A")])
                btsv = _tsvector([_positions(bigrams)])
                copy.write_row((doc_id, law_id, region, category, status, wtsv, btsv))
                n += 1
        loaded = time.perf_counter() - started
        db.execute("SET maintenance_work_mem = '512MB'")
        db.execute("CREATE INDEX doc_wtsv ON doc USING gin (wtsv)")
        db.execute("CREATE INDEX doc_btsv ON doc USING gin (btsv)")
        db.execute("CREATE INDEX doc_region ON doc (region)")
        indexed = time.perf_counter() - started
        # document frequencies (the recipe leaves the commonest terms out of a question's OR): PostgreSQL's ts_stat
        db.execute(
            "CREATE TABLE term AS SELECT 'w'::text AS field, word AS term, ndoc AS df"
            " FROM ts_stat('SELECT wtsv FROM doc')"
            " UNION ALL SELECT 'b', word, ndoc FROM ts_stat('SELECT btsv FROM doc')"
        )
        db.execute("ALTER TABLE term ADD PRIMARY KEY (field, term)")
        db.execute("VACUUM ANALYZE")
        seconds = time.perf_counter() - started
        sizes = dict(
            db.execute(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname IN ('doc', 'term')"
            ).fetchall()
        )
    return {
        "engine": "pgfts",
        "documents": n,
        "seconds": round(seconds, 1),
        "load_seconds": round(loaded, 1),
        "gin_seconds": round(indexed - loaded, 1),
        "bytes": sizes.get("doc", 0),
        "term_table_bytes": sizes.get("term", 0),
    }


# ------------------------------------------------------------------------------------------------------ the harness


def backends(names: list[str], pg_url: str) -> dict:
    from zhifa.laws.search.backends import get_backend

    out = {}
    for name in names:
        if name == "inhouse":
            out[name] = get_backend()
        elif name == "tantivy":
            out[name] = TantivyBackend()
        elif name == "tantivy_one_field":
            out[name] = TantivyBackend(TANTIVY_ONE_FIELD_DIR)
        elif name in ("pgfts", "pgfts_cd"):
            out[name] = PgFtsBackend(pg_url, function="ts_rank_cd" if name == "pgfts_cd" else "ts_rank")
    return out


def _server_cpu(backend) -> float:
    """CPU seconds of the PostgreSQL server process serving this backend (same machine); 0 when there is none."""
    pid = None
    if hasattr(backend, "server_pid"):
        pid = backend.server_pid()
    elif backend.vendor == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def keys_of_ids() -> dict[int, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT p.id, p.key FROM laws_provision p JOIN laws_search_document d ON d.id = p.id")
        return dict(cursor.fetchall())


def measure(
    backend, name: str, *, relevance: bool, latency: bool, n: int, keys: dict[int, str], split: str = "test"
) -> dict:
    from bench_laws_search import latency_queries, percentile

    from zhifa.laws.search import engine
    from zhifa.laws.search.backends import Filters
    from zhifa.laws.search.evaluation import TEST, evaluate, read_pairs

    filters = Filters(regions=("",))  # scope national, as search_eval's default
    out: dict = {"engine": name, "articles": backend.count(), "load": os.getloadavg()[0]}

    def ranking(q: str, limit: int) -> list:
        return engine.rank(backend, q, filters=filters, limit=limit)  # no prior, no re-ranker: the first stage

    if relevance:
        pairs = read_pairs(PAIRS, split=split)
        out["split"] = split
        out["relevance"] = evaluate(pairs, lambda q: [keys[r.id] for r in ranking(q, 100) if r.id in keys])
    if latency:
        keywords, phrases = latency_queries(n)
        questions = [p.query for p in read_pairs(PAIRS, split=TEST)][:n]
        for kind, queries in (("keyword", keywords), ("phrase", phrases), ("question", questions)):
            for q in queries[:20]:  # warm the caches
                ranking(q, 10)
            times, cpu, server = [], time.process_time(), _server_cpu(backend)
            for q in queries:
                start = time.perf_counter()
                ranking(q, 10)
                times.append((time.perf_counter() - start) * 1000)
            cpu, server = time.process_time() - cpu, _server_cpu(backend) - server
            out[kind] = {
                "n": len(times),
                "p50_ms": round(percentile(times, 50), 2),
                "p95_ms": round(percentile(times, 95), 2),
                "cpu_ms": round((cpu + server) * 1000 / len(times), 2),
            }
    out["load_after"] = os.getloadavg()[0]
    return out


def measure_interleaved(engines: dict, n: int) -> dict:
    """Latency with the engines taking turns query by query (each query on every engine, the order rotating), so a
    shared machine's load falls on all of them alike; wall p50/p95 and this process's CPU per query (p50/p95;
    the PostgreSQL server's CPU only in the mean, /proc counts it in 10 ms ticks)."""
    from bench_laws_search import latency_queries, percentile

    from zhifa.laws.search import engine
    from zhifa.laws.search.backends import Filters
    from zhifa.laws.search.evaluation import TEST, read_pairs

    filters = Filters(regions=("",))
    keywords, phrases = latency_queries(n)
    questions = [p.query for p in read_pairs(PAIRS, split=TEST)][:n]
    out: dict = {"load": os.getloadavg()[0]}
    names = list(engines)
    for kind, queries in (("keyword", keywords), ("phrase", phrases), ("question", questions)):
        for q in queries[:20]:  # warm the caches
            for backend in engines.values():
                engine.rank(backend, q, filters=filters, limit=10)
        wall: dict = {name: [] for name in names}
        cpu: dict = {name: [] for name in names}
        server = {name: _server_cpu(b) for name, b in engines.items()}
        for i, q in enumerate(queries):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                started_cpu, start = time.process_time(), time.perf_counter()
                engine.rank(engines[name], q, filters=filters, limit=10)
                wall[name].append((time.perf_counter() - start) * 1000)
                cpu[name].append((time.process_time() - started_cpu) * 1000)
        for name, backend in engines.items():
            server_ms = (_server_cpu(backend) - server[name]) * 1000 / len(queries)
            out.setdefault(name, {})[kind] = {
                "n": len(queries),
                "p50_ms": round(percentile(wall[name], 50), 2),
                "p95_ms": round(percentile(wall[name], 95), 2),
                "cpu_p50_ms": round(percentile(cpu[name], 50), 2),
                "cpu_p95_ms": round(percentile(cpu[name], 95), 2),
                "cpu_mean_ms": round(sum(cpu[name]) / len(queries) + server_ms, 2),
            }
    out["load_after"] = os.getloadavg()[0]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(CORPUS), help="the imported corpus (SQLite file), read only")
    parser.add_argument("--db", help="the platform's database for the in-house engine (default: sqlite --corpus)")
    parser.add_argument("--pgfts-url", default=PGFTS_URL)
    parser.add_argument("--engines", default="inhouse,tantivy,pgfts,pgfts_cd")
    parser.add_argument("--build", action="store_true", help="build the Tantivy index and the PostgreSQL tables")
    parser.add_argument("--relevance", action="store_true", help="R@k and MRR@10 on the test split (first stage)")
    parser.add_argument("--latency", action="store_true", help="p50/p95 of keyword, phrase and question queries")
    parser.add_argument("--interleave", action="store_true", help="latency: the engines take turns query by query")
    parser.add_argument("--n", type=int, default=150, help="queries per kind for latency")
    parser.add_argument("--split", choices=["test", "train"], default="test", help="relevance: which half")
    args = parser.parse_args()
    if not PAIRS.exists():
        print(f"跳过：未找到共享数据 {DATA}")
        return
    corpus = Path(args.corpus).resolve()
    setup(args.db or f"sqlite:///{corpus}")
    names = args.engines.split(",")
    if args.build:
        if "tantivy" in names:
            print(json.dumps(build_tantivy(corpus)), flush=True)
        if "tantivy_one_field" in names:
            print(json.dumps(build_tantivy(corpus, one_field=True)), flush=True)
        if "pgfts" in names or "pgfts_cd" in names:
            print(json.dumps(build_pgfts(corpus, args.pgfts_url)), flush=True)
    if args.latency and args.interleave:
        print(json.dumps(measure_interleaved(backends(names, args.pgfts_url), args.n), ensure_ascii=False))
        return
    if args.relevance or args.latency:
        keys = keys_of_ids()
        for name, backend in backends(names, args.pgfts_url).items():
            result = measure(
                backend, name, relevance=args.relevance, latency=args.latency, n=args.n, keys=keys, split=args.split
            )
            print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
