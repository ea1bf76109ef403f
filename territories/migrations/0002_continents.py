from django.db import migrations

CONTINENTS = [
    ("AF", "Africa", "Afrique", "África"),
    ("AN", "Antarctica", "Antarctique", "Antártida"),
    ("AS", "Asia", "Asie", "Ásia"),
    ("EU", "Europe", "Europe", "Europa"),
    ("NA", "North America", "Amérique du Nord", "América do Norte"),
    ("OC", "Oceania", "Océanie", "Oceânia"),
    ("SA", "South America", "Amérique du Sud", "América do Sul"),
]


def add_continents(apps, schema_editor):
    Continent = apps.get_model("territories", "Continent")
    for code, name, name_fr, name_pt in CONTINENTS:
        Continent.objects.update_or_create(
            code=code, defaults={"name": name, "names": {"fr": name_fr, "pt": name_pt}}
        )


class Migration(migrations.Migration):
    dependencies = [("territories", "0001_geography")]

    operations = [migrations.RunPython(add_continents, migrations.RunPython.noop)]
