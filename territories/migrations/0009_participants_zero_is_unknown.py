"""A homogeneous group's 0 participants was a number nobody gave (a group of citizens has at
least one): it becomes unknown (NULL) before 0010 forbids 0. Syntheses count both alike (their
groups table stores 0 for unknown), so no figure changes and nothing needs recomputing."""

from django.db import migrations


def zero_is_unknown(apps, schema_editor):
    HomogeneousGroup = apps.get_model("territories", "HomogeneousGroup")
    HomogeneousGroup._base_manager.filter(participants=0).update(participants=None)


class Migration(migrations.Migration):
    dependencies = [("territories", "0008_project_platforms")]

    # Backwards: NULL stays NULL, which is what 0 meant.
    operations = [migrations.RunPython(zero_is_unknown, migrations.RunPython.noop)]
