"""Her choices (how often the digest comes, following what she edits, the network letter) and
the one-click unsubscribe of the mails: a signed link, a confirmation page, the RFC 8058 POST
of mail clients, and a tampered link refused with nothing changed."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_page, make_user
from tests.notifications.conftest import follow
from wikispiral.notifications.models import Follow, Preference
from wikispiral.notifications.services import LETTER_KEY, LETTER_KIND
from wikispiral.notifications.tokens import unsubscribe_token, unsubscribe_url

pytestmark = pytest.mark.django_db

SETTINGS = reverse("notifications:settings")


def _letter(user) -> bool:
    return Follow.objects.filter(user=user, kind=LETTER_KIND, key=LETTER_KEY).exists()


def test_she_chooses_a_weekly_digest_the_letter_and_not_following_what_she_edits(client_for):
    ana = make_user()
    client = client_for(ana)
    page = client.get(SETTINGS).content.decode()
    assert re.search(r'value="daily"[^>]*checked', page)  # the default

    response = client.post(SETTINGS, {"frequency": "weekly", "letter": "on"})

    preference = Preference.objects.get(user=ana)
    assert response.status_code == 302
    assert (preference.frequency, preference.follow_edits) == ("weekly", False)
    assert preference.digest_sent_until is not None  # a new frequency starts from now
    assert _letter(ana)
    client.post(SETTINGS, {"frequency": "weekly", "follow_edits": "on"})
    assert not _letter(ana) and Preference.objects.get(user=ana).follow_edits


@pytest.mark.parametrize("value", ["hourly", "", "x" * 5000])
def test_a_frequency_not_offered_answers_400_with_a_clear_message(client_for, value):
    ana = make_user()
    follow(ana, LETTER_KIND, LETTER_KEY)

    response = client_for(ana).post(SETTINGS, {"frequency": value})

    assert response.status_code == 400
    assert "Choose how often you want the e-mail digest" in response.content.decode()
    assert not Preference.objects.filter(user=ana).exists() and _letter(ana)


def test_the_unsubscribe_link_asks_then_stops_the_digest():
    ana = make_user()
    url = unsubscribe_url(user_id=ana.pk, what="digest")
    path = url.removeprefix("http://127.0.0.1:8000").removeprefix("http://testserver")
    client = Client(enforce_csrf_checks=True)

    asked = client.get(path)
    assert not Preference.objects.filter(user=ana).exists()
    done = client.post(path)

    assert asked.status_code == 200 and "Unsubscribe" in asked.content.decode()
    assert done.status_code == 200 and "Done" in done.content.decode()
    assert Preference.objects.get(user=ana).frequency == "never"


def test_a_mail_clients_one_click_post_needs_no_session_and_no_csrf_token():
    ana = make_user()
    follow(ana, LETTER_KIND, LETTER_KEY)
    token = unsubscribe_token(user_id=ana.pk, what="letter")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("notifications:unsubscribe", kwargs={"token": token}),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    again = client.post(reverse("notifications:unsubscribe", kwargs={"token": token}))

    assert (response.status_code, again.status_code) == (200, 200)
    assert not _letter(ana)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.replace(":", "x", 1),
        lambda token: "not-a-token",
        lambda token: token + "x" * 3000,
    ],
)
def test_a_tampered_link_answers_400_and_changes_nothing(tamper):
    ana = make_user()
    Preference.objects.create(user=ana, frequency="daily")
    token = tamper(unsubscribe_token(user_id=ana.pk, what="digest"))
    url = reverse("notifications:unsubscribe", kwargs={"token": token})

    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert Preference.objects.get(user=ana).frequency == "daily"


def test_a_token_signed_for_something_else_is_refused():
    from django.core import signing

    ana = make_user()
    other = signing.dumps({"u": ana.pk, "w": "digest"})  # the site's key, another salt
    forged = signing.dumps(
        {"u": ana.pk, "w": "everything"}, salt="wikispiral.notifications.unsubscribe"
    )

    forged_too = signing.Signer(salt="wikispiral.notifications.unsubscribe").sign(
        f"everything.{ana.pk}"
    )

    for token in (other, forged, forged_too):
        url = reverse("notifications:unsubscribe", kwargs={"token": token})
        assert Client().post(url).status_code == 400


def test_the_network_letter_subscription_is_the_letter_follow(client_for):
    ana = make_user()
    client = client_for(ana)

    client.post(reverse("notifications:follow"), {"kind": "letter", "key": "network"})
    listed = client.get(reverse("notifications:following")).content.decode()

    assert _letter(ana) and "The network letter" in listed


def test_switching_the_digest_back_on_starts_from_now(client_for):
    ana, bruno = make_user(), make_user()
    page = make_page()
    follow(ana, "page", page.pk)
    Preference.objects.create(user=ana, frequency="never")
    before = timezone.now()

    client_for(ana).post(SETTINGS, {"frequency": "daily"})

    assert Preference.objects.get(user=ana).digest_sent_until >= before
    assert bruno  # her old changes are on the site only
