from django.db import migrations

PROFILES = [
    ("young-people", "Young people", "Jeunes", "Jovens"),
    ("elderly-people", "Elderly people", "Personnes âgées", "Pessoas idosas"),
    ("unemployed-people", "Unemployed people", "Personnes sans emploi", "Pessoas desempregadas"),
    ("women", "Women", "Femmes", "Mulheres"),
    ("parents", "Parents", "Parents", "Pais e mães"),
    ("entrepreneurs", "Entrepreneurs", "Entrepreneurs", "Empresários"),
    ("elected-officials", "Elected officials", "Élus", "Eleitos"),
    ("professionals", "Professionals", "Professionnels", "Profissionais"),
    ("pupils", "Pupils", "Élèves", "Alunos"),
    ("students", "Students", "Étudiants", "Estudantes"),
    ("migrants", "Migrants", "Personnes migrantes", "Migrantes"),
    ("people-with-disabilities", "People with disabilities", "Personnes en situation de handicap", "Pessoas com deficiência"),
    ("farmers", "Farmers", "Agriculteurs", "Agricultores"),
    ("residents", "Residents of a neighbourhood", "Habitants d'un quartier", "Moradores de um bairro"),
    ("mixed", "Mixed group", "Groupe mixte", "Grupo misto"),
]


def add_profiles(apps, schema_editor):
    Profile = apps.get_model("territories", "Profile")
    for order, (slug, en, fr, pt) in enumerate(PROFILES, start=1):
        Profile.objects.get_or_create(
            slug=slug, defaults={"name": en, "names": {"fr": fr, "pt": pt}, "order": order * 10}
        )


def remove_profiles(apps, schema_editor):
    apps.get_model("territories", "Profile").objects.filter(
        slug__in=[slug for slug, *_names in PROFILES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("territories", "0004_groups_applications_network")]

    operations = [migrations.RunPython(add_profiles, remove_profiles)]
