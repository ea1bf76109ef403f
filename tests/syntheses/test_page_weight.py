"""Light synthesis pages (issue 16): under 40 KB of HTML before compression in the worst case,
a network whose criteria answer every component of the grid for all three questions. Each
question's charts (its families, and each family's components) are a page of their own, which
the synthesis page links to and htmx loads in place; that page is light too, and follows the
synthesis page's access rule."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse

from criteria.models import Component
from syntheses import charts, services
from syntheses.selectors import Filters, scope_get, snapshot_get, synthesis_figures
from territories.models import Membership, Profile
from territories.secretariat.services import coordination_group_hide
from territories.services import membership_set
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_user,
)
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db

LIMIT = 40 * 1024
# A period that keeps every criterion, so every component stays on the page, and each of its
# links carries the filters.
FILTERS = "year_from=2023&year_to=2025"


@pytest.fixture
def worst():
    """Two coordination groups of one country, three homogeneous groups each (three profiles,
    three languages, three years), and criteria in every component for every question."""
    facilitator = make_user(username="facilitator")
    lyon = make_coordination_group(name="Lyon", facilitator=facilitator)
    paris = make_coordination_group(name="Paris", country=lyon.country)
    profiles = list(Profile.objects.order_by("order")[:3])
    with cross_tenant():
        groups = [
            make_homogeneous_group(tenant=tenant, profile=profile, participants=9)
            for tenant in (lyon, paris)
            for profile in profiles
        ]
    codes = Component.objects.filter(version__is_current=True).values_list("code", flat=True)
    for index, code in enumerate(codes):
        for question in ("Q1", "Q2", "Q3"):
            for group in (groups[index % 3], groups[3 + index % 3]):
                make_criterion(
                    tenant=group.tenant,
                    group=group,
                    question=question,
                    component=code,
                    language=("en", "fr", "pt")[index % 3],
                    session_date=datetime.date(2023 + index % 3, 5, 1),
                )
    services.syntheses_recompute_all()
    return {"lyon": lyon, "facilitator": facilitator, "components": len(codes)}


def _url(name: str, key: str, **kwargs) -> str:
    return reverse(f"syntheses:{name}", kwargs={"key": key, **kwargs})


def _weights(client, url: str) -> dict[str, int]:
    """The page's size in bytes in each language, with and without filters."""
    sizes = {}
    for language, _name in settings.LANGUAGES:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for query in ("", FILTERS):
            response = client.get(f"{url}?{query}" if query else url)
            assert response.status_code == 200, f"{url}?{query} ({language})"
            sizes[f"{language}{' filtered' if query else ''}"] = len(response.content)
    return sizes


def test_worst_case_synthesis_pages_are_under_40_kb(client, client_for, worst):
    lyon = worst["lyon"]
    network = synthesis_figures(snapshot_get(scope_get("network")))
    assert sum(len(family.components) for family in network.families) == worst["components"]
    assert all(count for count in network.by_question.values())
    pages = {
        "network": _url("synthesis", "network"),
        "country": _url("synthesis", f"country-{lyon.country_id}"),
        "coordination group": _url("synthesis", f"cg-{lyon.pk}"),
    }

    weights = {name: _weights(client, url) for name, url in pages.items()}
    # Its facilitator sees more: the narrative to write, PDF reports to ask for, an update.
    weights["coordination group, its facilitator"] = _weights(
        client_for(worst["facilitator"]), pages["coordination group"]
    )

    report = "; ".join(
        f"{name}: "
        + ", ".join(f"{variant} {size / 1024:.1f} KB" for variant, size in sizes.items())
        for name, sizes in weights.items()
    )
    heaviest = max(size for sizes in weights.values() for size in sizes.values())
    assert heaviest < LIMIT, f"over 40 KB: {report}"
    print(f"Synthesis pages, HTML: {report}")


