"""The language switcher leads to the page's translation when one exists, else back here."""

import re
from urllib.parse import unquote

import pytest
from django.test import Client, RequestFactory
from django.urls import resolve, reverse

from tests.factories import make_page, make_space, make_user
from wikispiral.context_processors import languages
from wikispiral.wiki.services import page_delete

pytestmark = pytest.mark.django_db


def _switch_targets(html: str) -> dict[str, str]:
    """{language code: where its switcher link leads} from a page's header."""
    switcher = html.split('<ul class="languages"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'href="/lang/(\w+)/\?next=([^"]*)"', switcher)
    return {code: unquote(target) for code, target in links}


def test_the_link_of_a_translated_language_leads_to_the_translation(client: Client):
    english = make_page(title="Welcome")
    french = make_page(title="Bienvenue", language="fr", translation_of=english)

    targets = _switch_targets(client.get(english.get_absolute_url()).content.decode())

    assert targets == {
        "en": english.get_absolute_url(),
        "fr": french.get_absolute_url(),
        "pt": english.get_absolute_url(),
    }


def test_following_the_link_saves_the_preference_and_opens_the_translation(client: Client):
    user = make_user()
    english = make_page(title="Welcome")
    portuguese = make_page(title="Bem-vindo", language="pt", translation_of=english)
    client.force_login(user)

    target = _switch_targets(client.get(english.get_absolute_url()).content.decode())["pt"]
    switched = client.get(reverse("set_language_get", args=["pt"]), {"next": target})
    html = client.get(switched["Location"]).content.decode()

    user.refresh_from_db()
    assert switched["Location"] == portuguese.get_absolute_url()
    assert user.preferred_language == "pt"
    assert '<html lang="pt"' in html and "Bem-vindo" in html


def test_a_deleted_translation_is_not_offered(client: Client):
    english = make_page(title="Welcome")
    french = make_page(title="Bienvenue", language="fr", translation_of=english)
    page_delete(page=french, actor=make_user(secretariat=True))

    targets = _switch_targets(client.get(english.get_absolute_url()).content.decode())

    assert targets["fr"] == english.get_absolute_url()


def test_a_translation_written_after_a_visit_shows_up_in_the_cached_page(client: Client):
    english = make_page(title="Welcome")
    client.get(english.get_absolute_url())

    french = make_page(title="Bienvenue", language="fr", translation_of=english)
    targets = _switch_targets(client.get(english.get_absolute_url()).content.decode())

    assert targets["fr"] == french.get_absolute_url()


def test_other_pages_come_back_to_where_the_reader_was(client: Client):
    english = make_page(title="Welcome")
    make_page(title="Bienvenue", language="fr", translation_of=english)
    here = reverse("wiki:search") + "?q=welcome"

    targets = _switch_targets(client.get(here).content.decode())

    assert targets == {"en": here, "fr": here, "pt": here}


def test_a_page_in_a_space_the_reader_may_not_see_reveals_no_translation(client: Client):
    space = make_space(is_public=False)
    english = make_page(space=space, title="Secret plans")
    french = make_page(space=space, title="Plans secrets", language="fr", translation_of=english)

    response = client.get(english.get_absolute_url())

    assert response.status_code == 404
    assert french.get_absolute_url() not in response.content.decode()
    assert set(_switch_targets(response.content.decode()).values()) == {english.get_absolute_url()}


def _request_for(path: str):
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)
    request.user = make_user()
    return request


def test_one_query_on_a_wiki_page_and_none_elsewhere(django_assert_num_queries):
    english = make_page(title="Welcome")
    make_page(title="Bienvenue", language="fr", translation_of=english)
    on_page = _request_for(english.get_absolute_url())
    elsewhere = _request_for(reverse("wiki:recent_changes"))

    with django_assert_num_queries(1):
        links = list(languages(on_page)["language_links"])
        assert list(languages(on_page)["language_links"]) == links  # computed once per request
    with django_assert_num_queries(0):
        list(languages(elsewhere)["language_links"])

    assert [link.code for link in links] == ["en", "fr", "pt"]
    assert [link.current for link in links] == [True, False, False]
