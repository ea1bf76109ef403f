"""Browsing the syntheses from the network down to every place and group: what each page
lists under its scope, with its counts; hidden groups left out; a country's map; the cost."""

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from syntheses import services
from syntheses.browse import scope_browse
from syntheses.selectors import scope_get
from territories.models import CoordinationGroup, HomogeneousGroup, Locality, Membership, Region
from territories.services import membership_set
from tests.factories import (
    make_coordination_group,
    make_country,
    make_criterion,
    make_homogeneous_group,
    make_user,
)
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

_ITEM = re.compile(
    r'<li><a href="/syntheses/(?P<key>[a-z]+-\d+)/">(?P<name>[^<]+)</a>.*?'
    r'<span class="meta synthesis-browse-facts">(?P<facts>[^<]*)</span></li>',
    re.S,
)
_POINT = re.compile(r'<a href="(?P<href>[^"]+)" tabindex="-1"><title>(?P<name>[^<]+)</title>')


def _url(key: str) -> str:
    return reverse("syntheses:synthesis", kwargs={"key": key})


@dataclass
class Network:
    """The groups made, and every classified criterion as (group, homogeneous group)."""

    groups: dict[str, CoordinationGroup] = field(default_factory=dict)
    homogeneous: dict[str, HomogeneousGroup] = field(default_factory=dict)
    classified: list[tuple[CoordinationGroup, HomogeneousGroup]] = field(default_factory=list)


def _criteria(network: Network, group: CoordinationGroup, name: str, classified: int) -> None:
    with cross_tenant():
        homogeneous = make_homogeneous_group(tenant=group, name=name)
    network.homogeneous[name] = homogeneous
    for _number in range(classified):
        make_criterion(tenant=group, group=homogeneous, component="A01")
        network.classified.append((group, homogeneous))
    make_criterion(tenant=group, group=homogeneous)  # waiting: never counted


@pytest.fixture
def network() -> Network:
    """France (Grand Est: Mulhouse with two groups, Colmar with a hidden one, and a regional
    group; and a national group), Belgium (Wallonia, Charleroi), Cabo Verde (a national group),
    Portugal (a hidden group only); computed."""
    france = make_country(code="FR", name="France")
    belgium = make_country(code="BE", name="Belgium")
    cabo_verde = make_country(code="CV", name="Cabo Verde", continent="AF")
    portugal = make_country(code="PT", name="Portugal")
    grand_est = Region.objects.create(country=france, name="Grand Est", slug="grand-est")
    mulhouse = Locality.objects.create(region=grand_est, name="Mulhouse", slug="mulhouse")
    colmar = Locality.objects.create(region=grand_est, name="Colmar", slug="colmar")
    wallonia = Region.objects.create(country=belgium, name="Wallonia", slug="wallonia")
    charleroi = Locality.objects.create(region=wallonia, name="Charleroi", slug="charleroi")
    lisbon_region = Region.objects.create(country=portugal, name="Lisboa", slug="lisboa")
    network = Network()
    places = [
        ("Mulhouse Nord", france, grand_est, mulhouse, False, {"A": 3, "B": 1}),
        ("Mulhouse Sud", france, grand_est, mulhouse, False, {"C": 2}),
        ("Secret Colmar", france, grand_est, colmar, True, {"S": 4}),
        ("Grand Est platform", france, grand_est, None, False, {"D": 1}),
        ("France platform", france, None, None, False, {"E": 0}),
        ("Charleroi", belgium, wallonia, charleroi, False, {"F": 2}),
        ("Praia", cabo_verde, None, None, False, {"G": 1}),
        ("Secret Lisbon", portugal, lisbon_region, None, True, {"H": 5}),
    ]
    for name, country, region, locality, hidden, homogeneous in places:
        group = make_coordination_group(
            name=name, country=country, region=region, locality=locality, is_hidden=hidden
        )
        network.groups[name] = group
        for letter, classified in homogeneous.items():
            _criteria(network, group, f"{name} {letter}", classified)
    services.syntheses_recompute_all()
    return network


