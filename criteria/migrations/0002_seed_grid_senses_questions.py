from django.db import migrations

from criteria.seed import load_all


class Migration(migrations.Migration):
    dependencies = [("criteria", "0001_grid_questions_criteria")]

    operations = [migrations.RunPython(load_all, migrations.RunPython.noop)]
