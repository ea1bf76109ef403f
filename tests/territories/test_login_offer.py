"""Anonymous on a group's address: whatever she may not see under /cg/ offers the login page,
and the login brings her back; a signed-in outsider still gets 404 (wikispiral.tenancy)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.factories import (
    DEFAULT_PASSWORD,
    make_coordination_group,
    make_criterion,
    make_user,
)
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


@pytest.fixture
def facilitator():
    return make_user(username="fac")


@pytest.fixture
def tenant(facilitator):
    return make_coordination_group(name="Mulhouse", facilitator=facilitator)


@pytest.fixture
def hidden(facilitator):
    group = make_coordination_group(name="Quiet town", facilitator=facilitator)
    group.is_hidden = True
    group.save(update_fields=["is_hidden"])
    return group


def _queue(slug: str) -> str:
    return reverse("classification:queue", kwargs={"cg": slug})


def _next_of(location: str) -> str:
    """The `next` of a redirect to the login page (and that it is the login page)."""
    parts = urlsplit(location)
    assert parts.path == LOGIN
    return parse_qs(parts.query)["next"][0]


def _log_in(client, location: str, username: str):
    """Fill the login form the redirect led to, as a person would (next in the form)."""
    form = client.get(location)
    assert form.status_code == 200
    next_url = _next_of(location)
    assert f'name="next" value="{next_url}"' in form.content.decode()
    return client.post(
        LOGIN, {"username": username, "password": DEFAULT_PASSWORD, "next": next_url}
    )


def test_anonymous_on_the_classify_page_is_offered_the_login(client, tenant):
    response = client.get(_queue(tenant.slug))

    assert response.status_code == 302
    assert _next_of(response["Location"]) == _queue(tenant.slug)


def test_the_offer_keeps_the_query_string(client, tenant):
    response = client.get(_queue(tenant.slug) + "?status=disputed&page=2")

    assert _next_of(response["Location"]) == _queue(tenant.slug) + "?status=disputed&page=2"


def test_after_login_a_facilitator_lands_back_on_the_classify_page(client, tenant):
    offer = client.get(_queue(tenant.slug))

    login = _log_in(client, offer["Location"], "fac")

    assert login.status_code == 302
    assert login["Location"] == _queue(tenant.slug)
    page = client.get(login["Location"])
    assert page.status_code == 200
    assert page.request["PATH_INFO"] == _queue(tenant.slug)


def test_after_login_an_outsider_gets_404(client, tenant):
    make_user(username="outsider")
    offer = client.get(_queue(tenant.slug))

    login = _log_in(client, offer["Location"], "outsider")

    assert login["Location"] == _queue(tenant.slug)
    assert client.get(login["Location"]).status_code == 404


def test_a_signed_in_outsider_gets_404_not_the_login(client_for, tenant):
    outsider = client_for(make_user(username="outsider"))

    assert outsider.get(_queue(tenant.slug)).status_code == 404
    assert outsider.get(_queue("no-such-group")).status_code == 404


def test_private_missing_and_hidden_answer_alike(client, tenant, hidden):
    """A private page of a visible group, of a hidden group, of no group at all, a missing
    object in a visible group and a missing homogeneous group behind a public page: one
    answer, the login offer for the address itself."""
    with cross_tenant():
        criterion = make_criterion(tenant=tenant)
    addresses = [
        _queue(tenant.slug),
        _queue(hidden.slug),
        _queue("no-such-group"),
        reverse("classification:criterion", kwargs={"cg": tenant.slug, "criterion": criterion.pk}),
        reverse("classification:criterion", kwargs={"cg": tenant.slug, "criterion": 999999}),
        reverse("classification:criterion", kwargs={"cg": "no-such-group", "criterion": 1}),
        reverse("groups:homogeneous_group", kwargs={"cg": tenant.slug, "hg": "no-such-hg"}),
        reverse("groups:homogeneous_group", kwargs={"cg": "no-such-group", "hg": "no-such-hg"}),
        reverse("directory:group", kwargs={"cg": hidden.slug}),
        reverse("directory:group", kwargs={"cg": "no-such-group"}),
    ]
    answers = {}
    for address in addresses:
        response = client.get(address)
        location = response.get("Location", "")
        answers[address] = (response.status_code, location.replace(address, "<path>"))
        assert _next_of(location) == address

    assert len(set(answers.values())) == 1, answers


def test_head_is_offered_the_login_too(client, hidden):
    """Most pages take GET only (HEAD answers 405 whatever the group); the feeds take HEAD."""
    for slug in (hidden.slug, "no-such-group"):
        feed = reverse("directory:group_feed_rss", kwargs={"cg": slug})

        response = client.head(feed)

        assert response.status_code == 302
        assert _next_of(response["Location"]) == feed


def test_an_anonymous_post_keeps_its_404(client, tenant):
    for slug in (tenant.slug, "no-such-group"):
        response = client.post(reverse("groups:edit", kwargs={"cg": slug}), {"name": "x"})

        assert response.status_code == 404
        assert "Location" not in response


def test_the_offer_is_never_cached_and_varies_on_the_cookie(client, tenant):
    response = client.get(_queue(tenant.slug))

    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_htmx_keeps_its_refusal_and_is_sent_to_the_login_then_back_to_its_page(client, tenant):
    """htmx would follow a 302 inside the page (the login form landing in the fragment's
    target): an HX-Redirect sends the whole window, and back to the page it showed."""
    page = f"http://testserver{_queue(tenant.slug)}?page=2"
    htmx = {"HX-Request": "true", "HX-Current-URL": page}

    for slug in (tenant.slug, "no-such-group"):
        response = client.get(_queue(slug) + "?partial=1", headers=htmx)

        assert response.status_code == 404
        assert "Location" not in response
        assert _next_of(response["HX-Redirect"]) == _queue(tenant.slug) + "?page=2"
        assert "no-cache" in response["Cache-Control"]


def test_an_htmx_post_after_the_session_expired_keeps_its_404_and_goes_to_the_login(client, tenant):
    """A facilitator classifying when her session expires: the click answers 404 (nothing
    saved) with an HX-Redirect to the login, which brings her back to the queue."""
    with cross_tenant():
        criterion = make_criterion(tenant=tenant)
    classify = reverse(
        "classification:classify", kwargs={"cg": tenant.slug, "criterion": criterion.pk}
    )

    response = client.post(
        classify,
        {"component": "A01"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{_queue(tenant.slug)}"},
    )

    assert response.status_code == 404
    assert _next_of(response["HX-Redirect"]) == _queue(tenant.slug)
    with cross_tenant():
        criterion.refresh_from_db()
    assert criterion.component_id is None


def test_htmx_ignores_a_current_url_of_another_site(client, tenant):
    response = client.get(
        _queue("no-such-group"),
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/steal"},
    )

    assert _next_of(response["HX-Redirect"]) == _queue("no-such-group")


def test_what_an_anonymous_visitor_may_see_is_unchanged(client, tenant):
    assert client.get(reverse("directory:group", kwargs={"cg": tenant.slug})).status_code == 200


def test_what_no_address_holds_never_answers_500(client):
    """A NUL is refused before anyone is known (wikispiral.edge): 404 for everyone alike; an
    over-long slug is one more group that does not exist."""
    client.raise_request_exception = False

    for address in ("/cg/%00/classify/", "/cg/x/%00/"):
        assert client.get(address).status_code == 404
    response = client.get(f"/cg/{'x' * 10_000}/classify/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=/cg/xxx")


def test_a_missing_address_outside_groups_keeps_its_404(client):
    assert client.get("/no-such-place/").status_code == 404


def test_cookies_set_on_the_refusal_travel_with_the_offer(rf):
    """The offer replaces the refusal after the inner middlewares wrote their cookies (the
    session's, CSRF's, the language's): they must not be lost with it."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponseNotFound

    from wikispiral.tenancy import login_offer

    request = rf.get("/cg/somewhere/classify/")
    request.user = AnonymousUser()
    refusal = HttpResponseNotFound("no")
    refusal.set_cookie("django_language", "pt")
    offer = login_offer(request, refusal)
    assert offer.status_code == 302
    assert offer.cookies["django_language"].value == "pt"