def _expected(network: Network) -> dict[str, tuple[int, int | None, int | None]]:
    """Every public scope below the network with (criteria, coordination groups, homogeneous
    groups with published criteria), counted from the criteria the fixture made."""
    groups_under: dict[str, set[int]] = defaultdict(set)
    criteria: dict[str, int] = defaultdict(int)
    homogeneous_under: dict[str, set[int]] = defaultdict(set)
    visible = [group for group in network.groups.values() if not group.is_hidden]

    def keys(group: CoordinationGroup) -> list[str]:
        found = [
            f"continent-{group.country.continent_id}",
            f"country-{group.country_id}",
            f"cg-{group.pk}",
        ]
        found += [f"region-{group.region_id}"] if group.region_id else []
        return found + ([f"locality-{group.locality_id}"] if group.locality_id else [])

    for group in visible:
        for key in keys(group):
            groups_under[key].add(group.pk)
    for group, homogeneous in network.classified:
        if group.is_hidden:
            continue
        for key in keys(group):
            criteria[key] += 1
            homogeneous_under[key].add(homogeneous.pk)
        criteria[f"hg-{homogeneous.pk}"] += 1
    expected: dict[str, tuple[int, int | None, int | None]] = {}
    for key, pks in groups_under.items():
        places = None if key.startswith("cg-") else len(pks)
        expected[key] = (criteria[key], places, len(homogeneous_under[key]))
    for homogeneous in network.homogeneous.values():
        if not homogeneous.tenant.is_hidden:
            expected[f"hg-{homogeneous.pk}"] = (criteria[f"hg-{homogeneous.pk}"], None, None)
    return expected


def _figure(facts: str, word: str) -> int | None:
    match = re.search(rf"(\d+) {word}", facts)
    return int(match[1]) if match else None


def _listed(html: str) -> dict[str, tuple[str, int | None, int | None, int | None]]:
    """What a synthesis page lists under its scope: key → (name, criteria, coordination
    groups, homogeneous groups)."""
    section = html.split('<section class="synthesis-browse"', 1)
    if len(section) == 1:
        return {}
    section_html = section[1].split("</section>", 1)[0]
    return {
        match["key"]: (
            match["name"],
            _figure(match["facts"], "criteri"),
            _figure(match["facts"], "coordination group"),
            _figure(match["facts"], "homogeneous group"),
        )
        for match in _ITEM.finditer(section_html)
    }


def _crawl(client) -> tuple[dict[str, tuple], list[str]]:
    """Follow the lists from the network page down; what was listed, and every page's HTML."""
    listed: dict[str, tuple] = {}
    pages = []
    queue = ["network"]
    while queue:
        response = client.get(_url(queue.pop()))
        assert response.status_code == 200
        html = response.content.decode()
        pages.append(html)
        for key, item in _listed(html).items():
            assert key not in listed, f"{key} listed twice"
            listed[key] = item
            queue.append(key)
    return listed, pages


def test_browsing_from_the_network_reaches_every_public_scope_with_its_counts(client, network):
    listed, _pages = _crawl(client)

    expected = _expected(network)
    assert set(listed) == set(expected)
    for key, (criteria, coordination_groups, homogeneous_groups) in expected.items():
        _name, shown_criteria, shown_groups, shown_homogeneous = listed[key]
        assert (shown_criteria, shown_groups, shown_homogeneous) == (
            criteria,
            coordination_groups,
            homogeneous_groups,
        ), key
    mulhouse = network.groups["Mulhouse Nord"]
    assert listed[f"locality-{mulhouse.locality_id}"] == ("Mulhouse", 6, 2, 3)
    assert listed[f"cg-{network.groups['France platform'].pk}"][1:] == (0, None, 0)


