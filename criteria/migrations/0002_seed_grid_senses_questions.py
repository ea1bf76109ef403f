from django.db import migrations

from criteria.seed import load_first_rows


class Migration(migrations.Migration):
    dependencies = [("criteria", "0001_grid_questions_criteria")]

    operations = [migrations.RunPython(load_first_rows, migrations.RunPython.noop)]
