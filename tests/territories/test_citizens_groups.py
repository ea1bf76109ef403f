"""Citizens' groups ("cycle 0"): registered by a person, public at once, validated later."""

import pytest
from django.urls import reverse

from territories import services
from territories.models import (
    CoordinationGroup,
    HomogeneousGroup,
    Locality,
    Membership,
    Profile,
    Region,
)
from territories.services import citizens_group_create
from tests.factories import make_coordination_group, make_country, make_user
from wikispiral.audit.models import AuditEntry
from wikispiral.tenancy import cross_tenant, tenant_scope
from wikispiral.wiki.models import Page, Space

pytestmark = pytest.mark.django_db

URL = "/groups/citizens/new/"


@pytest.fixture
def france():
    country = make_country()
    region = Region.objects.create(country=country, name="Grand Est", slug="grand-est")
    Locality.objects.create(region=region, name="Mulhouse", slug="mulhouse")
    return country


@pytest.fixture
def profile():
    return Profile.objects.filter(is_active=True).order_by("order").first()


def _form(country, profile_row, /, **changes: object) -> dict:
    data = {
        "name": "Neighbours of Bourtzwiller",
        "profile": profile_row.pk,
        "profile_other": "",
        "language": "fr",
        "description": "Eight neighbours who meet at the community centre.",
        "country": country.pk,
        "region": "Grand Est",
        "locality": "mulhouse",
    }
    data.update(changes)
    return data


def _counts() -> tuple[int, int, int, int]:
    with cross_tenant():
        return (
            CoordinationGroup.objects.count(),
            HomogeneousGroup.objects.count(),
            Space.objects.count(),
            Page.objects.count(),
        )


def test_url_name():
    assert reverse("groups:citizens_group_new") == URL


def test_a_person_registers_a_citizens_group(client, france, profile):
    person = make_user()
    client.force_login(person)

    form = client.get(URL)
    response = client.post(URL, _form(france, profile))

    group = CoordinationGroup.objects.get()
    with tenant_scope(group):
        hg = HomogeneousGroup.objects.get()
    assert form.status_code == 200
    assert response.status_code == 302
    assert response.url == reverse(
        "groups:homogeneous_group", kwargs={"cg": group.slug, "hg": hg.slug}
    )
    assert group.kind == CoordinationGroup.Kind.CITIZENS_GROUP
    assert group.status == CoordinationGroup.Status.ACTIVE and group.awaiting_validation
    assert group.network_id == "GC100001"
    assert (group.region.name, group.locality.name, group.level) == (
        "Grand Est",
        "Mulhouse",
        "locality",
    )
    assert group.platform_description.startswith("Eight neighbours")
    with cross_tenant():
        assert Membership.objects.get(tenant=group).user == person
        assert Membership.objects.get(tenant=group).role == "facilitator"
    assert hg.name == group.name
    assert list(hg.facilitators.all()) == [person]
    assert hg.page.space == group.space and hg.page.language == "fr"
    assert AuditEntry.objects.filter(action="territories.citizens_group.created").exists()


def test_its_pages_are_public_at_once_and_say_not_yet_validated(client, france, profile):
    client.force_login(make_user())
    detail_url = client.post(URL, _form(france, profile)).url
    client.logout()

    response = client.get(detail_url)

    assert response.status_code == 200
    assert "Not yet validated" in response.content.decode()


def test_unconfirmed_or_anonymous_people_cannot_register(client, france, profile):
    anonymous = client.post(URL, _form(france, profile))
    client.force_login(make_user(confirmed=False))
    unconfirmed = client.post(URL, _form(france, profile))

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url
    assert unconfirmed.status_code == 403
    assert "Confirm your email address" in unconfirmed.content.decode()
    assert _counts()[0] == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "   "}, "This field is required"),
        ({"country": "999999"}, "Choose a country from the list"),
        ({"region": "Wallonia"}, "No region called “Wallonia” in France"),
        ({"region": "", "locality": "Atlantis"}, "No locality called “Atlantis” in France"),
        ({"profile": "", "profile_other": ""}, "Choose a profile"),
        ({"language": "xx"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    client, france, profile, changes, message
):
    client.force_login(make_user())
    before = _counts()

    response = client.post(URL, _form(france, profile, **changes))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _counts() == before


def test_a_region_of_another_country_is_refused(client, france, profile):
    belgium = make_country(code="BE", name="Belgium")
    Region.objects.create(country=belgium, name="Wallonia", slug="wallonia")
    client.force_login(make_user())

    response = client.post(URL, _form(france, profile, region="Wallonia", locality=""))

    assert response.status_code == 400
    assert "No region called “Wallonia” in France" in response.content.decode()


def test_a_duplicate_name_is_refused_and_nothing_half_saved(client, france, profile):
    make_coordination_group(name="Neighbours of Bourtzwiller")
    client.force_login(make_user())
    before = _counts()

    response = client.post(URL, _form(france, profile))

    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert _counts() == before


def test_a_page_failure_after_the_group_rolls_everything_back(client, france, profile, monkeypatch):
    def broken(**kwargs: object) -> None:
        raise services.TerritoryError("No page for you.", "name")

    monkeypatch.setattr(services, "_hg_page_create", broken)
    client.force_login(make_user())
    before = _counts()

    response = client.post(URL, _form(france, profile))

    assert response.status_code == 400
    assert _counts() == before
    assert not Membership.objects.exists()


def test_network_id_race_is_retried_once(france, profile, monkeypatch):
    make_coordination_group()  # holds GC1000xx
    original = services.coordination_group_create
    calls = []

    def racing(**kwargs: object) -> CoordinationGroup:
        calls.append(kwargs["network_id"])
        if len(calls) == 1:
            # Someone else took this id between reading it and inserting.
            raise services.TerritoryError("This network id or address is already used.")
        return original(**kwargs)

    monkeypatch.setattr(services, "coordination_group_create", racing)

    group = citizens_group_create(
        actor=make_user(), name="Parents", country=france, profile=profile, language="en"
    )

    assert len(calls) == 2
    assert group.network_id == calls[1]


def test_a_persistent_conflict_is_retried_only_once(france, profile, monkeypatch):
    calls = []

    def always(**kwargs: object) -> None:
        calls.append(kwargs["network_id"])
        raise services.TerritoryError("This network id or address is already used.")

    monkeypatch.setattr(services, "coordination_group_create", always)

    with pytest.raises(services.TerritoryError):
        citizens_group_create(actor=make_user(), name="P", country=france, profile=profile)
    assert len(calls) == 2


def test_more_than_three_groups_a_day_is_429(client, france, profile):
    client.force_login(make_user())

    statuses = [
        client.post(URL, _form(france, profile, name=f"Neighbours {n}")).status_code
        for n in range(4)
    ]

    assert statuses == [302, 302, 302, 429]
    assert CoordinationGroup.objects.count() == 3


def test_typos_do_not_count_against_the_limit(client, france, profile):
    client.force_login(make_user())

    for _attempt in range(4):
        client.post(URL, _form(france, profile, region="Nowhere"))
    response = client.post(URL, _form(france, profile))

    assert response.status_code == 302
