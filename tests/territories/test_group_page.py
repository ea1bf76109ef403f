"""A coordination group's public page: what it shows, to whom, and at what cost."""

import pytest
from django.test import Client
from django.urls import reverse

from territories.models import CoordinationGroup, Locality, Membership, Region
from territories.services import membership_set
from tests.factories import (
    make_coordination_group,
    make_country,
    make_homogeneous_group,
    make_page,
    make_user,
)

pytestmark = pytest.mark.django_db


def _url(group: CoordinationGroup) -> str:
    return reverse("directory:group", kwargs={"cg": group.slug})


def _html(client: Client, group: CoordinationGroup) -> str:
    response = client.get(_url(group))
    assert response.status_code == 200
    return response.content.decode()


def test_group_page_shows_the_groups_profile(client: Client):
    country = make_country(code="PT", name="Portugal")
    country.names = {"fr": "Portugal (fr)"}
    country.save()
    region = Region.objects.create(country=country, name="Norte", slug="norte")
    locality = Locality.objects.create(region=region, name="Braga", slug="braga")
    referent = make_coordination_group(name="National platform")
    group = make_coordination_group(
        name="Braga together",
        country=country,
        region=region,
        locality=locality,
        kind=CoordinationGroup.Kind.COLLECTIVE_ACTOR,
        actor_type="Hospital",
        level=CoordinationGroup.Level.REGION,
        referent=referent,
        platform_description="We meet monthly.\nEveryone is welcome.",
        territory_description="A city of 190,000.",
        process_summary="Three rounds of questions.",
        stakeholders="Town hall\n\nSocial centre\n",
        contacts="braga@example.org",
        support_needs="Translators.",
        language="pt",
    )

    html = _html(client, group)

    assert "<h1>Braga together</h1>" in html
    assert "Collective actor" in html and "Hospital" in html and "Region" in html
    assert "Braga, Norte, Portugal (Europe)" in html
    assert f'<a href="{_url(referent)}">National platform</a>' in html
    assert "<p>We meet monthly.<br>Everyone is welcome.</p>" in html
    assert "A city of 190,000." in html and "Three rounds of questions." in html
    assert "<li>Town hall</li><li>Social centre</li>" in html
    assert "braga@example.org" in html and "Translators." in html
    assert '<span lang="pt">Portuguese</span>' in html
    assert "Not yet validated" in html
    assert "Criteria" in html


def test_group_page_shows_place_names_in_the_readers_language(client: Client):
    country = make_country(code="PT", name="Portugal")
    country.names = {"fr": "Le Portugal"}
    country.save()
    group = make_coordination_group(name="Lisboa", country=country)

    html = client.get(_url(group), headers={"Accept-Language": "fr"}).content.decode()

    assert "Le Portugal" in html


def test_validated_group_has_no_pending_notice(client: Client):
    group = make_coordination_group(name="Checked", status=CoordinationGroup.Status.VALIDATED)

    html = _html(client, group)

    assert "Not yet validated" not in html
    assert "Validated" in html


def test_group_page_escapes_the_groups_text(client: Client):
    group = make_coordination_group(
        name="Tricky",
        platform_description='<script>alert("x")</script>',
        stakeholders="<img src=x onerror=alert(1)>",
    )

    html = _html(client, group)

    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert "<img src=x" not in html


def test_group_page_lists_homogeneous_groups_with_counts_and_links(client: Client):
    group = make_coordination_group(name="Counting")
    young = make_homogeneous_group(tenant=group, name="Young people", participants=12)
    make_homogeneous_group(tenant=group, name="Elders", participants=8)
    make_homogeneous_group(tenant=group, name="Unknown size")
    make_homogeneous_group(tenant=make_coordination_group(), name="Not ours", participants=99)

    html = _html(client, group)

    hg_url = reverse("groups:homogeneous_group", kwargs={"cg": group.slug, "hg": young.slug})
    assert f'<a href="{hg_url}">Young people</a>' in html
    assert "Not ours" not in html
    assert "<dt>Homogeneous groups</dt><dd>3</dd>" in html
    # One group gave no number: the total is a lower bound, and that group's line says so.
    assert "<dt>Participants</dt><dd>at least 20</dd>" in html
    assert "12 participants" in html
    assert "number of participants not given" in html
    assert "0 participants" not in html


