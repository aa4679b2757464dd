"""SQLite: the impact-ordered word postings PostgreSQL got in 0004, document frequencies and totals (docs/search.md).

FTS5 scores every match of a word query (≈ 5 µs a row, 50–75k rows for a common word); `topk.rank_words` reads a
term's best postings first and stops, the same algorithm as on PostgreSQL. Tables:
- `laws_search_posting` (term, doc_id, region, wtf, ttf, dl, impact): primary key (term, doc_id) for lookups, and a
  covering index (term, impact desc, doc_id, …) so reading a term's best postings touches no table row;
- `laws_search_term` (field 'w' words/title or 'b' bigrams, term, df): document frequencies, one row read per term;
- `laws_search_meta`: `n_docs`, `total_length`, `impact_avg` (the average length the impacts use).
Built from the stored documents (their indexed words and title terms, and the bigrams of their text: what FTS5
indexed), so no re-import is needed. PostgreSQL: nothing (0003/0004 have it all).

Since laws/0009 (the Tantivy index) these tables are dropped again: the tables are still created here (0006 extends
them), no longer filled (the code that filled them, `backends/sqlite.build_postings`, is gone with them).
"""

from django.db import migrations

SQLITE = [
    """CREATE TABLE laws_search_posting (
        term TEXT NOT NULL, doc_id INTEGER NOT NULL, region TEXT NOT NULL, wtf INTEGER NOT NULL,
        ttf INTEGER NOT NULL, dl INTEGER NOT NULL, impact REAL NOT NULL, PRIMARY KEY (term, doc_id)) WITHOUT ROWID""",
    """CREATE TABLE laws_search_term (
        field TEXT NOT NULL, term TEXT NOT NULL, df INTEGER NOT NULL, PRIMARY KEY (field, term)) WITHOUT ROWID""",
]
INDEX = (
    "CREATE INDEX laws_search_posting_impact ON laws_search_posting (term, impact DESC, doc_id, region, wtf, ttf, dl)"
)
SQLITE_DROP = [
    "DROP TABLE laws_search_posting",
    "DROP TABLE laws_search_term",
    "DELETE FROM laws_search_meta WHERE name IN ('n_docs', 'total_length', 'impact_avg')",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in SQLITE:
            cursor.execute(sql)
        cursor.execute(INDEX)
        cursor.execute("ANALYZE laws_search_posting")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in SQLITE_DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("laws", "0004_search_postings")]

    operations = [migrations.RunPython(forwards, backwards)]
