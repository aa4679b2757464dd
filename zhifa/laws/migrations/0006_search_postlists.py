"""Packed posting lists: every posting of a word in one region, as one binary value (docs/search.md).

A word's postings read as rows cost ≈ 2 µs each between the database and Python; an OR of five mid-frequency words
(20 ms on PostgreSQL) reads thousands. `laws_search_postlist` holds, for each word in at most
`topk.PACKED_MAX_DF` articles and each region, its postings (article, wtf, ttf, dl; `topk.POSTLIST_DTYPE`) as one
value, read whole and scored with numpy. `laws_search_term.packed` is 1 while a word's lists equal its postings:
every add or removal of an article sets it back to 0, `index_refresh` rebuilds (laws/search/indexing.py), and a
word not packed is ranked from its posting rows as before, so a stale list is never read. Built by the next
`index_refresh` (after an import, or `manage.py build_search_index --refresh`), not here.
"""

from django.db import migrations

COMMON = [
    "ALTER TABLE laws_search_term ADD COLUMN packed smallint NOT NULL DEFAULT 0",
]
POSTGRES = [
    *COMMON,
    """CREATE TABLE laws_search_postlist (
        term text NOT NULL, region text NOT NULL, data bytea NOT NULL, PRIMARY KEY (term, region))""",
    # stored uncompressed: pglz would cost more to undo on every read than the space it saves
    "ALTER TABLE laws_search_postlist ALTER COLUMN data SET STORAGE EXTERNAL",
]
SQLITE = [
    *COMMON,
    """CREATE TABLE laws_search_postlist (
        term TEXT NOT NULL, region TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (term, region))""",
]
DROP = ["DROP TABLE laws_search_postlist", "ALTER TABLE laws_search_term DROP COLUMN packed"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("laws", "0005_search_postings_sqlite")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": DROP, "sqlite": DROP}),
        ),
    ]
