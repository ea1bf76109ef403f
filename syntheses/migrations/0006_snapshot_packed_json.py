"""Snapshots' cube and groups as packed JSON bytes (syntheses.fields.PackedJSONField) rather
than jsonb, step 1 of 3: the new columns. PostgreSQL no longer parses megabytes of JSON on
every write."""

from django.db import migrations

import syntheses.fields


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
    ]
