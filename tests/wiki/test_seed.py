import csv
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings as SettingsFixture

from wikispiral.accounts.models import User
from wikispiral.wiki.models import Page, Revision, Space
from wikispiral.wiki.selectors import render_source

FIXTURES = Path(django_settings.BASE_DIR) / "criteria" / "fixtures"
SEEDED_LANGUAGES = ("en", "fr")
PROVISIONAL_MARKERS = {"en": "(provisional label)", "fr": "(libellé provisoire)"}


def _grid_rows() -> list[dict[str, str]]:
    with (FIXTURES / "grid-seed.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _counts() -> tuple[int, int, int, int]:
    return (
        Space.objects.count(),
        Page.objects.count(),
        Revision.objects.count(),
        User.objects.count(),
    )


@pytest.fixture
def seeded(db: None, settings: SettingsFixture) -> Space:
    settings.DEBUG = True
    call_command("seed_demo", "--quiet")
    return Space.objects.get(slug="network")


def _grid_page(space: Space, language: str) -> Page:
    home = Page.objects.get(space=space, language="en", slug="home")
    grid_en = Page.objects.get(space=space, language="en", title="The classification grid")
    assert grid_en.parent is not None and grid_en.parent.parent == home
    return Page.objects.get(translation_key=grid_en.translation_key, language=language)


def test_seeding_twice_adds_nothing(seeded: Space) -> None:
    before = _counts()

    call_command("seed_demo", "--quiet")

    assert _counts() == before
    assert before[1] == 21  # seven pages in each of the three languages
    assert Revision.objects.filter(page__space=seeded).count() == before[1]


def test_home_exists_in_each_language_as_translations(seeded: Space) -> None:
    homes = {
        language: Page.objects.get(space=seeded, language=language, slug="home")
        for language in SEEDED_LANGUAGES
    }

    assert homes["en"].translation_key == homes["fr"].translation_key
    assert all(home.is_protected and home.parent is None for home in homes.values())


def test_every_english_page_has_a_french_translation(seeded: Space) -> None:
    english = Page.objects.filter(space=seeded, language="en")
    french_keys = set(
        Page.objects.filter(space=seeded, language="fr").values_list("translation_key", flat=True)
    )

    assert {page.translation_key for page in english} == french_keys


def test_only_home_questions_and_grid_are_protected(seeded: Space) -> None:
    protected = set(
        Page.objects.filter(space=seeded, language="en", is_protected=True).values_list(
            "title", flat=True
        )
    )

    assert protected == {"Welcome to wikispiral", "The SPIRAL questions", "The classification grid"}


@pytest.mark.parametrize("language", SEEDED_LANGUAGES)
def test_grid_page_lists_every_component_and_marks_provisional_labels(
    seeded: Space, language: str
) -> None:
    body = _grid_page(seeded, language).current_revision.body
    rows_by_code = {
        line.split("`")[1]: line for line in body.splitlines() if line.startswith("| `")
    }
    marker = PROVISIONAL_MARKERS[language]

    for row in _grid_rows():
        line = rows_by_code[row["code"]]
        assert row[f"label_{language}"] in line
        assert (marker in line) == (row["status"] == "provisional"), row["code"]
    for sense in ("O", "R", "P", "Q", "S"):
        assert f"| `{sense}` |" in body
    assert "A01-11/P15/k" in body
    assert "{{" not in body


@pytest.mark.parametrize("language", SEEDED_LANGUAGES)
def test_wikilinks_on_seeded_pages_all_resolve(seeded: Space, language: str) -> None:
    pages = Page.objects.filter(space=seeded, language=language).select_related("current_revision")
    home = next(page for page in pages if page.slug == "home")

    home_html = render_source(
        space=seeded, language=language, source=home.current_revision.body
    ).html
    assert home_html.count('class="wikilink"') >= 6
    for page in pages:
        rendered = render_source(space=seeded, language=language, source=page.current_revision.body)
        assert 'class="wikilink missing"' not in rendered.html, page.slug


def test_demo_users_have_their_roles(seeded: Space) -> None:
    users = {user.username: user for user in User.objects.filter(email__endswith="@example.org")}

    assert set(users) == {"citizen", "facilitator", "secretariat", "admin"}
    assert all(user.email_confirmed_at is not None for user in users.values())
    assert all(user.check_password(f"demo-{name}-2026") for name, user in users.items())
    assert not any(
        users[name].is_secretariat or users[name].is_staff or users[name].is_superuser
        for name in ("citizen", "facilitator")
    )
    assert users["secretariat"].is_secretariat and not users["secretariat"].is_superuser
    assert users["admin"].is_superuser and users["admin"].is_staff
    authors = set(Revision.objects.values_list("author__username", flat=True))
    assert authors == {"secretariat"}


def test_seeding_again_keeps_a_changed_password(seeded: Space) -> None:
    citizen = User.objects.get(username="citizen")
    citizen.set_password("a-password-of-my-own")
    citizen.save(update_fields=["password"])

    call_command("seed_demo", "--quiet")

    citizen.refresh_from_db()
    assert citizen.check_password("a-password-of-my-own")


def test_prints_demo_logins_unless_quiet(db: None, settings: SettingsFixture) -> None:
    settings.DEBUG = True
    out = StringIO()

    call_command("seed_demo", stdout=out)

    printed = out.getvalue()
    assert "Demo logins (local only):" in printed
    assert "  citizen      / demo-citizen-2026     registered citizen" in printed
    assert "facilitator of the demo coordination groups" in printed
    assert "Open http" in printed


def test_logins_only_prints_the_logins_and_seeds_nothing(seeded: Space) -> None:
    before = _counts()
    out = StringIO()

    call_command("seed_demo", "--logins", stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert lines[0] == "Demo logins (local only):"
    assert lines[1] == "  citizen      / demo-citizen-2026     registered citizen"
    assert lines[-1].startswith("Open http")
    assert "existing ones were kept" not in out.getvalue()
    assert _counts() == before


def test_logins_only_says_when_a_password_was_changed(seeded: Space) -> None:
    citizen = User.objects.get(username="citizen")
    citizen.set_password("a-password-of-my-own")
    citizen.save(update_fields=["password"])
    out = StringIO()

    call_command("seed_demo", "--logins", stdout=out)

    assert "existing ones were kept" in out.getvalue()


def test_refuses_when_debug_is_off(db: None, settings: SettingsFixture) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", "--quiet")

    assert _counts() == (0, 0, 0, 0)


def test_force_seeds_when_debug_is_off(db: None, settings: SettingsFixture) -> None:
    settings.DEBUG = False

    call_command("seed_demo", "--quiet", "--force")

    assert Page.objects.filter(space__slug="network", slug="home").count() == 3
