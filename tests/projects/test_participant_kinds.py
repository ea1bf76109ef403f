"""Who takes part, by the network's own list: citizens (an individual, a family, people sharing
a place of life, a group), collective actors (a company, a school, an association, a public
body, another actor) and territorial entities (a municipality, a local platform), which join
through the coordination group they speak for or on their own."""

import pytest
from django.urls import reverse

from projects import services, summaries
from projects.models import Participant
from projects.services import SUBTYPES
from tests.factories import make_coordination_group, make_country, make_user

pytestmark = pytest.mark.django_db

NETWORK_LIST = {
    "citizen": ["individual", "family", "place_of_life", "group"],
    "collective": ["company", "school", "association", "public_body", "other_actor"],
    "territory": ["municipality", "local_platform"],
}


def test_the_sub_types_are_the_networks_list():
    assert {kind: [str(s) for s in subtypes] for kind, subtypes in SUBTYPES.items()} == (
        NETWORK_LIST
    )


def test_the_join_form_offers_the_networks_list_grouped_by_kind(client):
    client.force_login(make_user())
    html = client.get(reverse("projects:join")).content.decode()

    offered = [
        value for kind in NETWORK_LIST.values() for value in kind if f'value="{value}"' in html
    ]
    assert offered == [value for kind in NETWORK_LIST.values() for value in kind]
    for label in (
        "An individual",
        "A family",
        "People sharing a place of life",
        "A group of citizens",
        "A company",
        "A municipality",
        "A local platform",
    ):
        assert label in html
    positions = [
        html.index(f'value="{value}"') for kinds in NETWORK_LIST.values() for value in kinds
    ]
    assert positions == sorted(positions)  # in the network's order


@pytest.mark.parametrize(
    ("kind", "subtype"), [(kind, s) for kind, values in NETWORK_LIST.items() for s in values]
)
def test_every_type_joins_as_its_kind_and_shows_on_its_page(client, kind, subtype):
    client.force_login(make_user())
    country = make_country()

    response = client.post(
        reverse("projects:join"),
        {"subtype": subtype, "name": "Ours", "people": "1", "country": country.pk},
    )

    assert response.status_code == 302
    participant = Participant.objects.get()
    assert (participant.kind, participant.subtype) == (kind, subtype)
    page = client.get(response["Location"]).content.decode()
    assert str(participant.get_subtype_display()) in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "territory", "subtype": "family"}, "This type does not go with this kind"),
        ({"kind": "citizen", "subtype": "municipality"}, "This type does not go with this kind"),
        ({"subtype": "person"}, "Select a valid choice"),  # the old names are no more
        ({"subtype": "coordination_group"}, "Select a valid choice"),
        ({"subtype": "individual", "people": "2"}, "An individual speaks for one person"),
        ({"subtype": "place_of_life", "people": "1001"}, "between 1 and 1,000"),
        ({"subtype": "family", "people": "31"}, "between 1 and 30"),
        ({"subtype": "municipality", "country": ""}, "Say in which country the territory is."),
    ],
)
def test_a_type_that_does_not_fit_is_refused_with_a_message_and_nothing_saved(
    client, data, message
):
    client.force_login(make_user())
    form = {"name": "Ours", "people": "1", "country": make_country().pk} | data

    response = client.post(reverse("projects:join"), form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Participant.objects.exists()


def test_a_municipality_joins_on_its_own_in_its_country_and_may_move_it():
    user = make_user()
    france = make_country()

    town = services.participant_join(
        actor=user,
        kind="territory",
        subtype="municipality",
        name="Lutterbach",
        people=6500,
        country=france,
    )

    assert (town.coordination_group, town.country) == (None, france)
    portugal = make_country(code="PT", name="Portugal")
    services.participant_update(
        participant=town, actor=user, name=town.name, people=6500, country=portugal
    )
    town.refresh_from_db()
    assert town.country == portugal
    with pytest.raises(services.ProjectError, match="Say in which country"):
        services.participant_update(
            participant=town, actor=user, name=town.name, people=6500, country=None
        )


@pytest.mark.parametrize("subtype", ["municipality", "local_platform"])
def test_a_territorial_entity_tied_to_a_group_is_its_only_one(subtype):
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)

    tied = services.participant_join(
        actor=facilitator,
        kind="territory",
        subtype=subtype,
        name=group.name,
        people=12000,
        coordination_group=group,
    )

    assert (tied.coordination_group, tied.country) == (group, group.country)
    for other in ("municipality", "local_platform"):
        with pytest.raises(services.ProjectError, match="joined already"):
            services.participant_join(
                actor=facilitator,
                kind="territory",
                subtype=other,
                name="Again",
                coordination_group=group,
            )
    with pytest.raises(services.ProjectError, match="Only a facilitator"):
        services.participant_join(
            actor=make_user(),
            kind="territory",
            subtype=subtype,
            name="Not mine",
            coordination_group=make_coordination_group(),
        )
    # Untied territorial entities are as many as there are.
    for number in range(2):
        services.participant_join(
            actor=make_user(),
            kind="territory",
            subtype=subtype,
            name=f"Untied {number}",
            country=group.country,
        )
    assert Participant.objects.filter(kind="territory").count() == 3


def test_a_tied_territorys_country_is_its_groups_and_an_untied_ones_can_be_changed(client):
    facilitator = make_user()
    group = make_coordination_group(facilitator=facilitator)
    tied = services.participant_join(
        actor=facilitator,
        kind="territory",
        subtype="local_platform",
        name=group.name,
        coordination_group=group,
    )
    untied = services.participant_join(
        actor=facilitator,
        kind="territory",
        subtype="municipality",
        name="Lutterbach",
        country=group.country,
    )
    client.force_login(facilitator)

    tied_form = client.get(reverse("projects:participant_edit", args=[tied.slug]))
    untied_form = client.get(reverse("projects:participant_edit", args=[untied.slug]))

    assert tied_form.context["form"].fields["country"].disabled
    assert not untied_form.context["form"].fields["country"].disabled


def test_the_summaries_count_participants_by_kind_and_type(client):
    country = make_country()
    for kind, subtype, people in [
        ("citizen", "individual", 1),
        ("citizen", "place_of_life", 6),
        ("citizen", "place_of_life", 9),
        ("collective", "company", 40),
        ("territory", "municipality", 6500),
    ]:
        services.participant_join(
            actor=make_user(),
            kind=kind,
            subtype=subtype,
            name=subtype,
            people=people,
            country=country,
        )

    summaries.summaries_recompute(force=True)

    html = client.get(reverse("projects:summary_project")).content.decode()
    assert "Participants by type" in html
    table = html[html.index("Participants by type") :]
    table = table[: table.index("</table>")]
    assert (
        '<td>Citizen</td><th scope="row">People sharing a place of life</th><td class="num">2</td>'
        in table
    )
    assert (
        '<td>Territorial entity</td><th scope="row">A municipality</th><td class="num">1</td>'
        in table
    )
    assert "A family" not in table  # only the types someone is of
