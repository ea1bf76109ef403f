"""Synthesis pages: figures read from the snapshot, filters, the empty and bad cases, hidden
groups, the drill-down, comparisons, the narrative, recomputing with its progress, and what
the pages cost in queries."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from syntheses import services
from syntheses.models import PendingScope, Scope, SynthesisPage
from syntheses.pages import synthesis_page_ensure
from syntheses.selectors import Filters, scope_get, snapshot_get, synthesis_figures
from territories.models import Membership, Profile
from territories.secretariat.services import coordination_group_hide
from territories.services import membership_set
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_user,
    network_space,
)
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Page

pytestmark = pytest.mark.django_db

day = datetime.date


@pytest.fixture
def world():
    """A platform with young people (2024, 2025, English) and elderly people (2025, French),
    another platform in the same country, computed."""
    facilitator = make_user(username="facilitator")
    tenant = make_coordination_group(name="Lyon", facilitator=facilitator)
    young_profile, elder_profile = Profile.objects.order_by("order")[:2]
    with cross_tenant():
        young = make_homogeneous_group(
            tenant=tenant, name="Young", profile=young_profile, participants=10
        )
        elders = make_homogeneous_group(
            tenant=tenant, name="Elders", profile=elder_profile, participants=8
        )
    for text, question, component, date in [
        ("Eating together", "Q1", "A01", day(2024, 3, 1)),
        ("Fresh bread", "Q1", "A01", day(2025, 3, 1)),
        ("A decent home", "Q1", "A02", day(2025, 3, 1)),
        ("Being alone", "Q2", "D01", day(2025, 3, 1)),
    ]:
        make_criterion(
            tenant=tenant,
            group=young,
            question=question,
            component=component,
            text=text,
            session_date=date,
        )
    make_criterion(
        tenant=tenant,
        group=elders,
        question="Q2",
        component="F01",
        language="fr",
        text="Avoir mal au dos",
        session_date=day(2025, 6, 1),
    )
    make_criterion(tenant=tenant, group=elders)  # waiting: never counted
    other = make_coordination_group(name="Paris")
    make_criterion(tenant=other, component="A01", text="Good food", session_date=day(2025, 1, 1))
    make_criterion(tenant=other, component="I01", text="Clean air", session_date=day(2025, 1, 1))
    services.syntheses_recompute_all()
    return {
        "tenant": tenant,
        "other": other,
        "young": young,
        "elders": elders,
        "facilitator": facilitator,
        "elder_profile": elder_profile,
    }


def _url(name: str, key: str, **kwargs) -> str:
    return reverse(f"syntheses:{name}", kwargs={"key": key, **kwargs})


def _row(html: str, key: str) -> list[str]:
    """The cells of the family → component table's row for key (A, A01…)."""
    match = re.search(rf'<tr class="synthesis-\w+-row" data-key="{key}">(.*?)</tr>', html, re.S)
    assert match, f"no table row for {key}"
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", match[1], re.S)
    ]


# --- The synthesis page -----------------------------------------------------------------------


def test_figures_on_the_page_match_the_snapshot(client, world):
    tenant = world["tenant"]
    key = f"cg-{tenant.pk}"
    figures = synthesis_figures(snapshot_get(scope_get(key)))

    response = client.get(_url("synthesis", key))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Lyon" in html
    totals = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html))
    assert totals == {"Criteria": "5", "Homogeneous groups": "2", "Participants": "18"}
    assert figures.total == 5
    # A01: Q1 2, Q2 0, Q3 0, total 2, share 40.0%, then the drill-down link.
    assert _row(html, "A01")[:6] == ["A01 · Food / drink", "2", "0", "0", "2", "40.0%"]
    assert _row(html, "A")[1:6] == ["3", "0", "0", "3", "60.0%"]
    assert _row(html, "F01")[1:6] == ["0", "1", "0", "1", "20.0%"]
    assert _url("criteria", key, code="A01") in html
    assert "Components nobody mentioned" in html
    assert 'data-key="I01"' in html.split('id="synthesis-unmentioned"')[1]
    assert "grid version 1" in html
    assert 'aria-current="page">Lyon</a>' in html
    assert f'href="{_url("synthesis", f"country-{tenant.country_id}")}"' in html
    assert f'href="{_url("synthesis", "network")}"' in html


