"""Packed JSON, step 2 of 3: the figures carried over into the new columns."""

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



class Migration(migrations.Migration):
    dependencies = [("syntheses", "0006_snapshot_packed_json")]

    operations = [migrations.RunPython(pack_figures, unpack_figures)]
