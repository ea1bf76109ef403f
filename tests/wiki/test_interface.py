"""Things every page owes its readers: weight, security headers, language, editing notices."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import make_page, make_user

pytestmark = pytest.mark.django_db

PAGE_BUDGET_BYTES = 100 * 1024


def test_first_view_of_a_typical_page_weighs_under_100_kb(client):
    body = "\n\n".join(
        f"## Section {i}\n\nWell-being is having time for others. " * 3 for i in range(8)
    )
    page = make_page(title="What SPIRAL is", body=body)

    html = client.get(page.get_absolute_url()).content
    assets = re.findall(rb'(?:href|src)="/static/([^"]+)"', html)
    asset_bytes = sum(Path(finders.find(a.decode())).stat().st_size for a in assets)

    assert {a.decode() for a in assets} >= {"css/site.css", "js/htmx.min.js"}
    assert len(html) + asset_bytes < PAGE_BUDGET_BYTES, (len(html), asset_bytes)


def test_pages_send_a_content_security_policy_without_inline_script(client):
    page = make_page()

    policy = client.get(page.get_absolute_url())["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_language_switcher_is_a_plain_link_that_sticks(client):
    page = make_page()

    switched = client.get(
        reverse("set_language_get", args=["fr"]), {"next": page.get_absolute_url()}
    )
    html = client.get(page.get_absolute_url()).content.decode()

    assert switched.status_code == 302 and switched["Location"] == page.get_absolute_url()
    assert '<html lang="fr"' in html


def test_language_switcher_refuses_to_redirect_off_site(client):
    response = client.get(
        reverse("set_language_get", args=["pt"]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_logged_in_language_preference_is_saved_to_the_profile(client):
    user = make_user()
    client.force_login(user)

    client.get(reverse("set_language_get", args=["pt"]))

    user.refresh_from_db()
    assert user.preferred_language == "pt"


def test_editor_is_told_when_someone_else_opened_the_editor_recently(client):
    page = make_page()
    client.force_login(make_user(display_name="Fatima"))
    client.get(page.url_for("edit"))
    client.force_login(make_user(display_name="Jonas"))

    second = client.get(page.url_for("edit")).content.decode()
    client.force_login(make_user(display_name="Fatima2"))
    third = client.get(page.url_for("edit")).content.decode()

    assert "Fatima opened this page for editing" in second
    assert "Fatima, Jonas opened this page for editing" in third


def test_home_page_shows_the_network_home_in_the_readers_language(client):
    make_page(title="Welcome", slug="home", language="en", body="Hello")
    make_page(title="Bienvenue", slug="home", language="fr", body="Bonjour")

    english = client.get("/").content.decode()
    french = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Hello" in english
    assert "Bonjour" in french


def test_livez_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez")

    assert response.content == b"ok"