def test_every_scope_level_has_a_page(client, world):
    tenant, young = world["tenant"], world["young"]
    keys = [
        f"hg-{young.pk}",
        f"cg-{tenant.pk}",
        f"country-{tenant.country_id}",
        f"continent-{tenant.country.continent_id}",
        "network",
    ]

    statuses = [client.get(_url("synthesis", key)).status_code for key in keys]

    assert statuses == [200] * len(keys)
    country = client.get(_url("synthesis", f"country-{tenant.country_id}")).content.decode()
    assert re.search(r"<dt>Criteria</dt><dd>7</dd>", country)


def test_filters_narrow_the_figures(client, world):
    key = f"cg-{world['tenant'].pk}"

    in_2025 = client.get(_url("synthesis", key), {"year_from": 2025, "year_to": 2025})
    one_year = client.get(_url("synthesis", key), {"year": 2024})
    ill_being = client.get(_url("synthesis", key), {"question": "Q2"})
    elders = client.get(_url("synthesis", key), {"profile": world["elder_profile"].pk})
    french = client.get(_url("synthesis", key), {"language": "fr"})

    assert "<dt>Criteria</dt><dd>4</dd>" in in_2025.content.decode()
    assert "<dt>Criteria</dt><dd>1</dd>" in one_year.content.decode()
    ill = ill_being.content.decode()
    assert "<dt>Criteria</dt><dd>2</dd>" in ill
    assert 'id="question-q2"' in ill and 'id="question-q1"' not in ill
    assert _row(ill, "F01")[1:4] == ["1", "1", "50.0%"]
    assert "<dt>Participants</dt><dd>8</dd>" in elders.content.decode()
    assert "<dt>Criteria</dt><dd>1</dd>" in french.content.decode()
    # The filters are kept in the drill-down links.
    assert _url("criteria", key, code="F01") + "?question=Q2" in ill


def test_htmx_filter_request_swaps_the_results_only(client, world):
    key = f"cg-{world['tenant'].pk}"

    response = client.get(_url("synthesis", key), {"question": "Q1"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="synthesis-results"')
    assert 'hx-swap-oob="innerHTML"' in html and "3 criteria" in html
    assert "HX-Request" in response["Vary"]


def test_scope_without_criteria_says_no_criteria_yet(client, world):
    lonely = make_coordination_group(name="Quiet town")
    never_computed = make_coordination_group(name="New town")
    services.syntheses_recompute_all()
    PendingScope.objects.all().delete()
    from syntheses.models import Snapshot

    Snapshot.objects.filter(scope=Scope.COORDINATION_GROUP, scope_id=never_computed.pk).delete()

    for group in (lonely, never_computed):
        response = client.get(_url("synthesis", f"cg-{group.pk}"))
        assert response.status_code == 200
        assert "No criteria yet" in response.content.decode()


def test_filters_matching_nothing_offer_to_clear_them(client, world):
    key = f"cg-{world['tenant'].pk}"

    response = client.get(_url("synthesis", key), {"year_from": 2030})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing matches these filters." in html
    assert f'<a href="{_url("synthesis", key)}">Clear the filters</a>' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"year_from": "last"}, "Give a year as a number"),
        ({"year_to": "99999"}, "Give a year between 1900 and 2200"),
        ({"question": "Q9"}, "There is no such question"),
        # Refused at the edge (wikispiral/edge.py), before any filter is read.
        ({"question": "Q1\x00"}, "Bad request"),
        ({"profile": "999999"}, "There is no such group profile"),
        ({"profile": "young"}, "Choose a group profile from the list"),
        ({"language": "<script>"}, "Choose a language from the list"),
        ({"year_from": 2025, "year_to": 2024}, "The first year of the period comes after the last"),
    ],
)
def test_bad_filters_answer_400_with_the_message(client, world, query, message):
    key = f"cg-{world['tenant'].pk}"

    page = client.get(_url("synthesis", key), query)
    fragment = client.get(_url("synthesis", key), query, HTTP_HX_REQUEST="true")
    drill = client.get(_url("criteria", key, code="A01"), query)
    compare = client.get(_url("compare", key), {**query, "with": "network"})

    for response in (page, fragment, drill, compare):
        assert response.status_code == 400
        assert message in response.content.decode()
    assert "<script>" not in page.content.decode().split("<main")[1]


