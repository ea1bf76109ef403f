"""Joining the project, and who writes for a participant."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from projects import services
from projects.models import Participant, ParticipantMember
from tests.factories import make_coordination_group, make_country, make_user
from wikispiral.wiki.models import Page

pytestmark = pytest.mark.django_db


def _join(client, **data):
    form = {"kind": "citizen", "subtype": "family", "name": "The Martins", "people": "4"}
    form.update(data)
    return client.post(reverse("projects:join"), form)


def test_a_citizen_joins_and_gets_a_page_of_their_own(client):
    user = make_user()
    client.force_login(user)

    response = _join(client)

    participant = Participant.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:participant", args=[participant.slug])
    assert (participant.kind, participant.subtype, participant.people) == ("citizen", "family", 4)
    assert ParticipantMember.objects.get(participant=participant).user == user
    home = Page.objects.get(space=participant.space, slug="home")
    assert "The Martins" in home.current_revision.body
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Record a choice" in page.content.decode()


def test_anonymous_visitors_are_sent_to_log_in_before_joining(client):
    response = client.get(reverse("projects:join"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_an_unconfirmed_address_cannot_join(client):
    client.force_login(make_user(confirmed=False))
    assert _join(client).status_code == 403
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "  "}, "This field is required."),
        ({"subtype": "school"}, "This type does not go with this kind of participant."),
        ({"subtype": "individual", "people": "3"}, "An individual speaks for one person"),
        ({"people": "5000"}, "between 1 and 30"),
        ({"people": "0"}, "greater than or equal to 1"),
        ({"kind": "territory", "subtype": "local_platform"}, "Say in which country"),
        ({"subtype": "household"}, "Select a valid choice"),
    ],
)
def test_bad_answers_to_join_are_refused_with_a_message_and_nothing_saved(client, data, message):
    client.force_login(make_user())

    response = _join(client, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Participant.objects.exists()


class _FormDefaults(HTMLParser):
    """What a browser without JavaScript sends when a form is submitted untouched: checked
    radios, text inputs' values, each select's selected (else first) option; and the legends."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.legends: list[str] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._in_legend = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        name = attr.get("name", "")
        if tag == "input" and name:
            if attr.get("type") in ("radio", "checkbox"):
                if "checked" in attr:
                    self.values[name] = attr.get("value", "on")
            elif attr.get("type") != "submit":
                self.values[name] = attr.get("value", "")
        elif tag == "select":
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = attr.get("value", "")
            if "selected" in attr:
                self.values[self._select] = attr.get("value", "")
        elif tag == "legend":
            self._in_legend = True
            self.legends.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            self.values.setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "legend":
            self._in_legend = False

    def handle_data(self, data: str) -> None:
        if self._in_legend:
            self.legends[-1] += data.strip()


def _join_form(client) -> _FormDefaults:
    page = client.get(reverse("projects:join"))
    assert page.status_code == 200
    html = page.content.decode()
    form = _FormDefaults()
    form.feed(html[html.index('<form method="post" action="/right-choices/join/"') :])
    return form


def test_the_join_form_groups_the_sub_types_by_kind_and_preselects_the_first(client):
    client.force_login(make_user())

    form = _join_form(client)

    assert form.legends[:4] == [
        "You join as",
        "Citizen",
        "Collective actor",
        "Territorial entity",
    ]
    assert form.values["subtype"] == "individual"
    assert "kind" not in form.values  # the sub-type chosen says the kind


def test_the_join_form_sent_as_it_comes_without_javascript_is_accepted(client):
    user = make_user()
    client.force_login(user)
    form = _join_form(client)

    response = client.post(reverse("projects:join"), {**form.values, "name": "Ana"})

    participant = Participant.objects.get()
    assert response.status_code == 302
    assert (participant.kind, participant.subtype, participant.people) == (
        "citizen",
        "individual",
        1,
    )
    assert ParticipantMember.objects.get(participant=participant).user == user


@pytest.mark.parametrize(
    ("subtype", "kind"),
    [
        ("place_of_life", "citizen"),
        ("group", "citizen"),
        ("school", "collective"),
        ("public_body", "collective"),
    ],
)
def test_the_sub_type_chosen_says_the_kind(client, subtype, kind):
    client.force_login(make_user())
    form = _join_form(client)

    response = client.post(
        reverse("projects:join"), {**form.values, "subtype": subtype, "name": "Ours"}
    )

    assert response.status_code == 302
    assert (Participant.objects.get().kind, Participant.objects.get().subtype) == (kind, subtype)


