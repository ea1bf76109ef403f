"""Logged-in users are read from the cache, and every change to them is seen at once."""

import pytest
from django.urls import reverse

from tests.factories import make_page, make_user

pytestmark = pytest.mark.django_db


def test_deactivated_user_is_logged_out_on_the_next_request(client):
    user = make_user()
    client.force_login(user)
    assert client.get(reverse("accounts:profile")).status_code == 200

    user.is_active = False
    user.save(update_fields=["is_active"])

    assert client.get(reverse("accounts:profile")).status_code == 302


def test_password_changed_elsewhere_ends_other_sessions(client):
    user = make_user()
    client.force_login(user)
    client.get(reverse("accounts:profile"))

    user.set_password("another long passphrase")
    user.save(update_fields=["password"])

    assert client.get(reverse("accounts:profile")).status_code == 302


def test_new_role_is_seen_on_the_next_request(client):
    user = make_user()
    client.force_login(user)
    before = client.get(reverse("accounts:profile")).content.decode()

    user.is_secretariat = True
    user.save(update_fields=["is_secretariat"])
    after = client.get(reverse("accounts:profile")).content.decode()

    assert "Secretariat" not in before
    assert "Secretariat" in after


def test_warm_page_view_of_a_logged_in_reader_touches_no_database(
    client, django_assert_num_queries
):
    page = make_page(body="Hello")
    client.force_login(make_user())
    client.get(page.get_absolute_url())

    with django_assert_num_queries(0):
        response = client.get(page.get_absolute_url())

    assert response.status_code == 200 and "Hello" in response.content.decode()
