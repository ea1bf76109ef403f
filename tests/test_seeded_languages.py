"""Three languages, really (issue 16): what the site seeds is written in its reader's language.

- A coordination group's seeded pages (its home, one per language it speaks, and a homogeneous
  group's page) carry no English heading when the group speaks French or Portuguese.
- The network's starter pages exist in English, French and Portuguese, as translations.
- The grid page gives component and sense descriptions in French and Portuguese, marked as our
  provisional translation.
"""

import re

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from pytest_django.fixtures import Settings as SettingsFixture

from criteria.grid.imports import grid_file_read, grid_mapping_default
from criteria.grid.selectors import grid_template_csv
from criteria.grid.services import grid_version_import
from criteria.models import Component, Family, GridVersion, SenseCategory
from criteria.seed import grid_seed_rows, sense_seed_rows, translations_fill
from territories.applications.services import application_approve
from territories.models import CoordinationGroup, Profile
from territories.services import coordination_group_create, homogeneous_group_create
from territories.services.groups import seed_page_body
from tests.factories import make_application, make_coordination_group, make_country, make_user
from wikispiral.tenancy import cross_tenant, tenant_scope
from wikispiral.wiki.models import Page, Space
from wikispiral.wiki.selectors import render_source

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "fr", "pt")
SEEDS = ("home", "homogeneous_group")
GRID = reverse("grid:grid")
TRANSLATION_MARK = 'class="provisional-translation"'


def _headings(body: str) -> set[str]:
    return {line.strip() for line in body.splitlines() if line.lstrip().startswith("#")}


def _seed_headings(language: str) -> set[str]:
    return set().union(*(_headings(seed_page_body(name, language, {})) for name in SEEDS))


def _space_pages(group: CoordinationGroup) -> list[Page]:
    return list(Page.objects.filter(space=group.space).select_related("current_revision"))


def _group_with_a_homogeneous_group(language: str, **extra: object) -> CoordinationGroup:
    group = make_coordination_group(language=language, **extra)
    with tenant_scope(group):
        homogeneous_group_create(
            actor=None,
            group=group,
            name="Jeunes",
            profile=Profile.objects.order_by("order").first(),
            language=language,
        )
    return group


# --- A coordination group's seeded pages --------------------------------------------------------


def test_each_language_has_its_own_seed_texts_and_headings():
    headings = {language: _seed_headings(language) for language in LANGUAGES}

    assert len(headings["en"]) == 6
    for language in ("fr", "pt"):
        assert len(headings[language]) == len(headings["en"])
        assert not headings[language] & headings["en"], language
    assert not headings["fr"] & headings["pt"]


def test_a_language_without_seed_texts_falls_back_to_english():
    assert seed_page_body("home", "de", {}) == seed_page_body("home", "en", {})


@pytest.mark.parametrize("language", ["fr", "pt"])
def test_a_groups_seeded_pages_have_no_english_heading(language: str):
    # Opened by someone whose interface is English: the pages follow the group, not them.
    with translation.override("en"):
        group = _group_with_a_homogeneous_group(language)

    pages = _space_pages(group)
    english = _seed_headings("en")

    assert {page.slug for page in pages} == {"home", "group-jeunes"}
    for page in pages:
        assert page.language == language
        body = page.current_revision.body
        assert _headings(body), page.slug
        assert _headings(body) <= _seed_headings(language), page.slug
        assert not _headings(body) & english, page.slug
        assert "To be written" not in body, page.slug


def test_a_french_home_page_keeps_the_groups_own_description():
    group = make_coordination_group(
        language="fr", platform_description="Plateforme multi-acteurs de Mulhouse."
    )

    body = Page.objects.get(space=group.space, slug="home").current_revision.body

    assert "## La plateforme\n\nPlateforme multi-acteurs de Mulhouse.\n" in body
    assert "## Le territoire\n\nÀ rédiger par les animateurs.\n" in body


def test_the_english_home_page_reads_as_before():
    group = make_coordination_group(language="en", platform_description="A & B <together>")

    body = Page.objects.get(space=group.space, slug="home").current_revision.body

    assert body.startswith("## About the platform\n\nA & B <together>\n\n## The territory\n")
    assert body.rstrip().endswith("## Our SPIRAL process\n\nTo be written by the facilitators.")