def test_group_page_lists_latest_pages_of_its_space(client: Client):
    group = make_coordination_group(name="Wiki group")
    for number in range(12):
        make_page(space=group.space, title=f"Minutes {number:02d}")

    html = _html(client, group)

    # The home page and twelve more: thirteen pages, the ten latest listed.
    assert "<dt>Wiki pages</dt><dd>13</dd>" in html
    assert html.count('<span class="badge">en</span>') == 10
    assert "Minutes 11" in html and "Minutes 02" in html and "Minutes 01" not in html
    assert reverse("wiki:space_home", kwargs={"space": group.space.slug}) in html


def test_group_page_names_its_facilitators(client: Client):
    facilitator = make_user(display_name="Ana Lima")
    group = make_coordination_group(name="Led", facilitator=facilitator)
    membership_set(group=group, user=make_user(display_name="Just a member"), role="member")

    html = _html(client, group)

    assert "<li>Ana Lima</li>" in html
    assert "Just a member" not in html


def test_manage_link_only_for_facilitators_and_secretariat(client_for):
    facilitator = make_user()
    editor = make_user()
    group = make_coordination_group(name="Managed", facilitator=facilitator)
    membership_set(group=group, user=editor, role=Membership.Role.EDITOR)
    manage = reverse("groups:edit", kwargs={"cg": group.slug})

    assert manage in _html(client_for(facilitator), group)
    assert manage in _html(client_for(make_user(secretariat=True)), group)
    assert manage not in _html(client_for(editor), group)
    assert manage not in _html(Client(), group)


def test_group_page_advertises_its_feeds(client: Client):
    group = make_coordination_group(name="Followed")

    html = _html(client, group)

    rss = reverse("directory:group_feed_rss", kwargs={"cg": group.slug})
    atom = reverse("directory:group_feed_atom", kwargs={"cg": group.slug})
    head = html.split("</head>")[0]
    assert f'rss+xml" title="Followed: latest additions (RSS)" href="{rss}">' in head
    assert f'atom+xml" title="Followed: latest additions (Atom)" href="{atom}">' in head


def test_unknown_group_is_404(client: Client, client_for):
    url = reverse("directory:group", kwargs={"cg": "nowhere"})

    assert client_for(make_user()).get(url).status_code == 404
    # Anonymous: the login offer, as for a hidden group (wikispiral.tenancy.login_offer).
    assert client.get(url).status_code == 302


def test_hidden_group_is_404_to_anonymous_and_outsiders(client: Client, client_for):
    group = make_coordination_group(name="Hidden", is_hidden=True)
    outsider = make_user()
    make_coordination_group(facilitator=outsider)

    # Anonymous: the login offer, as for a group that does not exist.
    assert client.get(_url(group)).status_code == 302
    assert client_for(outsider).get(_url(group)).status_code == 404


def test_hidden_group_is_visible_to_its_facilitator_and_the_secretariat(client_for):
    facilitator = make_user()
    group = make_coordination_group(name="Hidden", is_hidden=True, facilitator=facilitator)

    for reader in (facilitator, make_user(secretariat=True)):
        html = _html(client_for(reader), group)
        assert "This group is hidden" in html
        # Its feeds answer 404 (they are public): no link to them.
        assert reverse("directory:group_feed_rss", kwargs={"cg": group.slug}) not in html


def test_hidden_referent_is_not_shown(client: Client):
    referent = make_coordination_group(name="Secret referent", is_hidden=True)
    group = make_coordination_group(name="Follower", referent=referent)

    assert "Secret referent" not in _html(client, group)


@pytest.mark.parametrize("count", [3, 30])
def test_group_page_query_count_does_not_grow_with_its_content(
    client_for, django_assert_max_num_queries, count: int
):
    facilitator = make_user()
    group = make_coordination_group(
        name="Busy", facilitator=facilitator, referent=make_coordination_group()
    )
    for number in range(count):
        make_homogeneous_group(tenant=group, participants=number + 1)
        membership_set(group=group, user=make_user(), role=Membership.Role.FACILITATOR)
    for _number in range(min(count, 12)):
        make_page(space=group.space)
    client = client_for(facilitator)

    # Session and user, tenant, continent, referent, homogeneous groups (totals, rows), pages
    # (count, rows), facilitators, the roles behind the Manage link and the space, and the
    # group's membership of the network.
    with django_assert_max_num_queries(14):
        response = client.get(_url(group))
    with django_assert_max_num_queries(10):
        Client().get(_url(group))

    assert response.status_code == 200