def test_values_the_scope_lacks_but_that_exist_are_not_errors(client, world):
    key = f"hg-{world['young'].pk}"

    response = client.get(_url("synthesis", key), {"profile": world["elder_profile"].pk})

    assert response.status_code == 200
    assert "Nothing matches these filters." in response.content.decode()


@pytest.mark.parametrize(
    "key",
    [
        "cg-999999",
        "planet-1",
        "network-0",
        "hg-0",
        "country-012",
        "country-99999999999",
        "country-",
        "CG-1",
    ],
)
def test_unknown_scope_is_404(client, world, key):
    assert client.get(_url("synthesis", key)).status_code == 404
    assert client.get(_url("criteria", key, code="A01")).status_code == 404
    assert client.get(_url("compare", key)).status_code == 404


def test_hidden_group_is_404_but_to_its_members_and_the_secretariat(client, client_for, world):
    tenant, young = world["tenant"], world["young"]
    coordination_group_hide(group=tenant, actor=make_user(secretariat=True), reason="Spam")
    outsider = make_user()
    make_coordination_group(name="Elsewhere", facilitator=outsider)
    member = make_user()
    membership_set(group=tenant, user=member, role=Membership.Role.MEMBER)
    urls = [
        _url("synthesis", f"cg-{tenant.pk}"),
        _url("synthesis", f"hg-{young.pk}"),
        _url("criteria", f"cg-{tenant.pk}", code="A01"),
        _url("compare", f"cg-{tenant.pk}") + "?with=network",
    ]

    for url in urls:
        assert client.get(url).status_code == 404
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(world["facilitator"]).get(url).status_code == 200
        assert client_for(member).get(url).status_code == 200
        assert client_for(make_user(secretariat=True)).get(url).status_code == 200
    # Comparing with it is refused as an unknown synthesis, without saying it exists.
    elsewhere = client_for(outsider).get(_url("compare", "network"), {"with": f"cg-{tenant.pk}"})
    assert elsewhere.status_code == 400
    assert "There is no such synthesis to compare with." in elsewhere.content.decode()


# --- Drill-down -------------------------------------------------------------------------------


def test_drill_down_lists_the_texts_and_paginates(client, world):
    tenant, young = world["tenant"], world["young"]
    for number in range(55):
        make_criterion(
            tenant=tenant,
            group=young,
            component="B01",
            text=f"Text {number:02d}",
            session_date=day(2025, 1, 1) + datetime.timedelta(days=number),
        )
    url = _url("criteria", f"cg-{tenant.pk}", code="B01")

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    filtered = client.get(url, {"year": 2025, "question": "Q1"}).content.decode()

    assert "55 criteria." in first and "Page 1 of 2." in first
    assert first.count('<span class="synthesis-criterion-text">') == 50
    assert "Text 54" in first and "Text 04" not in first
    assert second.count('<span class="synthesis-criterion-text">') == 5
    assert "Text 00" in second
    assert "?year_from=2025&amp;year_to=2025&amp;question=Q1&amp;page=2" in filtered
    assert f'href="{_url("synthesis", f"cg-{tenant.pk}")}?year_from=2025' in filtered


