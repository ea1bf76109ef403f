"""The reference rows every site starts with: the seed grid, the five senses and the three
SPIRAL questions. Data migrations call these with the historical app registry; tests that empty
the database (transaction=True) call them again through tests.factories.reference_data."""

import csv
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GRID_SEED = FIXTURES / "grid-seed.csv"
SENSES = FIXTURES / "senses.csv"

# Portuguese family names: the seed file has English and French only.
FAMILY_NAMES_PT = {
    "A": "Acesso aos meios de vida",
    "B": "Quadro de vida",
    "C": "Relações com e entre as organizações",
    "D": "Relações pessoais",
    "E": "Equilíbrios sociais",
    "F": "Equilíbrios pessoais",
    "G": "Sentimentos de bem-estar / mal-estar",
    "H": "Atitudes e iniciativas",
    "I": "Relações com a natureza e o planeta",
}

QUESTIONS = [
    {
        "code": "Q1",
        "order": 1,
        "texts": {
            "en": "What is well-being for you?",
            "fr": "Qu'est-ce que le bien-être pour vous ?",
            "pt": "O que é para si o bem-estar?",
        },
        "short_names": {"en": "Well-being", "fr": "Bien-être", "pt": "Bem-estar"},
    },
    {
        "code": "Q2",
        "order": 2,
        "texts": {
            "en": "What is ill-being for you?",
            "fr": "Qu'est-ce que le mal-être pour vous ?",
            "pt": "O que é para si o mal-estar?",
        },
        "short_names": {"en": "Ill-being", "fr": "Mal-être", "pt": "Mal-estar"},
    },
    {
        "code": "Q3",
        "order": 3,
        "texts": {
            "en": "What do you do, or could you do, for your well-being and that of all?",
            "fr": "Que faites-vous ou pourriez-vous faire pour votre bien-être et celui de tous ?",
            "pt": "O que faz, ou poderia fazer, para o seu bem-estar e o de todos?",
        },
        "short_names": {
            "en": "What I can do",
            "fr": "Ce que je peux faire",
            "pt": "O que posso fazer",
        },
    },
]


def grid_seed_rows() -> list[dict[str, str]]:
    with GRID_SEED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_seed_grid(apps, schema_editor=None) -> None:
    """Create grid version 1 from grid-seed.csv, current, unless a grid exists."""
    GridVersion = apps.get_model("criteria", "GridVersion")
    Family = apps.get_model("criteria", "Family")
    Component = apps.get_model("criteria", "Component")
    if GridVersion.objects.exists():
        return
    version = GridVersion.objects.create(
        number=1, name="Seed grid", is_current=True, source_filename=GRID_SEED.name
    )
    families: dict[str, object] = {}
    for order, row in enumerate(grid_seed_rows()):
        letter = row["family"].strip()
        if letter not in families:
            names = {"en": row["family_en"].strip(), "fr": row["family_fr"].strip()}
            if letter in FAMILY_NAMES_PT:
                names["pt"] = FAMILY_NAMES_PT[letter]
            families[letter] = Family.objects.create(
                version=version, letter=letter, names=names, order=len(families)
            )
        Component.objects.create(
            version=version,
            family=families[letter],
            code=row["code"].strip(),
            names={"en": row["label_en"].strip(), "fr": row["label_fr"].strip()},
            descriptions={"en": row["description_en"].strip()},
            status=row["status"].strip(),
            order=order,
        )


def load_senses(apps, schema_editor=None) -> None:
    SenseCategory = apps.get_model("criteria", "SenseCategory")
    if SenseCategory.objects.exists():
        return
    with SENSES.open(encoding="utf-8", newline="") as handle:
        for order, row in enumerate(csv.DictReader(handle)):
            SenseCategory.objects.create(
                code=row["code"],
                names={"en": row["label_en"], "fr": row["label_fr"]},
                descriptions={"en": row["meaning_en"]},
                order=order,
            )


def load_questions(apps, schema_editor=None) -> None:
    Question = apps.get_model("criteria", "Question")
    for question in QUESTIONS:
        # The network's questions are no group's rows: the scoped manager has no say here.
        Question._base_manager.get_or_create(
            tenant=None,
            code=question["code"],
            defaults={
                "order": question["order"],
                "texts": question["texts"],
                "short_names": question["short_names"],
            },
        )


def load_all(apps, schema_editor=None) -> None:
    load_seed_grid(apps, schema_editor)
    load_senses(apps, schema_editor)
    load_questions(apps, schema_editor)
