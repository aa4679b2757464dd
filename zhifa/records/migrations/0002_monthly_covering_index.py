"""On PostgreSQL, make the rollup's (year, unit_path) index covering, so a subtree's report is an index-only scan.

The index keeps its name and key columns (Django's state is unchanged); INCLUDE adds the columns the report sums.
SQLite has no INCLUDE and keeps the plain index. Reversible.
"""

from django.db import migrations

NAME = "records_monthly_year_path"
COVERING = (
    f"CREATE INDEX {NAME} ON records_hoursmonthly (year int2_ops, unit_path varchar_pattern_ops) "
    "INCLUDE (officer_id, category, hours)"
)
PLAIN = f"CREATE INDEX {NAME} ON records_hoursmonthly (year int2_ops, unit_path varchar_pattern_ops)"


def _replace(definition: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")
        schema_editor.execute(definition)

    return run


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [migrations.RunPython(_replace(COVERING), _replace(PLAIN))]
