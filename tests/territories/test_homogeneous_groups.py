"""Homogeneous groups: formed by facilitators, each with its own page, public unless hidden."""

import pytest
from django.urls import reverse

from territories.models import HomogeneousGroup, Membership, Profile
from territories.services import (
    TerritoryError,
    homogeneous_group_create,
    homogeneous_group_update,
    meeting_dates_clean,
    membership_set,
)
from tests.factories import make_coordination_group, make_homogeneous_group, make_user
from wikispiral.audit.models import AuditEntry
from wikispiral.tenancy import cross_tenant, tenant_scope
from wikispiral.wiki.models import Page

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator():
    return make_user(display_name="Fatima")


@pytest.fixture
def group(facilitator):
    return make_coordination_group(name="Rabat Yacoub", facilitator=facilitator)


@pytest.fixture
def profile():
    return Profile.objects.filter(is_active=True).order_by("order").first()


def _form(profile_row, /, **changes: object) -> dict:
    data = {
        "name": "Young people",
        "profile": profile_row.pk,
        "profile_other": "aged 15 to 18",
        "language": "fr",
        "meeting_dates": "2025-03-14\n2025-02-01\n2025-03-14",
        "participants": "12",
        "participants_women": "7",
        "participants_men": "5",
        "participants_other": "",
        "notes": "Met at the youth centre.",
    }
    data.update(changes)
    return data


def _hg_count(group) -> int:
    with tenant_scope(group):
        return HomogeneousGroup.objects.count()


def _new_url(group) -> str:
    return reverse("groups:homogeneous_group_new", kwargs={"cg": group.slug})


def test_facilitator_creates_a_group_with_its_own_page(client, group, facilitator, profile):
    client.force_login(facilitator)

    form = client.get(_new_url(group))
    response = client.post(_new_url(group), _form(profile, facilitators=[facilitator.pk]))

    with tenant_scope(group):
        hg = HomogeneousGroup.objects.get()
    assert form.status_code == 200
    assert response.status_code == 302
    assert response.url == reverse(
        "groups:homogeneous_group", kwargs={"cg": group.slug, "hg": "young-people"}
    )
    assert hg.meeting_dates == ["2025-02-01", "2025-03-14"]
    assert (hg.participants, hg.participants_women, hg.participants_men) == (12, 7, 5)
    assert list(hg.facilitators.all()) == [facilitator]
    assert hg.created_by == facilitator
    assert hg.page.space == group.space
    assert (hg.page.slug, hg.page.title, hg.page.language) == ("group-young-people", hg.name, "fr")
    assert hg.page.parent is None  # the group's home page is in English
    assert AuditEntry.objects.filter(action="territories.homogeneous_group.created").exists()


def test_detail_page_is_public_and_shows_the_group(client, group, facilitator, profile):
    with tenant_scope(group):
        hg = homogeneous_group_create(
            actor=facilitator,
            group=group,
            name="Elderly people",
            profile=profile,
            meeting_dates=["2024-11-05"],
            participants=9,
            facilitators=[facilitator],
            language="en",
            notes="Private remark.",
        )
    url = reverse("groups:homogeneous_group", kwargs={"cg": group.slug, "hg": hg.slug})

    anonymous = client.get(url)
    client.force_login(facilitator)
    insider = client.get(url)

    content = anonymous.content.decode()
    assert anonymous.status_code == 200
    assert "Elderly people" in content and "Fatima" in content and profile.name in content
    assert hg.page.get_absolute_url() in content
    assert 'datetime="2024-11-05"' in content
    assert "Private remark." not in content
    assert "not yet validated" not in content.lower()
    assert "Private remark." in insider.content.decode()
    assert (
        reverse("groups:homogeneous_group_edit", kwargs={"cg": group.slug, "hg": hg.slug})
        in insider.content.decode()
    )


