"""Packed JSON, step 3 of 3: the jsonb columns dropped, the packed ones take their names and
are compressed with LZ4 where the server has it."""

from django.db import migrations


def lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute(
                "ALTER TABLE syntheses_snapshot ALTER COLUMN cube SET COMPRESSION lz4, "
                "ALTER COLUMN groups SET COMPRESSION lz4"
            )



class Migration(migrations.Migration):
    dependencies = [("syntheses", "0007_snapshot_packed_fill")]

    operations = [
        migrations.RemoveField(model_name="snapshot", name="cube"),
        migrations.RemoveField(model_name="snapshot", name="groups"),
        migrations.RenameField(model_name="snapshot", old_name="cube_packed", new_name="cube"),
        migrations.RenameField(model_name="snapshot", old_name="groups_packed", new_name="groups"),
        migrations.RunPython(lz4, migrations.RunPython.noop),
    ]