@pytest.mark.parametrize(("kind", "subtype"), [("citizen", "school"), ("collective", "family")])
def test_a_sub_type_of_another_kind_is_refused_with_a_message_and_nothing_saved(
    client, kind, subtype
):
    client.force_login(make_user())

    response = _join(client, kind=kind, subtype=subtype)

    assert response.status_code == 400
    html = response.content.decode()
    assert "This type does not go with this kind of participant." in html
    assert 'role="alert"' in html
    assert not Participant.objects.exists()


def test_a_territory_joins_through_the_group_its_user_facilitates_once():
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)

    joined = services.participant_join(
        actor=facilitator,
        kind="territory",
        subtype="local_platform",
        name=group.name,
        people=12000,
        coordination_group=group,
    )

    assert joined.country == group.country
    with pytest.raises(services.ProjectError, match="joined already"):
        services.participant_join(
            actor=facilitator,
            kind="territory",
            subtype="local_platform",
            name="Again",
            coordination_group=group,
        )


def test_only_a_facilitator_can_make_a_coordination_group_join():
    group = make_coordination_group()
    with pytest.raises(services.ProjectError, match="Only a facilitator"):
        services.participant_join(
            actor=make_user(),
            kind="territory",
            subtype="local_platform",
            name="Not mine",
            coordination_group=group,
        )
    assert not Participant.objects.exists()


def test_two_participants_of_the_same_name_get_two_addresses():
    user = make_user()
    country = make_country()
    first = services.participant_join(
        actor=user, kind="citizen", subtype="individual", name="Ana", country=country
    )
    second = services.participant_join(actor=user, kind="citizen", subtype="individual", name="Ana")
    assert first.slug != second.slug
    assert first.space.slug == first.slug


def test_the_managers_of_a_participant_edit_its_wiki_pages_and_others_do_not(client):
    manager, other = make_user(), make_user()
    participant = services.participant_join(
        actor=manager, kind="collective", subtype="school", name="École Jules Ferry", people=300
    )
    edit = reverse("wiki:edit", args=[participant.space.slug, "en", "home"])

    client.force_login(manager)
    assert client.get(edit).status_code == 200
    client.force_login(other)
    assert client.get(edit).status_code in (403, 404)


def test_a_territory_of_a_hidden_coordination_group_is_hidden_with_it(client):
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)
    participant = services.participant_join(
        actor=facilitator,
        kind="territory",
        subtype="local_platform",
        name=group.name,
        coordination_group=group,
    )
    url = reverse("projects:participant", args=[participant.slug])
    assert client.get(url).status_code == 200

    group.is_hidden = True
    group.save(update_fields=["is_hidden"])

    assert client.get(url).status_code == 404


def test_hiding_a_coordination_group_hides_its_territorys_wiki_space_and_showing_it_back():
    from territories.secretariat.services import coordination_group_hide, coordination_group_unhide

    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)
    participant = services.participant_join(
        actor=facilitator,
        kind="territory",
        subtype="local_platform",
        name=group.name,
        coordination_group=group,
    )
    secretariat = make_user(secretariat=True)

    coordination_group_hide(group=group, actor=secretariat, reason="Spam")
    participant.space.refresh_from_db()
    assert participant.space.is_public is False

    coordination_group_unhide(group=group, actor=secretariat)
    participant.space.refresh_from_db()
    assert participant.space.is_public is True


def test_a_manager_lets_a_family_member_write_and_keeps_the_last_manager(client):
    manager = make_user()
    partner = make_user(username="rui", email="rui@example.org")
    household = services.participant_join(
        actor=manager, kind="citizen", subtype="family", name="Ana and Rui", people=2
    )
    url = reverse("projects:participant_members", args=[household.slug])
    client.force_login(manager)

    added = client.post(url, {"identifier": "RUI@example.org", "role": "member"})
    again = client.post(url, {"identifier": "rui", "role": "member"})
    unknown = client.post(url, {"identifier": "nobody", "role": "member"})
    last = client.post(
        reverse("projects:participant_member_remove", args=[household.slug, manager.pk])
    )

    assert added.status_code == 302
    assert again.status_code == 400 and "already writes for" in again.content.decode()
    assert unknown.status_code == 400 and "Nobody has an account" in unknown.content.decode()
    assert last.status_code == 400 and "at least one manager" in last.content.decode()
    # The new member records a choice, but does not manage who writes.
    client.force_login(partner)
    new_choice = reverse("projects:choice_new", args=[household.slug])
    assert client.get(new_choice).status_code == 200
    assert client.get(url).status_code == 404
    client.force_login(manager)
    removed = client.post(
        reverse("projects:participant_member_remove", args=[household.slug, partner.pk])
    )
    assert removed.status_code == 302
    assert not ParticipantMember.objects.filter(participant=household, user=partner).exists()
