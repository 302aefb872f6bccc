"""Rule 4, kept by the database: a worker never has two accepted visits that overlap.

PostgreSQL refuses the second with an exclusion constraint over the worker and the visit's time
range (btree_gist lets the worker's id share a GiST index with the range). SQLite has no such
constraint; there the booking services check, and SQLite runs one write at a time.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_visit ADD CONSTRAINT visit_no_overlap
    EXCLUDE USING gist (worker_id WITH =, tstzrange(starts, ends, '[)') WITH &&)
    WHERE (status = 'accepted');
"""
DROP = "ALTER TABLE scheduling_visit DROP CONSTRAINT IF EXISTS visit_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_visits")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
