"""The law search index (zhifa/laws/search): raw tables, one set per database vendor, no Django models.

SQLite: laws_search_document (filters, indexed terms, text) + laws_search_fts (contentless FTS5: words, bigrams,
title). PostgreSQL: laws_search_document with tsvector columns (GIN) and per-field term-frequency maps,
laws_search_term (document frequencies). Both: laws_search_meta (index properties and, on PostgreSQL, totals).
The index is filled by `manage.py build_search_index` and kept current by the import service (index_version).
"""

from django.db import migrations

SQLITE = [
    """CREATE TABLE laws_search_document (
        id INTEGER PRIMARY KEY, law_id INTEGER NOT NULL, version_id INTEGER NOT NULL, key TEXT NOT NULL,
        category TEXT NOT NULL, status TEXT NOT NULL, region TEXT NOT NULL, dl INTEGER NOT NULL,
        words TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL)""",
    "CREATE INDEX laws_search_document_law ON laws_search_document (law_id)",
    """CREATE VIRTUAL TABLE laws_search_fts USING fts5(
        words, bigrams, title, content='', tokenize='unicode61 remove_diacritics 0')""",
    "CREATE TABLE laws_search_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
]
SQLITE_DROP = ["DROP TABLE laws_search_fts", "DROP TABLE laws_search_document", "DROP TABLE laws_search_meta"]

POSTGRES = [
    """CREATE TABLE laws_search_document (
        id bigint PRIMARY KEY, law_id bigint NOT NULL, version_id bigint NOT NULL, key text NOT NULL,
        category text NOT NULL, status text NOT NULL, region text NOT NULL, dl integer NOT NULL,
        wtsv tsvector NOT NULL, btsv tsvector NOT NULL, wtf jsonb NOT NULL, ttf jsonb NOT NULL, btf jsonb NOT NULL)""",
    "CREATE INDEX laws_search_document_law ON laws_search_document (law_id)",
    "CREATE INDEX laws_search_document_wtsv ON laws_search_document USING gin (wtsv)",
    "CREATE INDEX laws_search_document_btsv ON laws_search_document USING gin (btsv)",
    "CREATE TABLE laws_search_term (field char(1) NOT NULL, term text NOT NULL, df integer NOT NULL,"
    " PRIMARY KEY (field, term))",
    "CREATE TABLE laws_search_meta (name text PRIMARY KEY, value text NOT NULL)",
]
POSTGRES_DROP = ["DROP TABLE laws_search_document", "DROP TABLE laws_search_term", "DROP TABLE laws_search_meta"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError("法规检索索引只支持 SQLite 和 PostgreSQL。")
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("laws", "0002_import_job")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