def test_a_group_of_several_languages_gets_one_home_page_per_wiki_language():
    group = coordination_group_create(
        actor=None,
        name="Praia e Mindelo",
        network_id="GC990001",
        country=make_country(code="CV", name="Cabo Verde", continent="AF"),
        language="pt",
        languages=["fr", "de", "pt-BR"],
    )

    homes = {
        page.language: page
        for page in Page.objects.filter(space=group.space, slug="home").select_related(
            "current_revision"
        )
    }

    assert group.languages == ["pt", "fr", "de", "pt-BR"]
    assert set(homes) == {"pt", "fr"}  # German is no wiki language; pt-BR is Portuguese
    assert homes["pt"].translation_key == homes["fr"].translation_key
    assert homes["pt"].pk < homes["fr"].pk  # the group's main language comes first
    for language, home in homes.items():
        assert home.title == "Praia e Mindelo"
        assert _headings(home.current_revision.body) == _headings(
            seed_page_body("home", language, {})
        )


def test_a_group_speaking_no_wiki_language_gets_an_english_home_page():
    group = make_coordination_group(language="de")

    home = Page.objects.get(space=group.space, slug="home")

    assert home.language == "en"
    assert "## About the platform" in home.current_revision.body


def test_an_approved_application_opens_home_pages_in_the_applicants_languages():
    application = make_application(applicant_language="fr", languages=["fr", "pt"])

    approval = application_approve(application=application, actor=make_user(secretariat=True))

    languages = set(
        Page.objects.filter(space=approval.group.space, slug="home").values_list(
            "language", flat=True
        )
    )
    assert languages == {"fr", "pt"}


# --- The network's starter pages ----------------------------------------------------------------


@pytest.fixture
def network(settings: SettingsFixture) -> Space:
    settings.DEBUG = True
    call_command("seed_demo", "--quiet")
    return Space.objects.get(slug="network")


def test_starter_pages_exist_in_three_languages_as_translations(network: Space):
    pages = list(Page.objects.filter(space=network).select_related("parent"))
    by_key: dict[object, dict[str, Page]] = {}
    for page in pages:
        by_key.setdefault(page.translation_key, {})[page.language] = page

    assert len(by_key) == 7
    for translations in by_key.values():
        assert set(translations) == set(LANGUAGES)
        english = translations["en"]
        for language in ("fr", "pt"):
            page = translations[language]
            assert page.is_protected == english.is_protected
            if english.parent is None:
                assert page.parent is None
            else:
                # Each translation sits under the translation of the English page's parent.
                assert page.parent.translation_key == english.parent.translation_key
                assert page.parent.language == language


def test_portuguese_starter_pages_have_no_english_heading_and_working_links(network: Space):
    english = set().union(
        *(
            _headings(page.current_revision.body)
            for page in Page.objects.filter(space=network, language="en")
        )
    )
    portuguese = list(
        Page.objects.filter(space=network, language="pt").select_related("current_revision")
    )

    assert len(portuguese) == 7
    for page in portuguese:
        body = page.current_revision.body
        assert not _headings(body) & english, page.slug
        html = render_source(space=network, language="pt", source=body).html
        assert 'class="wikilink missing"' not in html, page.slug
    home = next(page for page in portuguese if page.slug == "home")
    assert home.title == "Boas-vindas ao wikispiral"


def test_portuguese_grid_page_lists_components_and_senses_in_portuguese(network: Space):
    grid_en = Page.objects.get(space=network, language="en", slug="the-classification-grid")
    body = Page.objects.get(
        translation_key=grid_en.translation_key, language="pt"
    ).current_revision.body
    rows = {line.split("`")[1]: line for line in body.splitlines() if line.startswith("| `")}

    for row in grid_seed_rows():
        line = rows[row["code"]]
        assert row["label_pt"] in line and row["description_pt"] in line, row["code"]
        assert row["description_en"] not in line
        assert ("(designação provisória)" in line) == (row["status"] == "provisional")
    for sense in sense_seed_rows():
        assert sense["meaning_pt"] in rows[sense["code"]]
    # Our translated columns say so in their header.
    assert "| Componente *(tradução provisória)* | O que abrange *(tradução provisória)* |" in body
    assert "{{" not in body


# --- The grid page ------------------------------------------------------------------------------


def _grid_html(client: Client, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(GRID)
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, code: str) -> str:
    return re.search(rf'<tr id="component-{code}".*?</tr>', html, re.S).group(0)


