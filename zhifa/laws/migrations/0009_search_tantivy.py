"""The law search moves to a Tantivy index in a local directory (docs/search.md, "Decision record", issue 21).

Dropped: FTS5 (SQLite), the tsvector columns and their GIN indexes (PostgreSQL), the posting rows, the packed
posting lists, the document-frequency table and the totals (0003–0006's ranking structures): 0.8 GB (SQLite) to
2 GB (PostgreSQL) on the 140k-article corpus. Kept: `laws_search_document`, the stored terms, in one shape on both
vendors (filter columns, length, `words` and `title` as space-separated terms); SQLite drops the article text it
kept for FTS5's deletions (`laws_provision.text` has it), PostgreSQL turns its term-frequency maps into the same
term lists (word order is not kept: the index counts words, it does not place them). New: `laws_search_change`,
the change log each app server's index follows (zhifa/laws/search/store.py), and the `generation` and
`change_seq` rows of `laws_search_meta`.

The index itself is not built here (migrate runs on one server; every server has its own copy): the first
`manage.py sync_search_index` on each app server builds it from the stored terms (under a minute on the corpus).
Not reversible: the dropped structures were derived data of code that is gone.
"""

import secrets

from django.db import migrations

SQLITE = [
    "DROP TABLE laws_search_fts",
    "DROP TABLE laws_search_posting",
    "DROP TABLE laws_search_term",
    "DROP TABLE laws_search_postlist",
    "ALTER TABLE laws_search_document DROP COLUMN body",
    "CREATE TABLE laws_search_change (seq INTEGER PRIMARY KEY, law_id INTEGER NOT NULL, token TEXT NOT NULL)",
]


def _terms(column: str) -> str:
    """A jsonb {term: count} map as its terms, each repeated count times, space-separated."""
    return (
        f"coalesce((SELECT string_agg(e.key, ' ') FROM jsonb_each_text({column}) AS e(key, value),"
        " generate_series(1, e.value::int)), '')"
    )


POSTGRES = [
    "DROP TABLE laws_search_postlist, laws_search_posting, laws_search_term",
    "ALTER TABLE laws_search_document ADD COLUMN words text NOT NULL DEFAULT '',"
    " ADD COLUMN title text NOT NULL DEFAULT ''",
    f"UPDATE laws_search_document SET words = {_terms('wtf')}, title = {_terms('ttf')}",
    "ALTER TABLE laws_search_document DROP COLUMN wtsv, DROP COLUMN btsv, DROP COLUMN wtf, DROP COLUMN ttf,"
    " DROP COLUMN btf, ALTER COLUMN words DROP DEFAULT, ALTER COLUMN title DROP DEFAULT",
    "CREATE TABLE laws_search_change (seq bigint PRIMARY KEY, law_id bigint NOT NULL, token text NOT NULL)",
]
COMMON = ["DELETE FROM laws_search_meta WHERE name IN ('n_docs', 'total_length', 'impact_avg')"]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor)
    if statements is None:
        raise RuntimeError("法规检索索引只支持 SQLite 和 PostgreSQL。")
    for sql in [*statements, *COMMON]:
        schema_editor.execute(sql)
    schema_editor.execute(
        "INSERT INTO laws_search_meta (name, value) VALUES ('generation', %s), ('change_seq', '0')",
        [secrets.token_hex(8)],
    )


class Migration(migrations.Migration):
    dependencies = [("laws", "0008_law_category_court_case_guide")]

    operations = [migrations.RunPython(forwards)]
