"""Search across languages: when the reader's language finds few pages, other languages' below.

Unmarked tests run on whichever database the suite uses (SQLite locally, PostgreSQL under CI),
so both the full-text path and the fallback answer to them; ``postgres`` tests pin the
per-language stemming that only full-text search does.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.browser.helpers import browser_page
from tests.factories import make_page, make_space, make_user
from wikispiral.wiki import search
from wikispiral.wiki.models import Page
from wikispiral.wiki.search import (
    FEW_RESULTS,
    OTHER_LANGUAGES_LIMIT,
    page_search_for_reader,
    page_search_index_update,
    page_search_other_languages,
)

pytestmark = pytest.mark.django_db

OTHER_HEADING = 'id="search-other-heading"'


def _page(*, title: str, body: str = "Du texte.", language: str = "fr", space=None) -> Page:
    """A page created by the service and indexed now (the job would do it after the commit)."""
    page = make_page(title=title, body=body, language=language, space=space)
    page_search_index_update(page_id=page.pk)
    return page


def _search(client: Client, query: str, language: str = "en", **params: str) -> str:
    response = client.get(
        reverse("wiki:search"), {"q": query, **params}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()


def _sections(html: str) -> tuple[str, str]:
    """The page split into the main results and the other-languages section ("" if none)."""
    main, _heading, rest = html.partition(OTHER_HEADING)
    other, _end, _footer = rest.partition("</section>")
    return main, other


def _titles(result: search.SearchPage) -> list[str]:
    return [hit.title for hit in result.results]


# --- The page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Bienvenue", "réseau"])
def test_english_reader_sees_a_french_page_under_other_languages(client, query) -> None:
    page = _page(title="Bienvenue au réseau", body="Bienvenue dans notre réseau de villes.")

    main, other = _sections(_search(client, query))

    assert "0 results in English for" in main
    assert "1 result in other languages, below." in main
    assert page.get_absolute_url() not in main
    assert "No page matches" not in main  # nothing is said to be missing when something is found
    assert "In other languages</h2>" in other
    [item] = re.findall(r"<li>.*?</li>", other, re.DOTALL)
    assert f'<a href="{page.get_absolute_url()}" hreflang="fr" lang="fr">' in item
    assert "Bienvenue au réseau</a></h3>" in item
    assert '<span class="badge" title="Language">French</span>' in item
    assert '<p class="snippet" lang="fr">' in item
    assert "<mark>" in item


def test_french_reader_finds_french_pages_in_the_main_list(client) -> None:
    page = _page(title="Bienvenue au réseau", body="Bienvenue dans notre réseau de villes.")
    _page(title="Bem-vindo à rede", body="O réseau, em francês.", language="pt")

    main, other = _sections(_search(client, "réseau", language="fr"))

    assert f'<a href="{page.get_absolute_url()}" hreflang="fr" lang="fr">' in main
    assert "Bienvenue au réseau</a></h2>" in main
    # Fewer than a handful in French, so the Portuguese page follows, labelled.
    assert "Bem-vindo à rede</a></h3>" in other
    assert 'hreflang="pt" lang="pt"' in other
    assert "Bienvenue au réseau" not in other


def test_enough_results_in_the_readers_language_hide_the_other_languages(client) -> None:
    for number in range(FEW_RESULTS):
        _page(title=f"Network {number}", body="Cities.", language="en")
    _page(title="Network en français", body="Villes.", language="fr")

    main, other = _sections(_search(client, "network"))

    assert other == ""
    assert "5 results for" in main
    assert "Network en français" not in main


def test_a_few_results_in_the_readers_language_come_with_the_other_languages(client) -> None:
    for number in range(FEW_RESULTS - 1):
        _page(title=f"Network {number}", body="Cities.", language="en")
    _page(title="Network en français", body="Villes.", language="fr")

    main, other = _sections(_search(client, "network"))

    assert "4 results in English for" in main
    assert main.count("</a></h2>") == FEW_RESULTS - 1
    assert "Network en français</a></h3>" in other


def test_nothing_in_any_language_keeps_todays_message(client) -> None:
    _page(title="Bienvenue", body="Bonjour.")

    html = _search(client, "zanzibar")

    assert OTHER_HEADING not in html
    assert "0 results for “zanzibar”" in html
    assert "No page matches “zanzibar”." in html
    assert "search in all languages" in html


def test_all_languages_search_has_no_second_section(client) -> None:
    _page(title="Bienvenue au réseau")

    html = _search(client, "réseau", all="1")

    assert OTHER_HEADING not in html
    assert "1 result for" in html
    assert "Bienvenue au réseau</a></h2>" in html


def test_the_other_languages_are_shown_on_the_first_page_only(client) -> None:
    _page(title="Bienvenue au réseau")

    html = _search(client, "réseau", page="2")

    assert OTHER_HEADING not in html


def test_other_languages_are_limited_with_a_link_to_all_results(client) -> None:
    for number in range(OTHER_LANGUAGES_LIMIT + 2):
        _page(title=f"Réseau {number}", body="Des villes.")

    main, other = _sections(_search(client, "réseau"))

    assert "12 results in other languages, below." in main
    assert other.count("</a></h3>") == OTHER_LANGUAGES_LIMIT
    all_url = f"{reverse('wiki:search')}?q=r%C3%A9seau&amp;all=1"
    assert f'<a href="{all_url}">All the results, in every language</a>' in other


def test_headings_stay_in_order(client) -> None:
    _page(title="Bienvenue au réseau", language="fr")
    _page(title="Réseau et villes", language="en")

    content = _search(client, "réseau").split("<main", 1)[1].split("</main>", 1)[0]
    levels = re.findall(r"<h([1-6])", content)

    assert levels == ["1", "2", "2", "3"]


def test_a_private_spaces_page_never_shows_to_an_outsider(client) -> None:
    hidden = make_space(slug="secret", is_public=False)
    _page(title="Bienvenue au réseau secret", space=hidden)
    _page(title="Bienvenue au réseau public")
    client.force_login(make_user())

    html = _search(client, "Bienvenue")

    assert "Bienvenue au réseau public" in html
    assert "secret" not in html
    assert "1 result in other languages" in html


def test_a_private_spaces_page_alone_gives_todays_message(client) -> None:
    _page(title="Bienvenue au réseau", space=make_space(is_public=False))

    html = _search(client, "Bienvenue")

    assert OTHER_HEADING not in html
    assert "Bienvenue au réseau" not in html
    assert "No page matches “Bienvenue”." in html


def test_page_query_count_does_not_grow_with_results(client) -> None:
    def queries_for(query: str) -> int:
        client.get(reverse("wiki:search"), {"q": query})  # sessions, language: warm up
        with CaptureQueriesContext(connection) as context:
            _search(client, query)
        return len(context.captured_queries)

    _page(title="Ruche 0", body="Abeilles.", space=make_space())
    _page(title="Jardin 0", body="Légumes.", space=make_space())
    few_hives, few_gardens = queries_for("ruche"), queries_for("jardin")
    for number in range(1, 9):
        _page(title=f"Ruche {number}", body="Abeilles.", space=make_space())
        _page(title=f"Hive {number}", body="Bees.", language="en", space=make_space())

    assert few_hives == few_gardens
    assert queries_for("ruche") == few_hives
    assert queries_for("hive") <= few_hives  # 8 in English: the other languages are not read


# --- The search functions -----------------------------------------------------------------------


def test_reader_search_runs_at_most_four_queries(django_assert_max_num_queries) -> None:
    for number in range(12):
        _page(title=f"Semences {number}", body="Graines.", language="fr" if number % 2 else "pt")
    _page(title="Semences", body="Seeds.", language="en")

    with django_assert_max_num_queries(4):
        found = page_search_for_reader(query="semences", language="en")
        rendered = [(hit.url, hit.page.space.name) for hit in found.other_languages.results]

    assert _titles(found.main) == ["Semences"]
    assert found.other_languages.total == 12
    assert len(rendered) == OTHER_LANGUAGES_LIMIT


def test_reader_search_with_nothing_elsewhere_has_no_other_languages() -> None:
    _page(title="Compost", body="Compost.", language="en")

    found = page_search_for_reader(query="compost", language="en")

    assert found.main.total == 1
    assert found.other_languages is None


def test_other_languages_leave_out_the_readers_and_rank_title_matches_first() -> None:
    _page(title="Coopérative", body="Notre marché solidaire.", language="fr")
    _page(title="Marché", body="Le marché du samedi.", language="fr")
    _page(title="Marché solidaire", body="The market.", language="en")

    result = page_search_other_languages(query="marché", language="en")

    assert _titles(result) == ["Marché", "Coopérative"]


def test_fallback_searches_other_languages_too(monkeypatch) -> None:
    # Forced here so the fallback is covered under CI, where the suite runs on PostgreSQL.
    monkeypatch.setattr(search, "_is_postgresql", lambda: False)
    _page(title="Bienvenue au réseau", body="Les villes.", language="fr")
    Page.objects.filter(title="Bienvenue au réseau").update(updated_at=timezone.now())
    _page(title="Rede", body="Bienvenue, em francês.", language="pt")
    _page(title="Bienvenue", body="Welcome.", language="en")

    found = page_search_for_reader(query="bienvenue", language="en")

    assert _titles(found.main) == ["Bienvenue"]
    assert found.other_languages is not None
    assert _titles(found.other_languages) == ["Bienvenue au réseau", "Rede"]


def test_blank_query_touches_nothing(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        found = page_search_for_reader(query="  ", language="en")

    assert found.main.total == 0 and found.other_languages is None


# --- PostgreSQL full-text search: each language stemmed its own way -----------------------------


@pytest.mark.postgres
def test_a_plural_finds_the_french_singular_under_other_languages(client) -> None:
    page = _page(title="Bienvenue au réseau", body="Une ville rejoint le réseau.")

    main, other = _sections(_search(client, "réseaux"))

    assert "0 results in English for" in main
    assert f'href="{page.get_absolute_url()}"' in other


@pytest.mark.postgres
def test_french_stemming_applies_to_french_pages_in_the_main_list(client) -> None:
    page = _page(title="Bienvenue au réseau", body="Une ville rejoint le réseau.")

    main, other = _sections(_search(client, "réseaux", language="fr"))

    assert f'href="{page.get_absolute_url()}"' in main
    assert other == ""


@pytest.mark.postgres
def test_each_other_language_keeps_its_own_stemming() -> None:
    # French stems "réseaux" to "réseau"; Portuguese leaves "réseaux" as it is.
    _page(title="Bienvenue au réseau", body="Des villes.", language="fr")
    _page(title="Rede", body="A palavra réseau, em francês.", language="pt")

    result = page_search_other_languages(query="réseaux", language="en")

    assert _titles(result) == ["Bienvenue au réseau"]


# --- In a browser -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_other_languages_section_reads_well_at_phone_width(browser, live_server) -> None:
    from playwright.sync_api import expect

    _page(title="Bienvenue au réseau", body="Une ville rejoint le réseau des villes.")
    _page(title="Rede de cidades", body="O réseau, em francês.", language="pt")

    with browser_page(browser, live_server.url, viewport={"width": 360, "height": 640}) as page:
        page.goto(reverse("wiki:search") + "?q=r%C3%A9seau")

        section = page.get_by_role("region", name="In other languages")
        expect(section.get_by_role("heading", level=3)).to_have_count(2)
        expect(section.get_by_role("link", name="Bienvenue au réseau")).to_have_attribute(
            "lang", "fr"
        )
        expect(section.get_by_text("Portuguese", exact=True)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        violations = Axe().run(page).response["violations"]

    assert [violation["id"] for violation in violations] == []