@pytest.mark.parametrize("language", ["fr", "pt"])
def test_grid_page_gives_descriptions_and_senses_in_the_readers_language(
    client: Client, language: str
):
    html = _grid_html(client, language)

    assert f'<html lang="{language}"' in html
    for row in grid_seed_rows():
        component_row = _row(html, row["code"])
        translated = escape(row[f"description_{language}"])
        assert translated, row["code"]
        assert f"<td>{translated}<span {TRANSLATION_MARK}" in component_row, row["code"]
        assert escape(row["description_en"]) not in html, row["code"]
    for sense in sense_seed_rows():
        dd = f"<dd>{escape(sense[f'meaning_{language}'])}<span {TRANSLATION_MARK}"
        assert dd in html, sense["code"]
        assert escape(sense["meaning_en"]) not in html, sense["code"]
    assert 'id="provisional-translation-legend"' in html


def test_grid_page_gives_portuguese_labels_marked_provisional(client: Client):
    html = _grid_html(client, "pt")

    a01 = _row(html, "A01")
    assert "Alimentação" in a01 and "Food / drink" not in a01
    # A01's English and French labels are official; the Portuguese one is ours.
    assert 'class="provisional-mark"' in a01
    assert re.search(r"<dt><code>O</code> <span>Obtenção</span><span " + TRANSLATION_MARK, html)
    assert "Acesso aos meios de vida<span " + TRANSLATION_MARK in html


def test_grid_page_in_english_marks_no_translation(client: Client):
    html = _grid_html(client, "en")

    assert TRANSLATION_MARK not in html
    assert 'id="provisional-translation-legend"' not in html
    assert "<td>Getting food and drink, following a chosen diet</td>" in html


# --- Where the translations and their marks come from -------------------------------------------


def test_migrated_grid_and_senses_carry_our_translations_marked_provisional():
    with cross_tenant():
        a01 = Component.objects.get(version__is_current=True, code="A01")
        family = Family.objects.get(version__is_current=True, letter="A")
    sense = SenseCategory.objects.get(code="P")

    assert a01.label("pt") == "Alimentação" and a01.label("fr") == "Alimentation"
    assert a01.label_is_provisional("pt") and not a01.label_is_provisional("fr")
    assert a01.description("fr").startswith("Se nourrir")
    assert a01.description_is_provisional("fr") and a01.description_is_provisional("pt")
    assert not a01.description_is_provisional("en")
    assert family.name_is_provisional("pt") and not family.name_is_provisional("fr")
    assert sense.label("pt") == "Possibilidade" and sense.name_is_provisional("pt")
    assert not sense.name_is_provisional("fr")
    assert sense.description_is_provisional("fr")


def test_filling_translations_keeps_the_secretariats_wording_and_runs_twice_safely():
    with cross_tenant():
        a02 = Component.objects.get(version__is_current=True, code="A02")
    a02.descriptions = {**a02.descriptions, "fr": "Soins et médicaments (texte officiel)"}
    a02.provisional_translations = {"names": ["pt"]}
    a02.save(update_fields=["descriptions", "provisional_translations"])

    translations_fill(django_apps)
    translations_fill(django_apps)

    a02.refresh_from_db()
    assert a02.descriptions["fr"] == "Soins et médicaments (texte officiel)"
    assert a02.provisional_translations == {"descriptions": ["pt"], "names": ["pt"]}
    assert not a02.description_is_provisional("fr")
    assert a02.description_is_provisional("pt")


def test_a_new_grid_version_keeps_the_marks_of_texts_it_does_not_change():
    current = GridVersion.objects.get(is_current=True)
    data = grid_template_csv(version=current).encode("utf-8")
    data = data.replace(
        "Se nourrir et boire, suivre le régime alimentaire de son choix".encode(),
        "Se nourrir et boire (texte du secrétariat)".encode(),
    )
    rows, errors = grid_file_read(data=data, filename="grid.csv")
    assert errors == []
    codes = [row.code for row in rows]

    version = grid_version_import(
        actor=make_user(secretariat=True),
        rows=rows,
        mapping=grid_mapping_default(rows=rows, current_codes=codes),
        name="Secretariat wording for A01",
    )

    with cross_tenant():
        new = {c.code: c for c in Component.objects.filter(version=version)}
    assert new["A01"].description("fr") == "Se nourrir et boire (texte du secrétariat)"
    assert not new["A01"].description_is_provisional("fr")
    assert new["A01"].description_is_provisional("pt")
    assert new["A02"].description_is_provisional("fr")
    assert new["A02"].label_is_provisional("pt")
