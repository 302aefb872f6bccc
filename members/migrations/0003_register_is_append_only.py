"""The register of members is kept forever: the database itself refuses to delete its rows,
and share transactions, once written, are never changed (a correction is a new row)."""

from django.db import migrations

KEPT_FOREVER = ["members_membership", "members_historicalmembership", "members_sharetransaction"]
NEVER_CHANGED = ["members_sharetransaction"]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION members_refuse_delete() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'Rows of % are kept forever and cannot be deleted', TG_TABLE_NAME;
            END; $$ LANGUAGE plpgsql;
            CREATE OR REPLACE FUNCTION members_refuse_update() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'Rows of % are never changed: record a correcting row instead', TG_TABLE_NAME;
            END; $$ LANGUAGE plpgsql;
            """,
            params=None,  # the SQL's own % signs are not query parameters
        )
        for table in KEPT_FOREVER:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION members_refuse_delete();"
            )
        for table in NEVER_CHANGED:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION members_refuse_update();"
            )
    elif vendor == "sqlite":
        for table in KEPT_FOREVER:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'Rows of {table} are kept forever and cannot be deleted'); END;"
            )
        for table in NEVER_CHANGED:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'Rows of {table} are never changed'); END;"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in KEPT_FOREVER:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table};")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
    for table in NEVER_CHANGED:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table};")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")


class Migration(migrations.Migration):
    dependencies = [("members", "0002_register")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
