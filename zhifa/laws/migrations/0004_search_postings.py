"""PostgreSQL: impact-ordered word postings for top-k ranking without scoring every match (docs/search.md).

`laws_search_posting` holds one row per (word or title term, article): the two term frequencies, the article's
length, its region (the scope filter) and its *impact* (the BM25 saturation with the default field weights and the average length at indexing
time, `laws_search_meta.impact_avg`), indexed by (term, impact desc). The rows are built from the stored
documents' term-frequency maps, so no re-import is needed. SQLite: nothing (FTS5 keeps its own index).
"""

from django.db import migrations

# documents.saturate(wtf + 2 ttf, dl, avg) with k1 = 1.2, b = 0.75 (default weights: words 1, title 2)
IMPACT = "(wtf + 2 * ttf) * 2.2 / ((wtf + 2 * ttf) + 1.2 * (0.25 + 0.75 * dl / avg))"

POSTGRES = [
    """CREATE TABLE laws_search_posting (
        term text NOT NULL, doc_id bigint NOT NULL, region text NOT NULL, wtf integer NOT NULL,
        ttf integer NOT NULL, dl integer NOT NULL, impact float8 NOT NULL)""",
    """INSERT INTO laws_search_meta (name, value)
        SELECT 'impact_avg', (sum(dl)::float8 / count(*))::text FROM laws_search_document HAVING count(*) > 0
        ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value""",
    f"""INSERT INTO laws_search_posting (term, doc_id, region, wtf, ttf, dl, impact)
        SELECT term, id, region, wtf, ttf, dl, {IMPACT}
        FROM (
            SELECT t.term, d.id, d.region, d.dl, coalesce((d.wtf ->> t.term)::int, 0) AS wtf,
                coalesce((d.ttf ->> t.term)::int, 0) AS ttf, m.value::float8 AS avg
            FROM laws_search_document d
            CROSS JOIN laws_search_meta m
            CROSS JOIN LATERAL (SELECT jsonb_object_keys(d.wtf) UNION SELECT jsonb_object_keys(d.ttf)) t(term)
            WHERE m.name = 'impact_avg'
        ) p
        ORDER BY term, id""",  # a term's postings on neighbouring pages
    "ALTER TABLE laws_search_posting ADD PRIMARY KEY (term, doc_id)",
    "CREATE INDEX laws_search_posting_impact ON laws_search_posting (term, impact DESC, doc_id)",
    "ANALYZE laws_search_posting",
]
POSTGRES_DROP = [
    "DROP TABLE laws_search_posting",
    "DELETE FROM laws_search_meta WHERE name = 'impact_avg'",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("laws", "0003_search_index")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES}),
            _run({"postgresql": POSTGRES_DROP}),
        ),
    ]
