"""The database itself refuses to change a signed note or any addendum, whatever code (or person) sends the SQL.

A signed note may only gain its countersignature: its words, contact, author and signing time stay as signed, and
its status only moves from awaiting countersignature to countersigned. An addendum is never updated.

Only UPDATE is refused: the test suite's committed_db fixture empties every table with DELETE on SQLite, and notes
are protected from deletion by their foreign keys (PROTECT) and by having no service that deletes them.
SQLite drops a table's triggers when Django rebuilds the table for an ALTER: a later migration that alters these
tables must install the triggers again (the database tests in casenotes/tests/test_services.py would fail otherwise).
"""

from django.db import migrations

# The same condition for both databases; only "is distinct from" is spelt differently.
CHANGED = (
    "NEW.body {ne} OLD.body OR NEW.author_id {ne} OLD.author_id OR NEW.referral_id {ne} OLD.referral_id "
    "OR NEW.appointment_id {ne} OLD.appointment_id OR NEW.contact_kind {ne} OLD.contact_kind "
    "OR NEW.contact_on {ne} OLD.contact_on OR NEW.contact_at {ne} OLD.contact_at "
    "OR NEW.signed_at {ne} OLD.signed_at "
    "OR (NEW.status {ne} OLD.status AND NOT (OLD.status = 'awaiting_countersignature' "
    "AND NEW.status = 'countersigned')) "
    "OR (OLD.status = 'countersigned' AND (NEW.countersigned_by_id {ne} OLD.countersigned_by_id "
    "OR NEW.countersigned_at {ne} OLD.countersigned_at))"
)

PG_CHANGED = CHANGED.format(ne="IS DISTINCT FROM")
SQLITE_CHANGED = CHANGED.format(ne="IS NOT")

POSTGRESQL_CREATE = f"""
CREATE OR REPLACE FUNCTION casenotes_clinicalnote_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'draft' AND ({PG_CHANGED}) THEN
        RAISE EXCEPTION 'a signed note cannot be changed: add an addendum' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER casenotes_clinicalnote_signed_unchanged
    BEFORE UPDATE ON casenotes_clinicalnote
    FOR EACH ROW EXECUTE FUNCTION casenotes_clinicalnote_refuse_change();
CREATE OR REPLACE FUNCTION casenotes_addendum_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an addendum cannot be changed' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER casenotes_addendum_append_only
    BEFORE UPDATE ON casenotes_addendum
    FOR EACH ROW EXECUTE FUNCTION casenotes_addendum_refuse_change();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS casenotes_clinicalnote_signed_unchanged ON casenotes_clinicalnote;
DROP FUNCTION IF EXISTS casenotes_clinicalnote_refuse_change();
DROP TRIGGER IF EXISTS casenotes_addendum_append_only ON casenotes_addendum;
DROP FUNCTION IF EXISTS casenotes_addendum_refuse_change();
"""
SQLITE_CREATE = [
    "CREATE TRIGGER casenotes_clinicalnote_signed_unchanged BEFORE UPDATE ON casenotes_clinicalnote "
    f"WHEN OLD.status <> 'draft' AND ({SQLITE_CHANGED}) "
    "BEGIN SELECT RAISE(ABORT, 'a signed note cannot be changed: add an addendum'); END;",
    "CREATE TRIGGER casenotes_addendum_append_only BEFORE UPDATE ON casenotes_addendum "
    "BEGIN SELECT RAISE(ABORT, 'an addendum cannot be changed'); END;",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS casenotes_clinicalnote_signed_unchanged;",
    "DROP TRIGGER IF EXISTS casenotes_addendum_append_only;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CREATE)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("casenotes", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