def test_hidden_groups_and_places_holding_only_them_never_show_to_outsiders(client, network):
    outsider = make_user(username="outsider")
    client.force_login(outsider)

    listed, pages = _crawl(client)

    secret = network.groups["Secret Colmar"]
    lisbon = network.groups["Secret Lisbon"]
    assert f"cg-{secret.pk}" not in listed
    assert f"locality-{secret.locality_id}" not in listed
    assert f"country-{lisbon.country_id}" not in listed
    for html in pages:
        assert "Secret" not in html
        assert "Colmar" not in html
    assert client.get(_url(f"cg-{secret.pk}")).status_code == 404


def test_members_of_a_hidden_group_browse_its_homogeneous_groups(client, network):
    secret = network.groups["Secret Colmar"]
    member = make_user(username="member")
    membership_set(group=secret, user=member, role=Membership.Role.MEMBER)
    client.force_login(member)

    listed = _listed(client.get(_url(f"cg-{secret.pk}")).content.decode())

    homogeneous = network.homogeneous["Secret Colmar S"]
    assert listed == {f"hg-{homogeneous.pk}": ("Secret Colmar S", 4, None, None)}
    # Still out of the places' lists: their figures leave hidden groups out.
    region = _listed(client.get(_url(f"region-{secret.region_id}")).content.decode())
    assert f"locality-{secret.locality_id}" not in region


def test_a_country_page_maps_its_public_groups_each_a_link_to_its_synthesis(client, network):
    france = network.groups["Mulhouse Nord"].country
    CoordinationGroup.objects.filter(pk=network.groups["Mulhouse Nord"].pk).update(
        latitude=47.75, longitude=7.34
    )

    html = client.get(_url(f"country-{france.pk}")).content.decode()

    svg = html.split('<svg viewBox="', 1)[1].split("</svg>", 1)[0]
    points = {(m["href"], m["name"]) for m in _POINT.finditer(svg)}
    public = [
        group
        for group in network.groups.values()
        if group.country_id == france.pk and not group.is_hidden
    ]
    assert points == {(_url(f"cg-{group.pk}"), group.name) for group in public}
    assert "Secret" not in html
    # The list repeats the same links, for keyboards and screen readers.
    listed = html.split('<details class="world-map-list">', 1)[1].split("</details>", 1)[0]
    links = set(re.findall(r'<a href="([^"]+)">([^<]+)</a>', listed))
    assert links == points
    # The drawing is hidden from assistive technologies, its links out of the tab order.
    assert 'aria-hidden="true"' in svg.split(">", 1)[0]
    assert svg.count('tabindex="-1"') == len(public)
    # Only countries get a map.
    region = client.get(_url(f"region-{network.groups['Mulhouse Nord'].region_id}"))
    assert "world-map" not in region.content.decode()


def test_browse_reads_two_queries_however_many_children(network, django_assert_num_queries):
    france = network.groups["France platform"].country
    for ref in (scope_get("network"), scope_get(f"country-{france.pk}")):
        with django_assert_num_queries(2):
            assert scope_browse(ref).children
    group = scope_get(f"cg-{network.groups['Mulhouse Nord'].pk}")
    with django_assert_num_queries(2):
        assert scope_browse(group).children


def test_a_country_page_costs_the_same_with_more_places_under_it(client, network):
    france = network.groups["France platform"].country
    url = _url(f"country-{france.pk}")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for number in range(4):
        region = Region.objects.create(country=france, name=f"Region {number}", slug=f"r{number}")
        group = make_coordination_group(name=f"Extra {number}", country=france, region=region)
        make_criterion(tenant=group, component="A02")
    services.syntheses_recompute_all()
    client.get(url)

    with CaptureQueriesContext(connection) as after:
        html = client.get(url).content.decode()

    assert {f"Region {number}" for number in range(4)} <= {
        name for name, *_counts in _listed(html).values()
    }
    assert len(after) == len(before)
