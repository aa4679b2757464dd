"""The audit table refuses UPDATE and DELETE in PostgreSQL itself (等保 level 3: audit records are protected).

The model already refuses them (AppendOnlyModel); the trigger also stops raw SQL, the Django shell and any other
client of the database. One exception: the foreign key's ON DELETE SET NULL when an account is removed, which
only blanks `actor_id` (the actor's name stays in `actor_name`). TRUNCATE is not blocked: test databases are
flushed with it; in production the application's database role must not own the table (docs/security.md).
On SQLite (one box, demo, tests) nothing is installed.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION zhifa_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION USING MESSAGE = '审计记录只能追加，不能修改或删除：' || TG_OP, ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS zhifa_audit_append_only ON common_auditevent;
CREATE TRIGGER zhifa_audit_append_only BEFORE UPDATE OR DELETE ON common_auditevent
    FOR EACH ROW EXECUTE FUNCTION zhifa_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS zhifa_audit_append_only ON common_auditevent;
DROP FUNCTION IF EXISTS zhifa_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("common", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
