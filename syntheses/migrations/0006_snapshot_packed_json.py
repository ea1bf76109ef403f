"""Snapshots' cube and groups as packed JSON bytes (syntheses.fields.PackedJSONField) rather
than jsonb: PostgreSQL no longer parses megabytes of JSON on every write. The figures are
carried over; the new columns are compressed with LZ4 where the server has it."""

import json

from django.db import migrations

import syntheses.fields

BATCH = 500


def pack_figures(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE syntheses_snapshot SET cube_packed = convert_to(cube::text, 'UTF8'), "
                "groups_packed = convert_to(groups::text, 'UTF8')"
            )
        return
    Snapshot = apps.get_model("syntheses", "Snapshot")
    batch = []
    for snapshot in Snapshot.objects.only("pk", "cube", "groups").iterator(chunk_size=BATCH):
        snapshot.cube_packed = syntheses.fields.pack(snapshot.cube)
        snapshot.groups_packed = syntheses.fields.pack(snapshot.groups)
        batch.append(snapshot)
        if len(batch) == BATCH:
            Snapshot.objects.bulk_update(batch, ["cube_packed", "groups_packed"])
            batch = []
    Snapshot.objects.bulk_update(batch, ["cube_packed", "groups_packed"])


def unpack_figures(apps, schema_editor):
    Snapshot = apps.get_model("syntheses", "Snapshot")
    for snapshot in Snapshot.objects.iterator(chunk_size=BATCH):
        snapshot.cube = snapshot.cube_packed
        snapshot.groups = snapshot.groups_packed
        snapshot.save(update_fields=["cube", "groups"])


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
    dependencies = [("syntheses", "0005_snapshot_fingerprint_check")]

    operations = [
        migrations.AddField(
            model_name="snapshot",
            name="cube_packed",
            field=syntheses.fields.PackedJSONField(default=dict, verbose_name="counts"),
        ),
        migrations.AddField(
            model_name="snapshot",
            name="groups_packed",
            field=syntheses.fields.PackedJSONField(default=dict, verbose_name="groups"),
        ),
        migrations.RunPython(pack_figures, unpack_figures),
        migrations.RemoveField(model_name="snapshot", name="cube"),
        migrations.RemoveField(model_name="snapshot", name="groups"),
        migrations.RenameField(model_name="snapshot", old_name="cube_packed", new_name="cube"),
        migrations.RenameField(model_name="snapshot", old_name="groups_packed", new_name="groups"),
        migrations.RunPython(lz4, migrations.RunPython.noop),
    ]
