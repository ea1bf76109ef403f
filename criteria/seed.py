"""The reference rows every site starts with: the seed grid, the five senses and the three
SPIRAL questions. Data migrations call these with the historical app registry; tests that empty
the database (transaction=True) call them again through tests.factories.reference_data.

The seed files hold English and French texts from the network, and our own translations:
Portuguese names and French and Portuguese descriptions (SEED_TRANSLATIONS). Those are filled
in and marked provisional by translations_fill, until the secretariat gives its wording.
"""

import csv
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GRID_SEED = FIXTURES / "grid-seed.csv"
SENSES = FIXTURES / "senses.csv"

# Which texts of the seed files are our translation, not the network's: kind -> languages.
SEED_TRANSLATIONS = {"names": ("pt",), "descriptions": ("fr", "pt")}
BATCH = 500

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
            if row.get("family_pt", "").strip():
                names["pt"] = row["family_pt"].strip()
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


def sense_seed_rows() -> list[dict[str, str]]:
    with SENSES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_senses(apps, schema_editor=None) -> None:
    SenseCategory = apps.get_model("criteria", "SenseCategory")
    if SenseCategory.objects.exists():
        return
    for order, row in enumerate(sense_seed_rows()):
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


def load_first_rows(apps, schema_editor=None) -> None:
    """What migration 0002 loads: the grid, the senses and the questions, without the
    translations (its models have no provisional_translations yet)."""
    load_seed_grid(apps, schema_editor)
    load_senses(apps, schema_editor)
    load_questions(apps, schema_editor)


def load_all(apps, schema_editor=None) -> None:
    """Every reference row, as the migrations leave them."""
    load_first_rows(apps, schema_editor)
    translations_fill(apps, schema_editor)


# --- Our translations, marked provisional -------------------------------------------------------


Translations = dict[str, dict[str, dict[str, str]]]  # kind -> English text -> {language: ours}


def _seed_translations() -> dict[str, Translations]:
    """model -> kind ("names" or "descriptions") -> English text -> {language: our text}."""
    ours: dict[str, Translations] = {
        model: {"names": {}, "descriptions": {}}
        for model in ("Family", "Component", "SenseCategory")
    }
    for row in grid_seed_rows():
        ours["Family"]["names"][row["family_en"].strip()] = {"pt": row["family_pt"].strip()}
        ours["Component"]["names"][row["label_en"].strip()] = {"pt": row["label_pt"].strip()}
        ours["Component"]["descriptions"][row["description_en"].strip()] = {
            language: row[f"description_{language}"].strip() for language in ("fr", "pt")
        }
    for row in sense_seed_rows():
        ours["SenseCategory"]["names"][row["label_en"].strip()] = {"pt": row["label_pt"].strip()}
        ours["SenseCategory"]["descriptions"][row["meaning_en"].strip()] = {
            language: row[f"meaning_{language}"].strip() for language in ("fr", "pt")
        }
    return ours


def _translated(row, ours: Translations) -> bool:
    """Give row our translations where it has none, and mark provisional every text of its
    that is ours (a text the secretariat wrote differently stays unmarked); True if changed."""
    marks = {
        kind: list(languages) for kind, languages in (row.provisional_translations or {}).items()
    }
    changed = False
    for kind in ("names", "descriptions"):
        texts = dict(getattr(row, kind) or {})
        english = (texts.get("en") or "").strip()
        for language, text in ours[kind].get(english, {}).items():
            if language not in SEED_TRANSLATIONS[kind] or not text:
                continue
            if not texts.get(language):
                texts[language] = text
                setattr(row, kind, texts)
                changed = True
            if texts[language] == text and language not in marks.setdefault(kind, []):
                marks[kind].append(language)
                changed = True
    if changed:
        row.provisional_translations = {
            kind: sorted(langs) for kind, langs in marks.items() if langs
        }
    return changed


def translations_fill(apps, schema_editor=None) -> None:
    """Add our Portuguese names and French and Portuguese descriptions to every family,
    component and sense whose English text is the seed's, where that language has no text yet,
    marked provisional. Rows of any grid version qualify (a later version often keeps the seed's
    English wording). Reads and writes BATCH rows at a time; running it again changes nothing."""
    ours = _seed_translations()
    for model_name in ("Family", "Component", "SenseCategory"):
        model = apps.get_model("criteria", model_name)
        last_pk = 0
        while True:
            batch = list(
                model.objects.filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", "names", "descriptions", "provisional_translations")[:BATCH]
            )
            if not batch:
                break
            last_pk = batch[-1].pk
            changed = [row for row in batch if _translated(row, ours[model_name])]
            model.objects.bulk_update(
                changed, ["names", "descriptions", "provisional_translations"], batch_size=BATCH
            )
