"""The secretariat validates, hides and shows again coordination groups; only it may."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse

from territories.models import CoordinationGroup, Membership, NetworkMember, Profile
from territories.services import membership_set
from tests.factories import make_application, make_coordination_group, make_country, make_user
from wikispiral.audit.models import AuditEntry
from wikispiral.mail import mail_send_on_commit

pytestmark = pytest.mark.django_db

CITIZENS = CoordinationGroup.Kind.CITIZENS_GROUP


@pytest.fixture
def secretary(client_for):
    return client_for(make_user(secretariat=True))


def _citizens_group(**extra):
    if "facilitator" not in extra:
        extra["facilitator"] = make_user()
    return make_coordination_group(kind=CITIZENS, **extra)


def _url(name: str, group: CoordinationGroup) -> str:
    return reverse(f"secretariat:{name}", kwargs={"cg": group.slug})


def _home_page_url(group: CoordinationGroup) -> str:
    return reverse("wiki:page", kwargs={"space": group.space.slug, "lang": "en", "slug": "home"})


# --- Who may enter ------------------------------------------------------------------------------


def _secretariat_urls() -> list[tuple[str, str]]:
    """Every secretariat URL, with the method that acts (the public directory excepted)."""
    group = make_coordination_group()
    profile = Profile.objects.create(slug="access-test", name="Access test")
    member = NetworkMember.objects.create(
        kind=NetworkMember.Kind.ASSOCIATE,
        nature=NetworkMember.Nature.PERSON,
        name="Someone",
        joined_on=datetime.date(2024, 1, 1),
    )
    by_group = {"cg": group.slug}
    urls = [
        ("get", reverse("secretariat:dashboard")),
        ("get", reverse("secretariat:groups")),
        ("get", reverse("secretariat:group", kwargs=by_group)),
        ("post", reverse("secretariat:group_validate", kwargs=by_group)),
        ("post", reverse("secretariat:group_hide", kwargs=by_group)),
        ("post", reverse("secretariat:group_unhide", kwargs=by_group)),
        ("get", reverse("secretariat:geography")),
        ("post", reverse("secretariat:geography")),
        ("post", reverse("secretariat:geography_import")),
        ("get", reverse("secretariat:geography_template")),
        ("get", reverse("secretariat:profiles")),
        ("get", reverse("secretariat:profile_new")),
        ("post", reverse("secretariat:profile_new")),
        ("get", reverse("secretariat:profile_edit", kwargs={"pk": profile.pk})),
        ("post", reverse("secretariat:profile_edit", kwargs={"pk": profile.pk})),
        ("get", reverse("secretariat:member_new")),
        ("post", reverse("secretariat:member_new")),
        ("get", reverse("secretariat:member_edit", kwargs={"pk": member.pk})),
        ("post", reverse("secretariat:member_edit", kwargs={"pk": member.pk})),
        ("get", reverse("secretariat:audit")),
    ]
    return urls


def test_members_of_groups_get_404_on_every_secretariat_url_get_and_post(client_for):
    facilitator = make_user()
    make_coordination_group(facilitator=facilitator)
    client = client_for(facilitator)
    urls = _secretariat_urls()

    answers = {}
    for method, url in urls:
        answers[(method, url)] = getattr(client, method)(url, {"reason": "x"}).status_code
        answers[("get" if method == "post" else "post", url)] = (
            client.post(url, {"reason": "x"}) if method == "get" else client.get(url)
        ).status_code

    assert answers == dict.fromkeys(answers, 404)
    assert not CoordinationGroup.objects.filter(is_hidden=True).exists()
    assert not AuditEntry.objects.exclude(action="territories.coordination_group.created").exists()


def test_anonymous_visitors_are_sent_to_log_in_on_every_secretariat_url(client):
    for method, url in _secretariat_urls():
        response = getattr(client, method)(url, {"reason": "x"})

        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_secretariat_link_appears_in_the_menu_for_staff_only(client_for):
    staff_page = client_for(make_user(secretariat=True)).get(reverse("secretariat:dashboard"))
    other_page = client_for(make_user()).get(reverse("secretariat:members"))

    assert reverse("secretariat:dashboard") in staff_page.content.decode()
    assert f'href="{reverse("secretariat:dashboard")}"' not in other_page.content.decode()


# --- Dashboard ----------------------------------------------------------------------------------


def test_dashboard_counts_what_waits_and_links_to_it(secretary):
    make_application()
    _citizens_group()
    _citizens_group()
    make_coordination_group(status=CoordinationGroup.Status.VALIDATED)
    make_coordination_group(is_hidden=True, hidden_reason="Spam")

    response = secretary.get(reverse("secretariat:dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "1 application awaiting action" in html
    assert "2 groups awaiting validation" in html
    assert "1 hidden group" in html
    assert reverse("applications:queue") in html
    assert "territories.coordination_group.created" in html


def test_dashboard_query_count_is_fixed(secretary, django_assert_max_num_queries):
    for _number in range(15):
        _citizens_group()

    with django_assert_max_num_queries(4):
        response = secretary.get(reverse("secretariat:dashboard"))

    assert response.status_code == 200


# --- The list -----------------------------------------------------------------------------------


def test_list_shows_groups_awaiting_validation_by_default(secretary):
    waiting = _citizens_group(name="Waiting citizens")
    make_coordination_group(name="Validated one", status=CoordinationGroup.Status.VALIDATED)
    make_coordination_group(name="Hidden one", is_hidden=True, hidden_reason="Spam")

    html = secretary.get(reverse("secretariat:groups")).content.decode()

    assert waiting.name in html
    assert "Validated one" not in html
    assert "Hidden one" not in html


def test_list_filters_by_state_kind_country_and_name(secretary):
    cape_verde = make_country(code="CV", name="Cape Verde", continent="AF")
    make_coordination_group(name="Praia citizens", kind=CITIZENS, country=cape_verde)
    make_coordination_group(name="Praia town", country=cape_verde)
    make_coordination_group(name="Mulhouse citizens", kind=CITIZENS)
    make_coordination_group(name="Hidden Praia", kind=CITIZENS, country=cape_verde, is_hidden=True)

    filtered = secretary.get(
        reverse("secretariat:groups"),
        {"state": "all", "kind": CITIZENS, "country": "CV", "q": "praia"},
    ).content.decode()
    hidden = secretary.get(reverse("secretariat:groups"), {"state": "hidden"}).content.decode()

    assert "Praia citizens" in filtered and "Hidden Praia" in filtered
    assert "Praia town" not in filtered and "Mulhouse citizens" not in filtered
    assert "Hidden Praia" in hidden and "Praia citizens" not in hidden


def test_an_unknown_filter_value_answers_400_with_a_message(secretary):
    response = secretary.get(reverse("secretariat:groups"), {"kind": "martians"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_group_list_query_count_does_not_grow_with_groups(secretary, django_assert_max_num_queries):
    for number in range(30):
        make_coordination_group(name=f"Group {number:02}", country=make_country())

    with django_assert_max_num_queries(5):
        response = secretary.get(reverse("secretariat:groups"), {"state": "all"})

    assert response.status_code == 200
    assert "Group 00" in response.content.decode()
    assert (
        secretary.get(reverse("secretariat:groups"), {"state": "all", "page": 2}).status_code == 200
    )


# --- Validate -----------------------------------------------------------------------------------


def test_validating_a_group_records_it_and_mails_its_facilitators(
    secretary, mailoutbox, django_capture_on_commit_callbacks
):
    group = _citizens_group(facilitator=make_user(email="facilitator@example.org"))
    second = make_user(email="second@example.org", preferred_language="fr")
    membership_set(group=group, user=second, role=Membership.Role.FACILITATOR)
    membership_set(group=group, user=make_user(), role=Membership.Role.EDITOR)

    with django_capture_on_commit_callbacks(execute=True):
        response = secretary.post(_url("group_validate", group), {"reason": "Welcome!"})

    group.refresh_from_db()
    entry = AuditEntry.objects.get(action="territories.coordination_group.validated")
    assert response.status_code == 302
    assert group.status == CoordinationGroup.Status.VALIDATED
    assert (entry.tenant_id, entry.target_id, entry.data) == (
        group.pk,
        str(group.pk),
        {"reason": "Welcome!"},
    )
    assert sorted(m.to[0] for m in mailoutbox) == ["facilitator@example.org", "second@example.org"]
    assert all(group.name in m.subject and "Welcome!" in m.body for m in mailoutbox)


def test_each_facilitator_is_mailed_in_their_own_language(secretary):
    group = _citizens_group(facilitator=make_user(preferred_language="pt"))
    membership_set(
        group=group, user=make_user(preferred_language="fr"), role=Membership.Role.FACILITATOR
    )

    with mock.patch(
        "territories.secretariat.services.mail_send_on_commit", wraps=mail_send_on_commit
    ) as sent:
        secretary.post(_url("group_hide", group), {"reason": "Spam"})

    assert sorted(call.kwargs["language"] for call in sent.call_args_list) == ["fr", "pt"]
    assert {call.kwargs["template"] for call in sent.call_args_list} == {
        "secretariat/email/group_hidden"
    }


def test_validating_twice_is_harmless(secretary, mailoutbox, django_capture_on_commit_callbacks):
    group = _citizens_group()

    with django_capture_on_commit_callbacks(execute=True):
        first = secretary.post(_url("group_validate", group))
        second = secretary.post(_url("group_validate", group))

    assert (first.status_code, second.status_code) == (302, 302)
    assert AuditEntry.objects.filter(action="territories.coordination_group.validated").count() == 1
    assert len(mailoutbox) == 1


def test_an_archived_group_cannot_be_validated(secretary, mailoutbox):
    group = _citizens_group(status=CoordinationGroup.Status.ARCHIVED)

    response = secretary.post(_url("group_validate", group))

    group.refresh_from_db()
    assert response.status_code == 400
    assert "archived" in response.content.decode()
    assert group.status == CoordinationGroup.Status.ARCHIVED
    assert mailoutbox == []


def test_unknown_group_answers_404(secretary):
    assert (
        secretary.post(reverse("secretariat:group_validate", kwargs={"cg": "nope"})).status_code
        == 404
    )
    assert secretary.get(reverse("secretariat:group", kwargs={"cg": "nope"})).status_code == 404


# --- Hide and show again ------------------------------------------------------------------------


def test_hiding_makes_the_space_private_and_showing_again_makes_it_public(
    secretary, client, mailoutbox, django_capture_on_commit_callbacks
):
    group = _citizens_group(facilitator=make_user(email="facilitator@example.org"))
    space_home = reverse("wiki:space_home", kwargs={"space": group.space.slug})
    # Read once anonymously first, so a cached copy of the page exists and must be retired.
    assert client.get(_home_page_url(group)).status_code == 200
    assert client.get(space_home).status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        hidden = secretary.post(_url("group_hide", group), {"reason": "Advertising only."})
    group.refresh_from_db()
    group.space.refresh_from_db()
    while_hidden = (
        client.get(space_home).status_code,
        client.get(_home_page_url(group)).status_code,
    )

    with django_capture_on_commit_callbacks(execute=True):
        shown = secretary.post(_url("group_unhide", group))
    group.refresh_from_db()
    group.space.refresh_from_db()

    assert (hidden.status_code, shown.status_code) == (302, 302)
    assert while_hidden == (404, 404)
    assert (group.is_hidden, group.hidden_reason, group.space.is_public) == (False, "", True)
    assert client.get(space_home).status_code == 302
    assert client.get(_home_page_url(group)).status_code == 200
    assert list(
        AuditEntry.objects.filter(target_id=str(group.pk))
        .order_by("pk")
        .values_list("action", "data")
    ) == [
        ("territories.coordination_group.created", {"network_id": group.network_id}),
        ("territories.coordination_group.hidden", {"reason": "Advertising only."}),
        ("territories.coordination_group.unhidden", {"reason": ""}),
    ]
    assert [m.to for m in mailoutbox] == [["facilitator@example.org"]] * 2
    assert "Advertising only." in mailoutbox[0].body


def test_a_hidden_groups_members_still_see_its_space(secretary, client_for):
    facilitator = make_user()
    group = _citizens_group(facilitator=facilitator)

    secretary.post(_url("group_hide", group), {"reason": "Spam"})

    assert client_for(facilitator).get(_home_page_url(group)).status_code == 200


def test_hiding_without_a_reason_answers_400_and_changes_nothing(secretary, mailoutbox):
    group = _citizens_group()

    responses = [
        secretary.post(_url("group_hide", group), {"reason": "   "}),
        secretary.post(_url("group_hide", group)),
    ]

    group.refresh_from_db()
    group.space.refresh_from_db()
    assert [r.status_code for r in responses] == [400, 400]
    assert "Give the reason" in responses[0].content.decode()
    assert (group.is_hidden, group.space.is_public) == (False, True)
    assert not AuditEntry.objects.filter(action="territories.coordination_group.hidden").exists()
    assert mailoutbox == []


def test_hiding_twice_or_showing_a_visible_group_changes_nothing(
    secretary, mailoutbox, django_capture_on_commit_callbacks
):
    group = _citizens_group()

    with django_capture_on_commit_callbacks(execute=True):
        secretary.post(_url("group_hide", group), {"reason": "First"})
        again = secretary.post(_url("group_hide", group), {"reason": "Second"})
        other = _citizens_group()
        shown = secretary.post(_url("group_unhide", other))

    group.refresh_from_db()
    assert (again.status_code, shown.status_code) == (302, 302)
    assert group.hidden_reason == "First"
    assert (
        AuditEntry.objects.filter(action__startswith="territories.coordination_group.h").count()
        == 1
    )
    assert not AuditEntry.objects.filter(action="territories.coordination_group.unhidden").exists()
    assert len(mailoutbox) == 1


def test_group_page_shows_its_moderation_history(secretary):
    group = _citizens_group()
    secretary.post(_url("group_hide", group), {"reason": "Off-topic content"})

    response = secretary.get(_url("group", group))

    html = response.content.decode()
    assert response.status_code == 200
    assert "territories.coordination_group.hidden" in html
    assert "Off-topic content" in html
    assert _url("group_unhide", group) in html


def test_hidden_groups_leave_the_public_member_directory(secretary, client):
    group = _citizens_group(name="Citizens of Praia")
    NetworkMember.objects.create(
        kind=NetworkMember.Kind.FULL,
        nature=NetworkMember.Nature.COORDINATION_GROUP,
        name=group.name,
        coordination_group=group,
        joined_on=datetime.date(2024, 1, 1),
    )
    assert group.name in client.get(reverse("secretariat:members")).content.decode()

    secretary.post(_url("group_hide", group), {"reason": "Spam"})

    assert group.name not in client.get(reverse("secretariat:members")).content.decode()
