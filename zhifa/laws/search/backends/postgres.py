"""PostgreSQL backend: tsvector ('simple' lexemes, built from our own terms) with GIN indexes, BM25 in SQL.

Matching uses the GIN indexes: `wtsv` (words and title terms) and `btsv` (bigrams with positions, so a phrase is
`'行政' <-> '政处' <-> '处罚'`). Ranking must equal FTS5's bm25(), so it needs what FTS5 keeps internally:
term frequencies per field (`wtf`, `ttf`, `btf`: small jsonb maps, read with `->>`, a binary search), document
frequencies per term (`laws_search_term`) and the number and total length of documents (`laws_search_meta`),
all maintained here on every add and removal.

Lexemes are written as tsvector/tsquery literals (`'term'`), never through a text-search parser, so the index
holds exactly the terms of tokenize.py whatever the database locale.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from django.db import connection, transaction

from zhifa.laws.search import topk
from zhifa.laws.search.backends.base import (
    AND,
    FIELD_CODE,
    Filters,
    Match,
    SearchBackend,
    conjunction_rows,
    conjunction_sql,
    filter_sql,
    posting_filter_sql,
)
from zhifa.laws.search.documents import (
    BIGRAM,
    K1,
    PHRASE,
    WORD,
    B,
    Clause,
    IndexDocument,
    Weights,
    idf,
    saturate,
)

BATCH = 1000
MAX_POSITION = 16383  # PostgreSQL's limit; later occurrences keep the last position
MAX_POSITIONS_PER_LEXEME = 256
ANALYZE_AFTER = 1000  # words refreshed: a change large enough to re-read the statistics (≈ 2 s on the corpus)


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def word_tsvector(doc: IndexDocument) -> str:
    return " ".join(_lexeme(t) for t in sorted(set(doc.words) | set(doc.title)))


def bigram_tsvector(doc: IndexDocument) -> str:
    positions: dict[str, list[int]] = {}
    for i, term in enumerate(doc.bigrams, start=1):
        slots = positions.setdefault(term, [])
        if len(slots) < MAX_POSITIONS_PER_LEXEME:
            slots.append(min(i, MAX_POSITION))
    return " ".join(f"{_lexeme(t)}:{','.join(map(str, sorted(set(p))))}" for t, p in sorted(positions.items()))


def tsquery(terms: Sequence[str], phrases: Sequence[tuple[str, ...]] = (), *, joiner: str = " & ") -> str:
    parts = [_lexeme(t) for t in terms]
    parts += ["(" + " <-> ".join(_lexeme(t) for t in p) + ")" for p in phrases]
    return joiner.join(parts)


def _doc_terms(doc: IndexDocument) -> list[tuple[str, str]]:
    return [("w", t) for t in set(doc.words) | set(doc.title)] + [("b", t) for t in set(doc.bigrams)]


class PostgresBackend(SearchBackend):
    vendor = "postgresql"
    lock_rows = " FOR UPDATE"

    def add(self, documents: Sequence[IndexDocument]) -> None:
        if not documents:
            return
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                "COPY laws_search_document (id, law_id, version_id, key, category, status, region, dl,"
                " wtsv, btsv, wtf, ttf, btf) FROM STDIN"
            ) as copy,
        ):
            for d in documents:
                copy.write_row(
                    (
                        d.id,
                        d.law_id,
                        d.version_id,
                        d.key,
                        d.category,
                        d.status,
                        d.region,
                        d.length,
                        word_tsvector(d),
                        bigram_tsvector(d),
                        json.dumps(Counter(d.words), ensure_ascii=False),
                        json.dumps(Counter(d.title), ensure_ascii=False),
                        json.dumps(Counter(d.bigrams), ensure_ascii=False),
                    )
                )
        frequencies = Counter(term for d in documents for term in _doc_terms(d))
        self._change_stats(frequencies, len(documents), sum(d.length for d in documents))
        self._add_postings(documents)

    def _add_postings(self, documents: Sequence[IndexDocument]) -> None:
        """One row per (word or title term, document) with its impact (default weights, `impact_avg`)."""
        avg0 = self._impact_avg()
        defaults = Weights()
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                "COPY laws_search_posting (term, doc_id, region, wtf, ttf, dl, impact) FROM STDIN"
            ) as copy,
        ):
            for d in documents:
                words, title = Counter(d.words), Counter(d.title)
                for term in words.keys() | title.keys():
                    f = defaults.words * words[term] + defaults.title * title[term]
                    copy.write_row(
                        (term, d.id, d.region, words[term], title[term], d.length, saturate(f, d.length, avg0))
                    )

    def _change_stats(self, frequencies: Counter, n_docs: int, total_length: int) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS laws_search_term_delta"
                " (field char(1), term text, df integer) ON COMMIT DROP"
            )
            cursor.execute("TRUNCATE laws_search_term_delta")
            with cursor.cursor.copy("COPY laws_search_term_delta (field, term, df) FROM STDIN") as copy:
                for (field, term), df in frequencies.items():
                    copy.write_row((field, term, df))
            cursor.execute(
                "INSERT INTO laws_search_term (field, term, df) SELECT field, term, df FROM laws_search_term_delta"
                " ON CONFLICT (field, term) DO UPDATE SET df = laws_search_term.df + EXCLUDED.df, packed = 0"
            )
            if any(df < 0 for df in frequencies.values()):  # only the terms just lowered can have reached 0
                cursor.execute(
                    "DELETE FROM laws_search_term t USING laws_search_term_delta d"
                    " WHERE t.field = d.field AND t.term = d.term AND d.df < 0 AND t.df <= 0"
                )
            for name, delta in (("n_docs", n_docs), ("total_length", total_length)):
                cursor.execute(
                    "INSERT INTO laws_search_meta (name, value) VALUES (%s, %s) ON CONFLICT (name)"
                    " DO UPDATE SET value = (laws_search_meta.value::bigint + %s)::text",
                    [name, str(delta), delta],
                )

    def remove_laws(self, law_ids: Sequence[int]) -> int:
        if not law_ids:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM laws_search_document WHERE law_id = ANY(%s::bigint[]) RETURNING wtf, ttf, btf, dl, id",
                [list(law_ids)],
            )
            rows = cursor.fetchall()
            frequencies: Counter = Counter()
            postings: list[tuple[str, int]] = []
            for wtf, ttf, btf, doc_id in ((_json(r[0]), _json(r[1]), _json(r[2]), r[4]) for r in rows):
                frequencies.update(("w", t) for t in set(wtf) | set(ttf))
                frequencies.update(("b", t) for t in btf)
                postings += [(t, doc_id) for t in set(wtf) | set(ttf)]
            cursor.execute(
                "DELETE FROM laws_search_posting WHERE (term, doc_id) IN"
                " (SELECT * FROM unnest(%s::text[], %s::bigint[]))",
                [[t for t, _ in postings], [i for _, i in postings]],
            )
        self._change_stats(Counter({k: -v for k, v in frequencies.items()}), -len(rows), -sum(r[3] for r in rows))
        return len(rows)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE laws_search_document, laws_search_term, laws_search_posting, laws_search_postlist")
            cursor.execute("DELETE FROM laws_search_meta WHERE name IN ('n_docs', 'total_length', 'impact_avg')")

    def refresh(self, *, batch_postings: int = 200_000, batch_terms: int = 5000) -> int:
        """The packed lists, then what autovacuum would do, in case it is off or behind (it is off on the
        benchmark machine): the GIN indexes' pending entries merged into the index (a search scans all of them:
        after the corpus import, phrase p50 5.5 ms, 2.7 ms once a VACUUM had merged them), and after a large
        change the planner's statistics. Both work inside a transaction, unlike VACUUM."""
        packed = super().refresh(batch_postings=batch_postings, batch_terms=batch_terms)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid = 'laws_search_document'::regclass"
                " AND a.amname = 'gin'"
            )
            if packed >= ANALYZE_AFTER:
                # The laws' own tables too: the search joins them (the law evidence, `resolve.ids_of_keys`), and a
                # corpus import left them without statistics where autovacuum is off or not yet round (a question
                # p95 of 107–127 ms before, 91 ms after on PostgreSQL, one run each at load ≈ 2–4).
                cursor.execute(
                    "ANALYZE laws_search_document, laws_search_term, laws_search_posting, laws_search_postlist, "
                    "laws_law, laws_lawversion, laws_provision"
                )
        return packed

    def phrase_doc_freq(self, clause: Clause) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM laws_search_document WHERE btsv @@ %s::tsquery",
                [tsquery([], [tuple(clause.term.split())])],
            )
            return cursor.fetchone()[0]

    def _stats(self, match: Match) -> tuple[int, float, list[float], list[int]]:
        keys = [(FIELD_CODE[c.field], c.term) for c in match.clauses if c.field != PHRASE]
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, value FROM laws_search_meta WHERE name IN ('n_docs', 'total_length')")
            meta = dict(cursor.fetchall())
            cursor.execute(  # field is char(1): compare as char(1), or the primary key is not used (a seq scan)
                "SELECT t.field, t.term, t.df FROM unnest(%s::text[], %s::text[]) AS u(field, term)"
                " JOIN laws_search_term t ON t.field = u.field::char(1) AND t.term = u.term",
                [[k[0] for k in keys], [k[1] for k in keys]],
            )
            dfs = {(f, t): df for f, t, df in cursor.fetchall()}
            for phrase in match.phrases:  # a phrase's document frequency: its documents, counted through GIN
                cursor.execute(
                    "SELECT count(*) FROM laws_search_document WHERE btsv @@ %s::tsquery", [tsquery([], [phrase])]
                )
                dfs[("p", " ".join(phrase))] = cursor.fetchone()[0]
        n_docs = int(meta.get("n_docs", 0))
        avg = int(meta.get("total_length", 0)) / n_docs if n_docs else 1.0
        codes = [("p" if c.field == PHRASE else FIELD_CODE[c.field], c.term) for c in match.clauses]
        counts = [dfs.get(k, 0) for k in codes]
        return n_docs, avg, [idf(n_docs, n) for n in counts], counts

    def _frequency_sql(self, match: Match, weights: Weights) -> tuple[list[str], list]:
        columns, params = [], []
        for i, clause in enumerate(match.clauses):
            if clause.field == WORD:
                columns.append(
                    f"(%s * coalesce((d.wtf ->> %s)::float8, 0) + %s * coalesce((d.ttf ->> %s)::float8, 0)) AS f{i}"
                )
                params += [weights.words, clause.term, weights.title, clause.term]
            elif clause.field == PHRASE:  # the positions of the phrase's bigrams, "lexeme:1,5,9" each
                columns.append(
                    "(SELECT array_agg(u.lexeme || ':' || array_to_string(u.positions, ',')) FROM unnest(d.btsv) u"
                    f" WHERE u.lexeme = ANY(%s)) AS f{i}"
                )
                params.append(clause.term.split())
            else:
                columns.append(f"(%s * coalesce((d.btf ->> %s)::float8, 0)) AS f{i}")
                params += [weights.bigrams, clause.term]
        return columns, params

    def _match_sql(self, match: Match) -> tuple[str, list]:
        words = [c.term for c in match.clauses if c.field == WORD]
        bigrams = [c.term for c in match.clauses if c.field == BIGRAM]
        joiner = " & " if match.mode == AND else " | "
        conditions, params = [], []
        if words:
            conditions.append("d.wtsv @@ %s::tsquery")
            params.append(tsquery(words, joiner=joiner))
        if bigrams or match.phrases:
            conditions.append("d.btsv @@ %s::tsquery")
            params.append(tsquery(bigrams, match.phrases, joiner=joiner))
        return "(" + (" AND " if match.mode == AND else " OR ").join(conditions) + ")", params

    def rank(self, match: Match, *, filters: Filters, weights: Weights, limit: int) -> list[tuple[int, float]]:
        if not match.clauses or limit <= 0:
            return []
        if all(c.field == WORD for c in match.clauses):
            ranked = self._rank_words(match, filters=filters, weights=weights, limit=limit)
            assert ranked is not None  # without rows_max it always answers
            return ranked
        if (
            len(match.clauses) == 1 and match.clauses[0].field == PHRASE
        ):  # one phrase (a quoted query): its matches give its df and its ranking at once
            return self._rank_phrase(match.clauses[0], filters=filters, weights=weights, limit=limit)
        n_docs, avg, idfs, _dfs = self._stats(match)
        if not n_docs:
            return []
        freq_columns, freq_params = self._frequency_sql(match, weights)
        match_sql, match_params = self._match_sql(match)
        where, filter_params = filter_sql(filters)
        if match.phrases:
            return self._rank_with_phrases(
                match,
                weights,
                idfs,
                avg,
                limit,
                freq_columns,
                [*freq_params, *match_params, *filter_params],
                f"{match_sql}{where}",
            )
        norm = "%s * (1.0 - %s + %s * s.dl / %s)"
        terms = [f"%s * (s.f{i} * %s) / (s.f{i} + {norm})" for i in range(len(idfs))]
        term_params = [p for value in idfs for p in (value, K1 + 1.0, K1, B, B, avg)]
        sql = (
            f"SELECT s.id, ({' + '.join(terms)}) AS score FROM ("
            f"SELECT d.id, d.dl, {', '.join(freq_columns)} FROM laws_search_document d"
            f" WHERE {match_sql}{where}) s ORDER BY score DESC, s.id LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*term_params, *freq_params, *match_params, *filter_params, limit])
            return [(row[0], row[1]) for row in cursor.fetchall()]

    first_round = topk.FIRST_ROUND
    full_read = topk.FULL_READ
    small = topk.SMALL

    def _fetch(self, sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    # topk.PostingSource (word_stats: SearchBackend)

    def best_postings(
        self, terms: Sequence[str], filters: Filters, size: int | None
    ) -> list[tuple[str, int, int, int, int, float]]:
        join, conditions, params = posting_filter_sql(filters)
        limit = " LIMIT %s" if size is not None else ""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.term, p.doc_id, p.wtf, p.ttf, p.dl, p.impact FROM unnest(%s::text[]) AS t(term)"
                " CROSS JOIN LATERAL (SELECT p.doc_id, p.wtf, p.ttf, p.dl, p.impact FROM laws_search_posting p"
                f"{join} WHERE p.term = t.term{conditions} ORDER BY p.impact DESC, p.doc_id{limit}) p",
                [list(terms), *params, *([size] if size is not None else [])],
            )
            return cursor.fetchall()

    def lookup(self, terms: Sequence[str], doc_ids: Sequence[int]) -> list[tuple[str, int, int, int]]:
        with connection.cursor() as cursor:
            cursor.execute(
                # bigint[]: a list of Python ints is sent as integer[], and doc_id (bigint) = ANY(integer[]) is no index
                # condition, only a filter over every posting of the terms (170 ms instead of 7 for 4,000 articles)
                "SELECT term, doc_id, wtf, ttf FROM laws_search_posting"
                " WHERE term = ANY(%s::text[]) AND doc_id = ANY(%s::bigint[])",
                [list(terms), list(doc_ids)],
            )
            return cursor.fetchall()

    def conjunction(self, terms: Sequence[str], filters: Filters) -> list[tuple[int, int, list[tuple[int, int]]]]:
        sql, params = conjunction_sql(terms, filters)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return conjunction_rows(cursor.fetchall(), len(terms))

    def _rank_phrase(
        self, clause: Clause, *, filters: Filters, weights: Weights, limit: int
    ) -> list[tuple[int, float]]:
        """A single phrase: one scan of its matches gives its document frequency (all of them) and its ranking
        (those passing the filters)."""
        match = Match((clause,))
        freq_columns, freq_params = self._frequency_sql(match, weights)
        where, filter_params = filter_sql(filters)
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, value FROM laws_search_meta WHERE name IN ('n_docs', 'total_length')")
            meta = dict(cursor.fetchall())
            cursor.execute(
                f"SELECT d.id, d.dl, {freq_columns[0]}, (TRUE{where}) AS ok FROM laws_search_document d"
                " WHERE d.btsv @@ %s::tsquery",
                [*freq_params, *filter_params, tsquery([], [tuple(clause.term.split())])],
            )
            rows = cursor.fetchall()
        n_docs = int(meta.get("n_docs", 0))
        if not n_docs:
            return []
        avg = int(meta.get("total_length", 0)) / n_docs
        value = idf(n_docs, len(rows))
        scored = []
        for doc_id, length, positions, ok in rows:
            if ok:
                freq = weights.bigrams * phrase_count_from_positions(clause.term.split(), positions or [])
                scored.append((doc_id, value * saturate(freq, length, avg)))
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored[:limit]

    def _rank_with_phrases(
        self,
        match: Match,
        weights: Weights,
        idfs: list[float],
        avg: float,
        limit: int,
        freq_columns: list[str],
        params: list,
        where: str,
    ) -> list[tuple[int, float]]:
        """BM25 in Python over the (phrase-restricted, so few) candidates: phrase counts come from positions."""
        sql = f"SELECT d.id, d.dl, {', '.join(freq_columns)} FROM laws_search_document d WHERE {where}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        scored = []
        for doc_id, length, *freqs in rows:
            score = 0.0
            for value, clause, freq in zip(idfs, match.clauses, freqs, strict=True):
                if clause.field == PHRASE:
                    freq = weights.bigrams * phrase_count_from_positions(clause.term.split(), freq or [])
                score += value * (freq * (K1 + 1.0)) / (freq + K1 * (1.0 - B + B * length / avg))
            scored.append((doc_id, score))
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored[:limit]

    def get_meta(self, name: str) -> str | None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT value FROM laws_search_meta WHERE name = %s", [name])
            row = cursor.fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO laws_search_meta (name, value) VALUES (%s, %s)"
                " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                [name, value],
            )


def phrase_count_from_positions(phrase: list[str], entries: list[str]) -> int:
    """How often the bigrams occur consecutively, from "lexeme:1,5,9" entries of the tsvector."""
    positions = {}
    for entry in entries:
        lexeme, _, numbers = entry.rpartition(":")
        positions[lexeme] = {int(n) for n in numbers.split(",") if n}
    if any(term not in positions for term in phrase):
        return 0
    return sum(1 for start in positions[phrase[0]] if all(start + i in positions[t] for i, t in enumerate(phrase)))


def _json(value) -> dict:
    return json.loads(value) if isinstance(value, str) else value