def test_worst_case_charts_of_a_question_are_under_40_kb(client, worst):
    key = f"country-{worst['lyon'].country_id}"
    weights = {
        question: _weights(client, _url("components", key, question=question))
        for question in ("Q1", "Q2", "Q3")
    }

    report = "; ".join(
        f"{question}: "
        + ", ".join(f"{variant} {size / 1024:.1f} KB" for variant, size in sizes.items())
        for question, sizes in weights.items()
    )
    assert max(size for sizes in weights.values() for size in sizes.values()) < LIMIT, report
    print(f"A question's charts, HTML: {report}")


# --- The charts of a question -----------------------------------------------------------------


@pytest.fixture
def lyon():
    tenant = make_coordination_group(name="Lyon")
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, participants=5)
    for question, component, year in [
        ("Q1", "A01", 2024),
        ("Q1", "A01", 2025),
        ("Q1", "A02", 2025),
        ("Q1", "D01", 2025),
        ("Q2", "F01", 2025),
    ]:
        make_criterion(
            tenant=tenant,
            group=group,
            question=question,
            component=component,
            session_date=datetime.date(year, 3, 1),
        )
    services.syntheses_recompute_all()
    return tenant


def test_the_charts_of_a_question_are_those_of_the_figures_under_the_filters(client, lyon):
    key = f"cg-{lyon.pk}"
    figures = synthesis_figures(
        snapshot_get(scope_get(key)), Filters(year_from=2025, year_to=2025, question="Q1")
    )
    (expected,) = charts.question_charts(figures)

    page = client.get(_url("components", key, question="Q1"), {"year_from": 2025})
    fragment = client.get(
        _url("components", key, question="Q1"), {"year_from": 2025}, HTTP_HX_REQUEST="true"
    )

    html = page.content.decode()
    assert page.status_code == 200 and fragment.status_code == 200
    for chart in [expected.families, *(chart for _family, chart in expected.components)]:
        assert str(chart.svg) in html
        assert str(chart.svg) in fragment.content.decode()
    # A: A01 once in 2025, A02 once; D: D01.
    assert "A01 · Food / drink</th><td>1</td><td>50.0%</td>" in html
    assert [family.letter for family, _chart in expected.components] == ["A", "D"]
    # Back to the synthesis under the same filters, at the question.
    assert f'href="{_url("synthesis", key)}?year_from=2025#question-q1"' in html
    assert "<html" not in fragment.content.decode()
    assert fragment["Vary"] and "HX-Request" in fragment["Vary"]


def test_the_synthesis_page_links_each_question_to_its_charts_under_its_filters(client, lyon):
    key = f"cg-{lyon.pk}"

    html = client.get(_url("synthesis", key), {"year_from": 2025}).content.decode()

    url = _url("components", key, question="Q1") + "?year_from=2025"
    assert f'<a href="{url}" hx-get="{url}"' in html
    assert "3 answers. Most mentioned: A · Access to essential resources 2 (66.7%)" in html


@pytest.mark.parametrize(
    ("question", "query", "status"),
    [
        ("Q9", "", 404),  # no such question
        ("Q1-", "", 404),
        ("x" * 40, "", 404),
        ("Q1", "year_from=2026&year_to=2024", 400),
        ("Q1", "profile=abc", 400),
    ],
)
def test_unknown_questions_are_404_and_bad_filters_400(client, lyon, question, query, status):
    url = _url("components", f"cg-{lyon.pk}", question=question)

    assert client.get(f"{url}?{query}").status_code == status


def test_a_scope_never_computed_has_no_charts(client):
    tenant = make_coordination_group(name="Empty")

    assert client.get(_url("components", f"cg-{tenant.pk}", question="Q1")).status_code == 404


