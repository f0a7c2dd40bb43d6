"""On PostgreSQL, the database itself refuses two live appointments for one clinician (or one room) that overlap.

An exclusion constraint over (clinician, [start, end)) needs btree_gist for the equality on an integer column.
SQLite has no such constraint: there the booking service's locked check (IMMEDIATE transactions serialise
writers) is what holds.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE appointments_appointment
    ADD CONSTRAINT appointment_no_overlap_clinician
    EXCLUDE USING gist (clinician_id WITH =, tstzrange(start, "end", '[)') WITH &&) WHERE (NOT cancelled);
ALTER TABLE appointments_appointment
    ADD CONSTRAINT appointment_no_overlap_room
    EXCLUDE USING gist (room_id WITH =, tstzrange(start, "end", '[)') WITH &&) WHERE (NOT cancelled AND room_id IS NOT NULL);
"""
DROP = """
ALTER TABLE appointments_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap_clinician;
ALTER TABLE appointments_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap_room;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("appointments", "0002_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
