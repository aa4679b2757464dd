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

from zhifa.laws.search.backends.base import AND, Filters, Match, SearchBackend, filter_sql
from zhifa.laws.search.documents import BIGRAM, K1, PHRASE, WORD, B, Clause, IndexDocument, Weights, idf

BATCH = 1000
MAX_POSITION = 16383  # PostgreSQL's limit; later occurrences keep the last position
MAX_POSITIONS_PER_LEXEME = 256
FIELD_CODE = {WORD: "w", BIGRAM: "b"}


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
                " ON CONFLICT (field, term) DO UPDATE SET df = laws_search_term.df + EXCLUDED.df"
            )
            cursor.execute("DELETE FROM laws_search_term WHERE df <= 0")
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
                "DELETE FROM laws_search_document WHERE law_id = ANY(%s) RETURNING wtf, ttf, btf, dl", [list(law_ids)]
            )
            rows = cursor.fetchall()
        frequencies: Counter = Counter()
        for wtf, ttf, btf in ((_json(r[0]), _json(r[1]), _json(r[2])) for r in rows):
            frequencies.update(("w", t) for t in set(wtf) | set(ttf))
            frequencies.update(("b", t) for t in btf)
        self._change_stats(Counter({k: -v for k, v in frequencies.items()}), -len(rows), -sum(r[3] for r in rows))
        return len(rows)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE laws_search_document, laws_search_term")
            cursor.execute("DELETE FROM laws_search_meta WHERE name IN ('n_docs', 'total_length')")

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM laws_search_document")
            return cursor.fetchone()[0]

    def doc_freq(self, clause: Clause) -> int:
        with connection.cursor() as cursor:
            if clause.field == PHRASE:
                cursor.execute(
                    "SELECT count(*) FROM laws_search_document WHERE btsv @@ %s::tsquery",
                    [tsquery([], [tuple(clause.term.split())])],
                )
            else:
                cursor.execute(
                    "SELECT df FROM laws_search_term WHERE field = %s AND term = %s",
                    [FIELD_CODE[clause.field], clause.term],
                )
            row = cursor.fetchone()
        return row[0] if row else 0

    def _stats(self, match: Match) -> tuple[int, float, list[float]]:
        keys = [(FIELD_CODE[c.field], c.term) for c in match.clauses if c.field != PHRASE]
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, value FROM laws_search_meta WHERE name IN ('n_docs', 'total_length')")
            meta = dict(cursor.fetchall())
            cursor.execute(
                "SELECT field, term, df FROM laws_search_term WHERE (field, term) IN (SELECT * FROM unnest(%s::text[],"
                " %s::text[]))",
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
        return n_docs, avg, [idf(n_docs, dfs.get(k, 0)) for k in codes]

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
        n_docs, avg, idfs = self._stats(match)
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