def test_drill_down_shows_only_published_criteria(client, world):
    tenant = world["tenant"]
    url = _url("criteria", f"country-{tenant.country_id}", code="F01")

    before = client.get(url).content.decode()
    coordination_group_hide(group=tenant, actor=make_user(secretariat=True), reason="Spam")
    after = client.get(url).content.decode()

    assert "Avoir mal au dos" in before and 'lang="fr"' in before
    assert "Avoir mal au dos" not in after


def test_drill_down_of_an_unknown_component_is_404(client, world):
    key = f"cg-{world['tenant'].pk}"

    assert client.get(_url("criteria", key, code="Z99")).status_code == 404
    assert client.get(_url("criteria", key, code="A0\x00")).status_code == 404
    assert client.get(_url("criteria", key, code="a01")).status_code == 200


# --- Comparison -------------------------------------------------------------------------------


def test_compare_shows_both_sides_and_the_differences(client, world):
    tenant, other = world["tenant"], world["other"]

    response = client.get(_url("compare", f"cg-{tenant.pk}"), {"with": f"cg-{other.pk}"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Lyon against Paris" in html
    # A01: Lyon 2 of 5 (40.0%), Paris 1 of 2 (50.0%): 10 points lower, in bold.
    a01 = re.search(r'data-key="A01">(.*?)</tr>', html, re.S)[1]
    assert ">2<" in a01 and "40.0%" in a01 and ">1<" in a01 and "50.0%" in a01
    assert "compare-down compare-strong" in a01 and "\u221210.0" in a01 and "lower" in a01
    d01 = re.search(r'data-key="D01">(.*?)</tr>', html, re.S)[1]
    assert "compare-up" in d01 and "+20.0" in d01 and "higher" in d01
    i01 = re.search(r'data-key="I01">(.*?)</tr>', html, re.S)[1]
    assert "0.0%" in i01 and "\u221250.0" in i01
    svg = re.search(r"<svg.*?</svg>", html, re.S)[0]
    parsed = ET.fromstring(svg)  # noqa: S314 - our own markup, parsed to check it is XML
    assert parsed.find("{http://www.w3.org/2000/svg}title") is not None


def test_compare_this_year_against_last_year(client, world):
    key = f"cg-{world['tenant'].pk}"

    response = client.get(_url("compare", key), {"with": key, "year": 2025, "with_year": 2024})

    html = response.content.decode()
    assert "Lyon (2025) against Lyon (2024)" in html
    a01 = re.search(r'data-key="A01">(.*?)</tr>', html, re.S)[1]
    assert "25.0%" in a01 and "100.0%" in a01 and "\u221275.0" in a01
    # The synthesis page offers it in one link.
    page = client.get(_url("synthesis", key)).content.decode()
    assert "2025 against 2024" in page
    assert "with_year_from=2024" in page


def test_compare_two_profiles_in_one_place(client, world):
    key = f"cg-{world['tenant'].pk}"
    young_profile = world["young"].profile_id

    response = client.get(
        _url("compare", key),
        {"with": key, "profile": young_profile, "with_profile": world["elder_profile"].pk},
    )

    html = response.content.decode()
    assert "Lyon (Young people) against Lyon (Elderly people)" in html
    f01 = re.search(r'data-key="F01">(.*?)</tr>', html, re.S)[1]
    assert "100.0%" in f01 and "\u2212100.0" in f01


def test_compare_without_a_choice_shows_the_form(client, world):
    response = client.get(_url("compare", f"cg-{world['tenant'].pk}"))

    assert response.status_code == 200
    assert 'name="with"' in response.content.decode()


def test_compare_with_an_unknown_scope_is_400(client, world):
    response = client.get(_url("compare", f"cg-{world['tenant'].pk}"), {"with": "cg-999999"})

    assert response.status_code == 400
    assert "There is no such synthesis to compare with." in response.content.decode()


def test_synthesis_page_offers_the_scopes_above_to_compare_with(client, world):
    tenant, young = world["tenant"], world["young"]

    html = client.get(_url("synthesis", f"cg-{tenant.pk}")).content.decode()

    form = html.split('class="filters synthesis-compare-form"')[1].split("</form>")[0]
    assert f'value="country-{tenant.country_id}"' in form
    assert 'value="network"' in form
    assert f'value="hg-{young.pk}"' in form


# --- Narrative --------------------------------------------------------------------------------


def test_facilitator_writes_the_narrative_in_the_group_space(client_for, client, world):
    tenant = world["tenant"]
    key = f"cg-{tenant.pk}"
    facilitator = client_for(world["facilitator"])

    response = facilitator.post(_url("narrative", key))
    again = facilitator.post(_url("narrative", key))

    synthesis_page = SynthesisPage.objects.select_related("page__space").get()
    page = synthesis_page.page
    assert (synthesis_page.scope, synthesis_page.scope_id) == (Scope.COORDINATION_GROUP, tenant.pk)
    assert page.space == tenant.space and page.title == "Synthesis: Lyon"
    assert response.status_code == 302 and response["Location"] == page.url_for("edit")
    assert again["Location"] == page.url_for("edit")
    assert Page.objects.filter(title="Synthesis: Lyon").count() == 1
    shown = facilitator.get(_url("synthesis", key)).content.decode()
    assert "What this synthesis shows" in shown and "To be written" in shown
    assert f'href="{page.url_for("edit")}">Edit the narrative' in shown
    public = client.get(_url("synthesis", key)).content.decode()
    assert "To be written" in public and "Edit the narrative" not in public


def test_narrative_is_rendered_as_the_wiki_renders_it(client, world):
    from wikispiral.wiki.services import page_revise

    tenant = world["tenant"]
    ref = scope_get(f"cg-{tenant.pk}")
    found = synthesis_page_ensure(ref=ref, actor=world["facilitator"])
    page = found.page
    page_revise(
        page=page,
        actor=world["facilitator"],
        title=page.title,
        body="## Food first\n\nPeople **share** meals.<script>alert(1)</script>",
        base_revision_id=page.current_revision_id,
    )

    html = client.get(_url("synthesis", f"cg-{tenant.pk}")).content.decode()

    assert "<strong>share</strong>" in html
    assert "<script>alert" not in html


def test_narrative_of_a_place_lives_in_the_network_space(client_for, world):
    country = world["tenant"].country_id
    writer = make_user()

    response = client_for(writer).post(_url("narrative", f"country-{country}"))

    page = SynthesisPage.objects.get(scope=Scope.COUNTRY, scope_id=country).page
    assert response.status_code == 302
    assert page.space == network_space() and page.title == "Synthesis: France"
    assert page.slug == f"synthesis-country-{country}"


def test_narrative_refuses_outsiders_and_sends_anonymous_readers_to_log_in(
    client, client_for, world
):
    key = f"cg-{world['tenant'].pk}"
    outsider = make_user()
    make_coordination_group(name="Elsewhere", facilitator=outsider)

    anonymous = client.post(_url("narrative", key))
    refused = client_for(outsider).post(_url("narrative", key))
    unconfirmed = client_for(make_user(confirmed=False)).post(_url("narrative", "network"))

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert refused.status_code == 404
    assert unconfirmed.status_code == 404
    assert not SynthesisPage.objects.exists()
    assert client_for(outsider).get(_url("narrative", key)).status_code == 405


def test_synthesis_page_ensure_takes_the_next_free_address(world):
    tenant = world["tenant"]
    from tests.factories import make_page

    make_page(space=tenant.space, title="Taken", slug=f"synthesis-cg-{tenant.pk}")
    ref = scope_get(f"cg-{tenant.pk}")

    found = synthesis_page_ensure(ref=ref, actor=world["facilitator"])

    assert found.page.slug == f"synthesis-cg-{tenant.pk}-2"
    assert synthesis_page_ensure(ref=ref, actor=world["facilitator"]).pk == found.pk


# --- Recompute and progress -------------------------------------------------------------------


def test_facilitator_asks_for_a_recomputation_and_follows_it(
    client_for, world, django_capture_on_commit_callbacks
):
    tenant = world["tenant"]
    key = f"cg-{tenant.pk}"
    facilitator = client_for(world["facilitator"])
    before = snapshot_get(scope_get(key)).computed_at

    with django_capture_on_commit_callbacks(execute=False):
        response = facilitator.post(_url("recompute", key))
    assert response.status_code == 302
    assert response["Location"].startswith(_url("status", key) + "?since=")
    assert PendingScope.objects.filter(scope=Scope.COORDINATION_GROUP, scope_id=tenant.pk).exists()
    waiting = facilitator.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in waiting
    assert '<progress id="synthesis-progress-bar" max="3" value="1">' in waiting
    PendingScope.objects.update(claimed_at=timezone.now())
    computing = facilitator.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'value="2"' in computing and "Being computed" in computing

    PendingScope.objects.update(claimed_at=None)
    services.syntheses_recompute_pending()
    done = facilitator.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    page = facilitator.get(response["Location"]).content.decode()

    assert 'value="3"' in done and "hx-trigger" not in done and "Done" in done
    assert _url("synthesis", key) in done
    assert snapshot_get(scope_get(key)).computed_at > before
    assert "<html" in page and 'aria-live="polite"' in page


def test_recompute_with_htmx_answers_the_status_fragment(client_for, world):
    key = f"cg-{world['tenant'].pk}"

    response = client_for(world["facilitator"]).post(_url("recompute", key), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "<progress" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_the_synthesis_page_shows_a_pending_update_to_facilitators(client, client_for, world):
    key = f"cg-{world['tenant'].pk}"
    PendingScope.objects.create(
        scope=Scope.COORDINATION_GROUP, scope_id=world["tenant"].pk, marked_at=timezone.now()
    )

    facilitator = client_for(world["facilitator"]).get(_url("synthesis", key)).content.decode()
    public = client.get(_url("synthesis", key)).content.decode()

    assert "Update the figures now" in facilitator and 'hx-trigger="every 1s"' in facilitator
    assert "Update the figures" not in public and "<progress" not in public


def test_recompute_refuses_outsiders_and_sends_anonymous_readers_to_log_in(
    client, client_for, world
):
    tenant = world["tenant"]
    outsider = make_user()
    make_coordination_group(name="Elsewhere", facilitator=outsider)
    editor = make_user()
    membership_set(group=tenant, user=editor, role=Membership.Role.EDITOR)
    cg, country = f"cg-{tenant.pk}", f"country-{tenant.country_id}"

    for name in ("recompute", "status"):
        method = "post" if name == "recompute" else "get"
        anonymous = getattr(client, method)(_url(name, cg))
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
        assert getattr(client_for(outsider), method)(_url(name, cg)).status_code == 404
        assert getattr(client_for(editor), method)(_url(name, cg)).status_code == 404
        # A place is the secretariat's to recompute.
        assert (
            getattr(client_for(world["facilitator"]), method)(_url(name, country)).status_code
            == 404
        )
    secretariat = client_for(make_user(secretariat=True))
    assert secretariat.post(_url("recompute", country)).status_code == 302
    assert secretariat.get(_url("status", country)).status_code == 200
    assert client_for(world["facilitator"]).get(_url("recompute", cg)).status_code == 405


# --- Cost -------------------------------------------------------------------------------------


def test_pages_never_read_criteria_and_their_query_count_is_pinned(
    client, client_for, world, django_assert_max_num_queries
):
    tenant = world["tenant"]
    country = f"country-{tenant.country_id}"
    url = _url("synthesis", country)
    facilitator = client_for(world["facilitator"])

    with CaptureQueriesContext(connection) as cold:
        assert client.get(url, {"question": "Q1"}).status_code == 200
    # Figures not cached yet: the country and its continent, the snapshot head then its cube,
    # questions and profiles for the filter lists, questions, families and components for the
    # figures, the narrative, the reports; what lies under it (its groups, their snapshots).
    assert len(cold) <= 13
    # Cached: the country and its continent, the snapshot head, the narrative, the reports,
    # what lies under it (its groups, their snapshots).
    with django_assert_max_num_queries(7):
        assert client.get(url, {"question": "Q1"}).status_code == 200
    facilitator.get(_url("synthesis", f"cg-{tenant.pk}"))
    # Session and user, then the scope's group, country and continent, the reader's role,
    # the snapshot head, pending update, homogeneous groups to compare with, narrative
    # (page, space, role in it), the reports panel (role twice, reports) and what lies under
    # it (its homogeneous groups, their snapshots).
    with django_assert_max_num_queries(15):
        assert facilitator.get(_url("synthesis", f"cg-{tenant.pk}")).status_code == 200
    with CaptureQueriesContext(connection) as others:
        client.get(_url("compare", country), {"with": "network"})
        facilitator.get(_url("status", f"cg-{tenant.pk}"))
        client.get(url, {"question": "Q2"}, HTTP_HX_REQUEST="true")
    statements = [query["sql"] for query in [*cold.captured_queries, *others.captured_queries]]
    assert not [sql for sql in statements if "criteria_criterion" in sql]


def test_warm_page_does_not_load_the_cube(client, world):
    url = _url("synthesis", "network")
    client.get(url)

    with CaptureQueriesContext(connection) as warm:
        client.get(url)

    assert not [q for q in warm.captured_queries if '"cube"' in q["sql"]]


def test_figures_follow_a_recomputation(client, world):
    tenant = world["tenant"]
    url = _url("synthesis", f"cg-{tenant.pk}")
    assert "<dt>Criteria</dt><dd>5</dd>" in client.get(url).content.decode()

    make_criterion(tenant=tenant, group=world["young"], component="A01")
    services.syntheses_recompute_all()

    assert "<dt>Criteria</dt><dd>6</dd>" in client.get(url).content.decode()


def test_filters_as_the_figures_use_them(world):
    snapshot = snapshot_get(scope_get(f"cg-{world['tenant'].pk}"))

    assert synthesis_figures(snapshot, Filters(year_from=2025, year_to=2025)).total == 4


# --- In a browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_filters_swap_the_figures_and_an_update_shows_its_progress(
    page, browser_login
):
    from playwright.sync_api import expect

    facilitator = make_user(username="amina")
    tenant = make_coordination_group(name="Praia", facilitator=facilitator)
    make_criterion(tenant=tenant, component="A01", session_date=day(2024, 5, 1))
    make_criterion(tenant=tenant, question="Q2", component="D01", session_date=day(2025, 5, 1))
    services.syntheses_recompute_all()
    problems: list[str] = []
    # Chromium reports every 4xx as "Failed to load resource" (the favicon, the 400 below):
    # what must not appear is anything else, such as a Content Security Policy refusal.
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and problems.append(message.text)
        ),
    )
    browser_login(facilitator)

    page.goto(_url("synthesis", f"cg-{tenant.pk}"))
    expect(page.locator("#question-q1")).to_be_visible()
    page.select_option("#id_question", "Q2")

    expect(page).to_have_url(re.compile(r"question=Q2"))
    expect(page.locator("#synthesis-announce")).to_have_text("1 criterion shown.")
    expect(page.locator("#question-q1")).to_have_count(0)
    page.select_option("#id_year_from", "2025")
    page.select_option("#id_year_to", "2024")
    expect(page.locator(".synthesis-bad-filters")).to_contain_text("comes after the last")

    page.get_by_role("button", name="Update the figures now").click()
    expect(page.locator("#synthesis-status progress")).to_have_attribute("value", "3")
    expect(page.locator("#synthesis-status")).to_contain_text("Done")
    assert problems == []