def test_the_charts_of_a_hidden_group_are_404_but_to_its_members_and_the_secretariat(
    client, client_for, lyon
):
    coordination_group_hide(group=lyon, actor=make_user(secretariat=True), reason="Spam")
    outsider = make_user()
    make_coordination_group(name="Elsewhere", facilitator=outsider)
    member = make_user()
    membership_set(group=lyon, user=member, role=Membership.Role.MEMBER)
    url = _url("components", f"cg-{lyon.pk}", question="Q1")

    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        assert client.get(url, **headers).status_code == 404
        assert client_for(outsider).get(url, **headers).status_code == 404
        assert client_for(member).get(url, **headers).status_code == 200
        assert client_for(make_user(secretariat=True)).get(url, **headers).status_code == 200


# --- In a browser -----------------------------------------------------------------------------


def _axe_violations(page) -> list[str]:
    """axe-core's findings on the page as it is (tests/browser/test_accessibility.py runs it on
    every main page as loaded; here, after the charts are loaded in place)."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [f"{found['id']}: {found['help']} ({len(found['nodes'])} nodes)" for found in violations]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_a_questions_charts_load_in_place_and_without_javascript_on_their_page(
    page, browser, live_server
):
    from playwright.sync_api import expect

    from tests.browser.helpers import browser_page

    tenant = make_coordination_group(name="Praia")
    make_criterion(tenant=tenant, component="A01")
    make_criterion(tenant=tenant, component="D01")
    make_criterion(tenant=tenant, question="Q2", component="F01")
    services.syntheses_recompute_all()
    problems: list[str] = []
    # Chromium reports the missing favicon as "Failed to load resource": anything else (a
    # Content Security Policy refusal) must not appear.
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and problems.append(message.text)
        ),
    )
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(_url("synthesis", f"cg-{tenant.pk}"))

    # With the keyboard: the link of Q1's charts, then Enter.
    link = page.locator("#question-q1 .synthesis-components-link a")
    link.focus()
    page.keyboard.press("Enter")

    charts_of_q1 = page.locator("#question-q1 .synthesis-components")
    expect(charts_of_q1).to_be_focused()
    expect(charts_of_q1).to_have_accessible_name(re.compile(r"^Q1 · Well-being"))
    expect(page).to_have_url(re.compile(rf"/syntheses/cg-{tenant.pk}/$"))
    expect(charts_of_q1.locator("svg#chart-q1-families")).to_be_visible()
    family_d = charts_of_q1.locator("details.synthesis-family", has_text="D · ")
    family_d.locator("> summary").focus()
    page.keyboard.press("Enter")
    expect(family_d.locator("svg#chart-q1-family-d")).to_be_visible()
    expect(page.locator("#question-q2 .synthesis-components-link a")).to_be_visible()
    assert problems == []
    assert _axe_violations(page) == []
    page.goto(_url("components", f"cg-{tenant.pk}", question="Q1"))
    assert _axe_violations(page) == []

    # Without JavaScript, the link is a page of its own, and the way back.
    with browser_page(browser, live_server.url, java_script_enabled=False) as plain:
        plain.goto(_url("synthesis", f"cg-{tenant.pk}"))
        plain.locator("#question-q1 .synthesis-components-link a").click()
        expect(plain).to_have_url(re.compile(r"/components/Q1/$"))
        expect(plain.locator("svg#chart-q1-family-d")).to_be_visible()
        plain.get_by_role("link", name="Back to the synthesis").click()
        expect(plain).to_have_url(re.compile(r"#question-q1$"))


def test_an_unknown_question_computes_and_caches_nothing(client, lyon, monkeypatch):
    """A made-up code answers 404 before any figure is computed: a script walking codes can
    neither burn the CPU on the snapshot nor fill the cache."""
    from syntheses import display, views

    computed = []
    original = display.question_charts_cached
    monkeypatch.setattr(
        views,
        "question_charts_cached",
        lambda *args, **kwargs: computed.append(args) or original(*args, **kwargs),
    )
    for code in ("ZZ1", "Q9", "A"):
        assert client.get(_url("components", f"cg-{lyon.pk}", question=code)).status_code == 404
    assert computed == []
    assert client.get(_url("components", f"cg-{lyon.pk}", question="Q1")).status_code == 200
    assert len(computed) == 1