def test_profile_labels_follow_the_readers_language(client, group, facilitator, profile):
    client.force_login(facilitator)

    response = client.get(_new_url(group), HTTP_ACCEPT_LANGUAGE="fr")

    assert profile.names["fr"] in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "This field is required"),
        ({"profile": "", "profile_other": ""}, "Choose a profile"),
        ({"meeting_dates": "14/03/2025"}, "is not a date written like 2025-03-14"),
        ({"meeting_dates": "2025-02-30"}, "is not a date written like 2025-03-14"),
        ({"meeting_dates": "1890-01-01"}, "not a plausible meeting date"),
        ({"participants": "-1"}, "at least one participant"),
        ({"participants": "0"}, "at least one participant: leave the number empty"),
        ({"participants": "100001"}, "less than or equal to 100000"),
        ({"participants": "10", "participants_women": "8", "participants_men": "5"}, "add up"),
        ({"profile": "999999"}, "Select a valid choice"),
        ({"language": "klingon"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(
    client, group, facilitator, profile, changes, message
):
    client.force_login(facilitator)
    pages_before = Page.objects.count()

    response = client.post(_new_url(group), _form(profile, **changes))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _hg_count(group) == 0
    assert Page.objects.count() == pages_before


def test_a_duplicate_name_is_refused_clearly(client, group, facilitator, profile):
    client.force_login(facilitator)
    client.post(_new_url(group), _form(profile))

    response = client.post(_new_url(group), _form(profile, name="YOUNG PEOPLE"))

    assert response.status_code == 400
    assert "already has a homogeneous group called" in response.content.decode()
    assert _hg_count(group) == 1


def test_the_same_name_is_fine_in_another_coordination_group(facilitator, group, profile):
    other = make_coordination_group()
    with tenant_scope(group):
        homogeneous_group_create(actor=None, group=group, name="Parents", profile=profile)
    with tenant_scope(other):
        hg = homogeneous_group_create(actor=None, group=other, name="Parents", profile=profile)

    assert hg.slug == "parents"


def test_a_name_whose_address_is_taken_gets_a_numbered_address(group, profile):
    make_homogeneous_group(tenant=group, name="Old name", slug="parents")

    with tenant_scope(group):
        hg = homogeneous_group_create(actor=None, group=group, name="Parents!", profile=profile)

    assert hg.slug == "parents-2"
    assert hg.page.slug == "group-parents-2"


def test_reserved_addresses_are_never_used(group, profile):
    hg = homogeneous_group_create(actor=None, group=group, name="New", profile=profile)

    assert hg.slug == "new-2"


def test_facilitators_must_be_members_of_the_group(group, profile):
    with pytest.raises(TerritoryError, match="must be members"):
        homogeneous_group_create(
            actor=None, group=group, name="A", profile=profile, facilitators=[make_user()]
        )
    assert _hg_count(group) == 0


def test_an_existing_page_at_the_address_is_left_alone(group, facilitator, profile):
    from tests.factories import make_page

    existing = make_page(space=group.space, title="Group young people", slug="group-young-people")

    hg = homogeneous_group_create(actor=None, group=group, name="Young people", profile=profile)

    assert hg.page.slug == "group-young-people-2"
    existing.refresh_from_db()
    assert existing.title == "Group young people"


def test_facilitator_edits_the_group_its_address_and_page_stay(client, group, facilitator, profile):
    editor = make_user()
    membership_set(group=group, user=editor, role=Membership.Role.EDITOR)
    with tenant_scope(group):
        hg = homogeneous_group_create(actor=None, group=group, name="Parents", profile=profile)
    url = reverse("groups:homogeneous_group_edit", kwargs={"cg": group.slug, "hg": hg.slug})
    client.force_login(facilitator)

    form = client.get(url)
    response = client.post(
        url, _form(profile, name="Parents of pupils", facilitators=[facilitator.pk, editor.pk])
    )

    with tenant_scope(group):
        hg.refresh_from_db()
    assert form.status_code == 200
    assert response.status_code == 302
    assert (hg.name, hg.slug, hg.page.slug) == ("Parents of pupils", "parents", "group-parents")
    assert set(hg.facilitators.all()) == {facilitator, editor}
    entry = AuditEntry.objects.get(action="territories.homogeneous_group.updated")
    assert "name" in entry.data["fields"] and "facilitators" in entry.data["fields"]


def test_editing_with_nothing_changed_writes_no_audit(group, facilitator, profile):
    hg = homogeneous_group_create(actor=None, group=group, name="Parents", profile=profile)

    homogeneous_group_update(actor=facilitator, hg=hg, name="Parents", profile=profile)

    assert not AuditEntry.objects.filter(action="territories.homogeneous_group.updated").exists()


def test_a_withdrawn_profile_stays_on_the_groups_that_use_it(group, facilitator, profile):
    hg = homogeneous_group_create(actor=None, group=group, name="Parents", profile=profile)
    Profile.objects.filter(pk=profile.pk).update(is_active=False)
    profile.refresh_from_db()

    homogeneous_group_update(actor=facilitator, hg=hg, name="Parents (2025)", profile=profile)
    with pytest.raises(TerritoryError, match="no longer offered"):
        homogeneous_group_create(actor=None, group=group, name="Other", profile=profile)


def test_meeting_dates_are_sorted_and_deduplicated():
    assert meeting_dates_clean(["2025-03-14", " ", "2024-01-02", "2025-03-14"]) == [
        "2024-01-02",
        "2025-03-14",
    ]


# --- Outsiders ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other facilitator", "editor", "member", "anonymous"])
def test_only_facilitators_reach_the_forms_others_get_404(client, group, profile, who):
    hg = make_homogeneous_group(tenant=group, name="Parents", slug="parents")
    if who == "other facilitator":
        make_coordination_group(facilitator=(visitor := make_user()))
    elif who in ("editor", "member"):
        membership_set(group=group, user=(visitor := make_user()), role=who)
    if who != "anonymous":
        client.force_login(visitor)
    edit_url = reverse("groups:homogeneous_group_edit", kwargs={"cg": group.slug, "hg": hg.slug})

    statuses = [
        client.get(_new_url(group)).status_code,
        client.post(_new_url(group), _form(profile, name="Intruders")).status_code,
        client.get(edit_url).status_code,
        client.post(edit_url, _form(profile, name="Taken over")).status_code,
    ]

    # An anonymous GET is offered the login page instead (wikispiral.tenancy.login_offer).
    offer = 302 if who == "anonymous" else 404
    assert statuses == [offer, 404, offer, 404]
    with tenant_scope(group):
        assert list(HomogeneousGroup.objects.values_list("name", flat=True)) == ["Parents"]


def test_a_facilitator_cannot_reach_another_groups_hg_through_their_own(client, profile):
    mine = make_coordination_group(facilitator=(me := make_user()))
    theirs = make_coordination_group()
    hg = make_homogeneous_group(tenant=theirs, name="Theirs", slug="theirs")
    client.force_login(me)

    urls = [
        reverse("groups:homogeneous_group", kwargs={"cg": mine.slug, "hg": hg.slug}),
        reverse("groups:homogeneous_group_edit", kwargs={"cg": mine.slug, "hg": hg.slug}),
    ]

    assert [client.get(url).status_code for url in urls] == [404, 404]
    assert client.post(urls[1], _form(profile, name="Mine now")).status_code == 404
    with cross_tenant():
        assert HomogeneousGroup.objects.get(pk=hg.pk).name == "Theirs"


def test_hg_of_a_hidden_group_is_404_to_outsiders_and_seen_by_members(client, facilitator):
    group = make_coordination_group(facilitator=facilitator, is_hidden=True)
    hg = make_homogeneous_group(tenant=group, name="Parents", slug="parents")
    url = reverse("groups:homogeneous_group", kwargs={"cg": group.slug, "hg": hg.slug})

    anonymous = client.get(url)
    client.force_login(make_user())
    outsider = client.get(url)
    client.force_login(facilitator)
    insider = client.get(url)

    # Anonymous: the login offer (wikispiral.tenancy.login_offer).
    assert (anonymous.status_code, outsider.status_code, insider.status_code) == (302, 404, 200)


def test_detail_page_query_count_is_pinned(
    client, group, facilitator, profile, django_assert_max_num_queries
):
    people = [make_user() for _ in range(5)]
    for person in people:
        membership_set(group=group, user=person, role="member")
    hg = homogeneous_group_create(
        actor=None, group=group, name="Parents", profile=profile, facilitators=people
    )
    url = reverse("groups:homogeneous_group", kwargs={"cg": group.slug, "hg": hg.slug})
    client.force_login(facilitator)

    with django_assert_max_num_queries(7):
        response = client.get(url)

    assert response.status_code == 200


def test_an_update_keeps_what_it_is_not_given(group, facilitator, profile):
    membership_set(group=group, user=(editor := make_user()), role="editor")
    hg = homogeneous_group_create(
        actor=None,
        group=group,
        name="Parents",
        profile=profile,
        meeting_dates=["2025-01-10"],
        participants=10,
        facilitators=[editor],
        notes="Kept.",
    )

    homogeneous_group_update(actor=facilitator, hg=hg, participants_women=6)

    with tenant_scope(group):
        hg = HomogeneousGroup.objects.get(pk=hg.pk)
    assert (hg.meeting_dates, hg.participants, hg.participants_women) == (["2025-01-10"], 10, 6)
    assert (hg.notes, list(hg.facilitators.all())) == ("Kept.", [editor])
    with pytest.raises(TerritoryError, match="add up"):
        homogeneous_group_update(actor=facilitator, hg=hg, participants_men=5)
