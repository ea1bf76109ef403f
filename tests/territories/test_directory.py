"""The directory of coordination groups: what it lists, its filters, search and pages."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from territories.directory.selectors import (
    DirectoryFilters,
    coordination_group_directory,
    group_search_vector,
)
from territories.models import CoordinationGroup, Locality, Region
from tests.factories import make_coordination_group, make_country, make_homogeneous_group

pytestmark = pytest.mark.django_db

URL = reverse("directory:directory")


def _names(response) -> list[str]:
    """Group names in the results table, in order."""
    assert response.status_code == 200
    html = response.content.decode()
    return re.findall(r'<th scope="row">(?:<img [^>]*> )?<a href="/cg/[^"]+/">([^<]+)</a>', html)


def _set(group: CoordinationGroup, **fields: object) -> None:
    CoordinationGroup.objects.filter(pk=group.pk).update(**fields)


def _place(country_code: str = "FR") -> tuple[Region, Locality]:
    country = make_country(code=country_code, name={"FR": "France", "PT": "Portugal"}[country_code])
    region = Region.objects.create(country=country, name=f"Region {country_code}", slug="r")
    return region, Locality.objects.create(region=region, name="Bourtzwiller", slug="b")


def test_directory_lists_visible_groups_by_name_and_leaves_hidden_ones_out(client: Client):
    make_coordination_group(name="Zeta platform")
    make_coordination_group(name="Alpha platform")
    make_coordination_group(name="Secret platform", is_hidden=True)

    response = client.get(URL)

    assert _names(response) == ["Alpha platform", "Zeta platform"]
    assert "Secret platform" not in response.content.decode()
    assert "2 coordination groups" in response.content.decode()


def test_directory_row_shows_type_place_status_and_homogeneous_group_count(client: Client):
    region, locality = _place()
    group = make_coordination_group(
        name="Mulhouse",
        country=region.country,
        region=region,
        locality=locality,
        kind=CoordinationGroup.Kind.CITIZENS_GROUP,
    )
    for _number in range(3):
        make_homogeneous_group(tenant=group)
    make_homogeneous_group(tenant=make_coordination_group(name="Other"))

    html = client.get(URL).content.decode()

    row = html[html.index(">Mulhouse<") :]
    row = row[: row.index("</tr>")]
    assert "Citizens&#x27; group" in row
    assert "Bourtzwiller, Region FR, France" in row
    assert "Not yet validated" in row
    assert "<td>3</td>" in row


def test_validated_group_shows_its_status_not_the_pending_notice(client: Client):
    group = make_coordination_group(name="Checked")
    _set(group, status=CoordinationGroup.Status.VALIDATED)

    html = client.get(URL).content.decode()

    assert "Validated" in html
    assert "Not yet validated</span>" not in html


def test_directory_filters_by_continent_country_and_region(client: Client):
    region, _locality = _place("FR")
    make_coordination_group(name="In region", country=region.country, region=region)
    make_coordination_group(name="Elsewhere in France", country=region.country)
    make_coordination_group(name="In Cabo Verde", country=make_country(code="CV", continent="AF"))

    assert _names(client.get(URL, {"continent": "AF"})) == ["In Cabo Verde"]
    assert _names(client.get(URL, {"country": "FR"})) == ["Elsewhere in France", "In region"]
    assert _names(client.get(URL, {"country": "FR", "region": region.pk})) == ["In region"]


def test_directory_filters_by_type_actor_type_status_and_language(client: Client):
    school = make_coordination_group(
        name="School", kind=CoordinationGroup.Kind.COLLECTIVE_ACTOR, actor_type="School"
    )
    town = make_coordination_group(name="Town", language="fr")
    _set(town, status=CoordinationGroup.Status.VALIDATED, languages=["fr", "pt"])
    _set(school, languages=["en"])

    assert _names(client.get(URL, {"kind": "collective_actor"})) == ["School"]
    assert _names(client.get(URL, {"actor_type": "School"})) == ["School"]
    assert _names(client.get(URL, {"status": "validated"})) == ["Town"]
    assert _names(client.get(URL, {"status": "active"})) == ["School"]
    assert _names(client.get(URL, {"language": "pt"})) == ["Town"]
    assert _names(client.get(URL, {"language": "en"})) == ["School"]


def test_directory_offers_only_values_some_visible_group_has(client: Client):
    make_coordination_group(name="Visible", country=make_country(code="PT", name="Portugal"))
    make_coordination_group(
        name="Hidden", is_hidden=True, country=make_country(code="CV", name="Cabo Verde")
    )

    html = client.get(URL).content.decode()

    assert '<option value="PT">Portugal</option>' in html
    assert "Cabo Verde" not in html


def test_filters_follow_new_and_hidden_groups_at_once(client: Client):
    make_coordination_group(name="First", country=make_country(code="PT", name="Portugal"))
    assert "Cabo Verde" not in client.get(URL).content.decode()

    group = make_coordination_group(
        name="Second", country=make_country(code="CV", name="Cabo Verde", continent="AF")
    )
    assert '<option value="CV">Cabo Verde</option>' in client.get(URL).content.decode()

    # As the secretariat's hiding does: the change is saved with modified_at.
    group.is_hidden = True
    group.save(update_fields=["is_hidden", "modified_at"])
    assert "Cabo Verde" not in client.get(URL).content.decode()


def test_filters_show_place_names_in_the_readers_language(client: Client):
    country = make_country(code="PT", name="Portugal")
    country.names = {"fr": "Le Portugal"}
    country.save()
    make_coordination_group(name="Lisboa", country=country)

    html = client.get(URL, headers={"Accept-Language": "fr"}).content.decode()

    assert '<option value="PT">Le Portugal</option>' in html


def test_directory_search_finds_name_network_id_descriptions_stakeholders_and_places(
    client: Client,
):
    region, locality = _place()
    make_coordination_group(name="Wattrelos", network_id="GC777001")
    make_coordination_group(name="Described", platform_description="A shared seed library.")
    make_coordination_group(name="Partnered", stakeholders="Town hall\nSocial centre Avenir")
    make_coordination_group(name="Placed", country=region.country, region=region, locality=locality)
    make_coordination_group(name="Unrelated")

    assert _names(client.get(URL, {"q": "wattrelos"})) == ["Wattrelos"]
    assert _names(client.get(URL, {"q": "GC777001"})) == ["Wattrelos"]
    assert _names(client.get(URL, {"q": "seed library"})) == ["Described"]
    assert _names(client.get(URL, {"q": "avenir"})) == ["Partnered"]
    assert _names(client.get(URL, {"q": "bourtzwiller"})) == ["Placed"]
    assert _names(client.get(URL, {"q": "bourtz platform"})) == []
    assert _names(client.get(URL, {"q": "bourtzwiller placed"})) == ["Placed"]
    assert _names(client.get(URL, {"q": "seed avenir"})) == []


def test_directory_search_tolerates_punctuation_and_very_long_text(client: Client):
    make_coordination_group(name="Robust")

    for query in ["robust!", "'robust' & | :*", "robust " + "x" * 5000, "!!!"]:
        response = client.get(URL, {"q": query})
        assert response.status_code == 200
    # A NUL never reaches the search: the request is refused at the edge (wikispiral/edge.py).
    assert client.get(URL, {"q": "rob\x00ust"}).status_code == 400


def test_unknown_filter_values_are_ignored_with_a_message(client: Client):
    make_coordination_group(name="Still listed")

    response = client.get(
        URL,
        {
            "country": "ZZ",
            "continent": "XX",
            "kind": "spaceship",
            "region": "abc",
            "language": "<script>",
            "status": "nope",
            "sort": "random",
        },
    )

    html = response.content.decode()
    assert _names(response) == ["Still listed"]
    assert html.count("This filter was ignored.") == 7
    assert "<script>" not in html


def test_a_region_left_over_from_another_country_is_dropped_silently(client: Client):
    region, _locality = _place("FR")
    make_coordination_group(name="French", country=region.country, region=region)
    make_coordination_group(name="Portuguese", country=make_country(code="PT", name="Portugal"))

    response = client.get(URL, {"country": "PT", "region": region.pk})

    assert _names(response) == ["Portuguese"]
    assert "This filter was ignored." not in response.content.decode()


def test_directory_is_paginated_by_fifty_and_keeps_the_filters_in_page_links(client: Client):
    for number in range(52):
        make_coordination_group(name=f"Group {number:02d}", actor_type="Town")

    first = client.get(URL, {"actor_type": "Town"})
    second = client.get(URL, {"actor_type": "Town", "page": "2"})

    assert len(_names(first)) == 50
    assert _names(second) == ["Group 50", "Group 51"]
    assert 'href="?actor_type=Town&amp;page=2"' in first.content.decode()
    assert 'aria-current="page"' in second.content.decode()


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "1" * 40, "2.5"])
def test_odd_page_numbers_answer_a_page_with_a_message(client: Client, page: str):
    for number in range(3):
        make_coordination_group(name=f"Group {number}")

    response = client.get(URL, {"page": page})

    assert response.status_code == 200
    assert len(_names(response)) == 3
    assert 'role="alert"' in response.content.decode()


def test_directory_sorts_newest_first_on_request(client: Client):
    older = make_coordination_group(name="Aaa older")
    newer = make_coordination_group(name="Zzz newer")
    _set(older, created_at="2024-01-01T00:00:00Z")
    _set(newer, created_at="2025-01-01T00:00:00Z")

    assert _names(client.get(URL, {"sort": "newest"})) == ["Zzz newer", "Aaa older"]


def test_htmx_request_gets_the_results_fragment_and_responses_vary_on_it(client: Client):
    make_coordination_group(name="Fragmented", country=make_country())

    full = client.get(URL)
    fragment = client.get(URL, {"country": "FR"}, headers={"HX-Request": "true"})

    assert "<html" in full.content.decode()
    html = fragment.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="results"')
    assert "Fragmented" in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert "HX-Request" in full["Vary"]
    assert "HX-Request" in fragment["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client: Client):
    response = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert "<html" in response.content.decode()


def test_directory_form_works_without_javascript(client: Client):
    html = client.get(URL).content.decode()

    assert f'<form method="get" action="{URL}"' in html
    for name in ("q", "continent", "country", "region", "kind", "actor_type", "status", "language"):
        assert f'<label for="id_{name}">' in html
    assert '<caption class="visually-hidden">' not in html  # no table without rows


def _make_groups(count: int) -> None:
    region, locality = _place()
    for number in range(count):
        group = make_coordination_group(
            name=f"Counted {number}", country=region.country, region=region, locality=locality
        )
        make_homogeneous_group(tenant=group)


@pytest.mark.parametrize("count", [3, 30])
def test_directory_query_count_does_not_grow_with_rows(
    client: Client, django_assert_max_num_queries, count: int
):
    _make_groups(count)

    # Groups' version, facets (groups, countries, regions; cached after the first request),
    # homogeneous groups' version, count and one page of rows.
    with django_assert_max_num_queries(7):
        response = client.get(URL)
    with django_assert_max_num_queries(7):
        client.get(URL, {"q": "counted", "country": "FR"}, headers={"HX-Request": "true"})

    assert len(_names(response)) == count


def test_directory_results_are_served_from_the_cache_until_a_group_changes(
    client: Client, django_assert_max_num_queries
):
    _make_groups(3)
    client.get(URL)

    # Both versions only: the rendered results come from the cache.
    with django_assert_max_num_queries(2):
        cached = client.get(URL)
    group = CoordinationGroup.objects.order_by("name").first()
    make_homogeneous_group(tenant=group)
    fresh = client.get(URL)

    assert cached.content.decode().count("<tr>") == 4
    assert _homogeneous_counts(cached) != _homogeneous_counts(fresh)


def _homogeneous_counts(response) -> list[str]:
    return re.findall(r"<td>(\d+)</td>\s*</tr>", response.content.decode())


def test_counting_the_directory_leaves_the_homogeneous_group_count_out():
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        coordination_group_directory(filters=DirectoryFilters()).count()

    assert "homogeneousgroup" not in queries[0]["sql"].lower()


@pytest.mark.postgres
def test_postgresql_search_matches_word_prefixes_across_languages(client: Client):
    make_coordination_group(name="Participação cidadã", platform_description="Jovens e idosos")
    make_coordination_group(name="Other", platform_description="Rien à voir")

    assert _names(client.get(URL, {"q": "particip"})) == ["Participação cidadã"]
    assert _names(client.get(URL, {"q": "jov idos"})) == ["Participação cidadã"]
    assert _names(client.get(URL, {"q": "voir"})) == ["Other"]


@pytest.mark.postgres
def test_postgresql_search_can_use_the_gin_index():
    from django.contrib.postgres.search import SearchQuery

    make_coordination_group(name="Indexed")
    sql, params = (
        CoordinationGroup.objects.alias(search=group_search_vector())
        .filter(search=SearchQuery("index:*", config="simple", search_type="raw"))
        .values("pk")
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "territories_cg_search_gin" in plan
