"""The secretariat's queue of applications and their detail pages: staff only, filterable
without JavaScript, swapped by htmx, with a bounded number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from territories.applications import services
from territories.applications.views import QUEUE_PAGE_SIZE
from territories.models import Application, ApplicationComment, CoordinationGroup
from tests.factories import make_application, make_coordination_group, make_country, make_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("applications:queue")
# The user, the countries of the filter, the counts per status, the page count, the page rows
# (sessions live in the cache).
QUEUE_QUERIES = 5


def _secretariat_urls(pk: int) -> dict[str, str]:
    return {
        "queue": QUEUE,
        "detail": reverse("applications:detail", kwargs={"pk": pk}),
        "comment": reverse("applications:comment", kwargs={"pk": pk}),
        "request_changes": reverse("applications:request_changes", kwargs={"pk": pk}),
        "approve": reverse("applications:approve", kwargs={"pk": pk}),
        "reject": reverse("applications:reject", kwargs={"pk": pk}),
    }


def _age(application: Application, days: int) -> Application:
    Application.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - timedelta(days=days)
    )
    return application


def _names(response) -> list[str]:
    return [application.name for application in response.context["page"].object_list]


# --- Who may see it -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_log_in_from_every_secretariat_url(client, method):
    application = make_application()

    for name, url in _secretariat_urls(application.pk).items():
        response = getattr(client, method)(url, {"reason": "x", "message": "x", "body": "x"})
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


@pytest.mark.parametrize("method", ["get", "post"])
def test_everyone_but_the_secretariat_gets_404_on_every_secretariat_url(client_for, method):
    application = make_application()
    facilitator = make_user()
    make_coordination_group(facilitator=facilitator)

    for person in (make_user(), facilitator):
        client = client_for(person)
        for name, url in _secretariat_urls(application.pk).items():
            response = getattr(client, method)(url, {"reason": "x", "message": "x", "body": "x"})
            assert response.status_code == 404, name
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not ApplicationComment.objects.exists()
    assert CoordinationGroup.objects.count() == 1


def test_unknown_application_is_404_for_the_secretariat(client_for, secretariat_user):
    client = client_for(secretariat_user)

    assert client.get(reverse("applications:detail", kwargs={"pk": 999})).status_code == 404
    assert client.post(reverse("applications:approve", kwargs={"pk": 999})).status_code == 404


def test_actions_are_post_only(client_for, secretariat_user):
    application = make_application()
    client = client_for(secretariat_user)

    for name in ("comment", "request_changes", "approve", "reject"):
        url = _secretariat_urls(application.pk)[name]
        assert client.get(url).status_code == 405, name


# --- The queue ----------------------------------------------------------------------------------


def test_queue_shows_applications_awaiting_action_newest_first_by_default(
    client_for, secretariat_user
):
    _age(make_application(name="Older"), 3)
    make_application(name="Newer")
    make_application(name="Sent back", status=Application.Status.CHANGES_REQUESTED)
    make_application(name="Refused", status=Application.Status.REJECTED)

    response = client_for(secretariat_user).get(QUEUE)

    assert response.status_code == 200
    assert _names(response) == ["Newer", "Older"]
    html = response.content.decode()
    newer = Application.objects.get(name="Newer")
    assert reverse("applications:detail", kwargs={"pk": newer.pk}) in html
    tabs = {value: count for value, _label, count in response.context["status_tabs"]}
    assert tabs == {"submitted": 2, "changes": 1, "approved": 0, "rejected": 1}
    assert response.context["total"] == 4


def test_queue_filters_by_status_country_type_and_text(client_for, secretariat_user):
    portugal = make_country(code="PT", name="Portugal")
    make_application(name="Braga", country=portugal)
    make_application(name="Mulhouse", applicant_name="Claire Martin")
    make_application(name="Lycée Jean Moulin", kind=CoordinationGroup.Kind.COLLECTIVE_ACTOR)
    make_application(name="Wattrelos", status=Application.Status.REJECTED)
    client = client_for(secretariat_user)

    assert _names(client.get(QUEUE, {"country": "PT"})) == ["Braga"]
    assert _names(client.get(QUEUE, {"kind": "collective_actor"})) == ["Lycée Jean Moulin"]
    assert _names(client.get(QUEUE, {"q": "claire"})) == ["Mulhouse"]
    assert _names(client.get(QUEUE, {"q": "wattrelos"})) == []
    assert _names(client.get(QUEUE, {"q": "wattrelos", "status": "rejected"})) == ["Wattrelos"]
    assert len(_names(client.get(QUEUE, {"status": "all"}))) == 4
    # Counts follow the other filters.
    tabs = client.get(QUEUE, {"country": "FR"}).context["status_tabs"]
    assert {value: count for value, _label, count in tabs}["submitted"] == 2


def test_queue_sorts_by_date_either_way_or_by_name(client_for, secretariat_user):
    _age(make_application(name="beta"), 1)
    _age(make_application(name="Alpha"), 2)
    make_application(name="Gamma")
    client = client_for(secretariat_user)

    assert _names(client.get(QUEUE, {"sort": "newest"})) == ["Gamma", "beta", "Alpha"]
    assert _names(client.get(QUEUE, {"sort": "oldest"})) == ["Alpha", "beta", "Gamma"]
    assert _names(client.get(QUEUE, {"sort": "name"})) == ["Alpha", "beta", "Gamma"]


def test_queue_is_paginated_with_links_that_keep_the_filters(client_for, secretariat_user):
    for number in range(QUEUE_PAGE_SIZE + 2):
        make_application(name=f"Town {number:02d}")
    client = client_for(secretariat_user)

    first = client.get(QUEUE, {"sort": "name"})
    second = client.get(QUEUE, {"sort": "name", "page": "2"})
    nonsense = client.get(QUEUE, {"sort": "name", "page": "abc"})

    assert len(_names(first)) == QUEUE_PAGE_SIZE
    assert _names(second) == [f"Town {QUEUE_PAGE_SIZE:02d}", f"Town {QUEUE_PAGE_SIZE + 1:02d}"]
    assert 'href="?sort=name&amp;page=2"' in first.content.decode()
    assert nonsense.status_code == 200 and _names(nonsense) == _names(first)


def test_invalid_filters_answer_400_with_a_message(client_for, secretariat_user):
    make_application()

    response = client_for(secretariat_user).get(QUEUE, {"status": "bogus", "sort": "sideways"})

    assert response.status_code == 400
    assert b"These filters are not valid" in response.content
    assert b'id="id_status_error"' in response.content


def test_queue_works_without_javascript_and_htmx_gets_only_the_results(
    client_for, secretariat_user
):
    make_application(name="Mulhouse")
    client = client_for(secretariat_user)

    page = client.get(QUEUE, {"q": "mul"})
    fragment = client.get(QUEUE, {"q": "mul"}, headers={"HX-Request": "true"})

    html = page.content.decode()
    assert '<form method="get" action="/secretariat/applications/"' in html
    assert 'hx-get="/secretariat/applications/"' in html
    assert "<script>" not in html and "style=" not in html
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="queue-results">')
    assert "Mulhouse" in body
    assert "<html" not in body
    for response in (page, fragment):
        assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("count", [3, 30])
def test_queue_query_count_does_not_grow_with_applications(
    client_for, secretariat_user, django_assert_num_queries, count
):
    portugal = make_country(code="PT", name="Portugal")
    for number in range(count):
        make_application(country=portugal if number % 2 else make_country())
    client = client_for(secretariat_user)

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(QUEUE, {"status": "all", "sort": "name"})
    assert response.status_code == 200


# --- The detail page ----------------------------------------------------------------------------


def test_detail_shows_every_field_and_the_timeline_in_order(client_for, secretariat_user):
    application = make_application(
        name="Mulhouse",
        actor_type="Municipality",
        place="Bourtzwiller",
        stakeholders="Social centre",
        applicant_role="Deputy mayor",
    )
    services.application_comment_add(
        application=application, actor=secretariat_user, body="Call them first."
    )
    services.application_request_changes(
        application=application, actor=secretariat_user, message="Describe the process."
    )

    response = client_for(secretariat_user).get(
        reverse("applications:detail", kwargs={"pk": application.pk})
    )

    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Mulhouse",
        "Municipality",
        "Bourtzwiller",
        "Social centre",
        "Deputy mayor",
        application.applicant_email,
        application.description,
        application.motivation,
    ):
        assert text in html, text
    items = [item.label for item in response.context["timeline"]]
    assert items == [
        "Internal comment",
        "Changes requested from the applicant",
    ]
    assert html.index("Call them first.") < html.rindex("Describe the process.")
    assert "<script>" not in html and "style=" not in html
    for action in ("approve", "request_changes", "reject", "comment"):
        assert reverse(f"applications:{action}", kwargs={"pk": application.pk}) in html


def test_detail_of_a_decided_application_offers_no_decision(client_for, secretariat_user):
    application = make_application(status=Application.Status.REJECTED, decision_message="No.")

    html = (
        client_for(secretariat_user)
        .get(reverse("applications:detail", kwargs={"pk": application.pk}))
        .content.decode()
    )

    assert reverse("applications:approve", kwargs={"pk": application.pk}) not in html
    assert reverse("applications:reject", kwargs={"pk": application.pk}) not in html
    assert reverse("applications:comment", kwargs={"pk": application.pk}) in html
