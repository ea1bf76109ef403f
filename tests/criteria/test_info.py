"""Info criteria pages: a group's classified criteria by family, component and question."""

import datetime
import re

import pytest
from django.urls import reverse

from criteria.models import Criterion, Question
from criteria.selectors import component_by_code
from criteria.services import criterion_classify, criterion_create, criterion_delete
from territories.models import Membership
from territories.services import membership_set
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_user,
)
from wikispiral.tenancy import cross_tenant, tenant_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant():
    return make_coordination_group(name="Mulhouse")


@pytest.fixture
def hg(tenant):
    with cross_tenant():
        return make_homogeneous_group(tenant=tenant, name="Young people of Drouot", slug="young")


def group_url(tenant) -> str:
    return reverse("info:group", kwargs={"cg": tenant.slug})


def hg_url(tenant, hg) -> str:
    return reverse("info:homogeneous_group", kwargs={"cg": tenant.slug, "hg": hg.slug})


def component_section(html: str, code: str) -> str:
    start = html.index(f'id="component-{code}"')
    return html[start : html.index("</section>", start)]


def questions_in(section: str) -> dict[str, list[str]]:
    """Question heading → texts listed under it."""
    found = {}
    pattern = r'<h5 class="info-question">(.*?) <span.*?<ul class="info-texts">(.*?)</ul>'
    for heading, items in re.findall(pattern, section, re.S):
        found[heading.strip()] = [
            re.sub(r"<span.*", "", item) for item in re.findall(r"<li[^>]*>(.*?)</li>", items)
        ]
    return found


def test_texts_are_grouped_under_family_component_and_question(client, tenant, hg):
    make_criterion(tenant=tenant, group=hg, question="Q1", text="Eating well", component="A01")
    make_criterion(tenant=tenant, group=hg, question="Q2", text="Going hungry", component="A01")
    make_criterion(tenant=tenant, group=hg, question="Q3", text="Sharing my bread", component="A01")
    make_criterion(tenant=tenant, group=hg, question="Q1", text="Family dinners", component="D01")
    make_criterion(
        tenant=tenant, group=hg, question="Q3", text="Helping a neighbour", component="H03"
    )

    response = client.get(group_url(tenant))

    html = response.content.decode()
    assert response.status_code == 200
    assert questions_in(component_section(html, "A01")) == {
        "Well-being": ["Eating well"],
        "Ill-being": ["Going hungry"],
        "What I can do": ["Sharing my bread"],
    }
    assert questions_in(component_section(html, "D01")) == {"Well-being": ["Family dinners"]}
    assert questions_in(component_section(html, "H03")) == {
        "What I can do": ["Helping a neighbour"]
    }
    # Families in grid order, each under its own heading with its count.
    assert html.index('id="family-A"') < html.index('id="family-D"') < html.index('id="family-H"')
    family_a = html[html.index('id="family-A"') : html.index('id="family-D"')]
    assert "3 criteria" in family_a
    assert 'id="component-A02"' not in html  # components without criteria are left out
    assert "57 components have no classified criterion here and are left out." in html
    assert "5 classified criteria, in 3 of the 60 components of the grid." in html


def test_unclassified_and_disputed_criteria_are_counted_not_listed(client, tenant, hg):
    make_criterion(tenant=tenant, group=hg, text="Classified one", component="A01")
    make_criterion(tenant=tenant, group=hg, text="Still waiting")
    make_criterion(
        tenant=tenant,
        group=hg,
        text="Under dispute",
        component="A02",
        status=Criterion.Status.DISPUTED,
    )

    html = client.get(group_url(tenant)).content.decode()

    assert "Classified one" in html
    assert "Still waiting" not in html
    assert "Under dispute" not in html
    assert "2 more criteria still await classification" in html


def test_no_author_is_named_even_to_the_groups_facilitator(client_for, tenant, hg):
    author = make_user(username="zebulon", display_name="Zebulon Quill")
    membership_set(group=tenant, user=author, role=Membership.Role.FACILITATOR)
    with tenant_scope(tenant):
        criterion = criterion_create(
            tenant=tenant,
            group=hg,
            question=Question.objects.shared().get(code="Q1"),
            text="Clean streets",
            actor=author,
        )
        criterion_classify(
            tenant=tenant,
            criterion=criterion,
            component=component_by_code(code="B01"),
            actor=author,
        )

    html = client_for(author).get(group_url(tenant)).content.decode()
    html_main = html[html.index("<main") : html.index("</main>")]

    assert "Clean streets" in html_main
    assert "Zebulon" not in html_main
    assert "zebulon" not in html_main


def test_year_filter_lists_only_that_years_criteria(client, tenant, hg):
    make_criterion(
        tenant=tenant,
        group=hg,
        text="Said in 2024",
        component="A01",
        session_date=datetime.date(2024, 5, 2),
    )
    make_criterion(
        tenant=tenant,
        group=hg,
        text="Said in 2025",
        component="A01",
        session_date=datetime.date(2025, 1, 20),
    )
    make_criterion(tenant=tenant, group=hg, text="Waiting", session_date=datetime.date(2024, 6, 1))

    response = client.get(group_url(tenant), {"year": "2024"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Said in 2024" in html
    assert "Said in 2025" not in html
    assert '<option value="2024" selected>2024</option>' in html
    assert '<option value="2025">2025</option>' in html
    assert "1 classified criterion from 2024" in html
    assert "1 more criterion still awaits classification" in html
    all_years = client.get(group_url(tenant)).content.decode()
    assert "Said in 2024" in all_years and "Said in 2025" in all_years


@pytest.mark.parametrize("year", ["1999", "not-a-year", "2024.5"])
def test_a_year_without_criteria_is_refused_with_a_message(client, tenant, hg, year):
    make_criterion(
        tenant=tenant,
        group=hg,
        text="Said in 2024",
        component="A01",
        session_date=datetime.date(2024, 5, 2),
    )

    response = client.get(group_url(tenant), {"year": year})

    html = response.content.decode()
    assert response.status_code == 400
    assert "There are no criteria from" in html
    assert "Said in 2024" not in html


def test_homogeneous_group_page_lists_that_groups_criteria_only(client, tenant, hg):
    with cross_tenant():
        other = make_homogeneous_group(tenant=tenant, name="Elderly people", slug="elderly")
    make_criterion(tenant=tenant, group=hg, text="Ours", component="A05")
    make_criterion(tenant=tenant, group=other, text="Theirs", component="A05")

    response = client.get(hg_url(tenant, hg))
    html = response.content.decode()
    whole = client.get(group_url(tenant)).content.decode()

    assert response.status_code == 200
    assert "Ours" in html and "Theirs" not in html
    assert "Young people of Drouot" in html
    assert "Ours" in whole and "Theirs" in whole
    assert hg_url(tenant, hg) in whole and hg_url(tenant, other) in whole


def test_hidden_group_pages_are_404_to_the_public_and_to_outsiders(client, client_for, tenant, hg):
    make_criterion(tenant=tenant, group=hg, text="Hidden text", component="A01")
    tenant.is_hidden = True
    tenant.save(update_fields=["is_hidden"])
    outsider = make_user()
    membership_set(group=make_coordination_group(), user=outsider, role=Membership.Role.FACILITATOR)

    # Anonymous: the login offer instead (wikispiral.tenancy.login_offer).
    for reader, refused in ((client, 302), (client_for(outsider), 404)):
        assert reader.get(group_url(tenant)).status_code == refused
        assert reader.get(hg_url(tenant, hg)).status_code == refused


def test_another_groups_homogeneous_group_is_not_found_here(client, tenant):
    other_tenant = make_coordination_group()
    with cross_tenant():
        theirs = make_homogeneous_group(tenant=other_tenant, slug="theirs")
    make_criterion(tenant=other_tenant, group=theirs, text="Their criterion", component="A01")

    response = client.get(
        reverse("info:homogeneous_group", kwargs={"cg": tenant.slug, "hg": "theirs"})
    )

    # Anonymous: the login offer, the same for both (wikispiral.tenancy.login_offer).
    assert response.status_code == 302
    assert client.get(reverse("info:group", kwargs={"cg": "no-such-group"})).status_code == 302


def test_same_text_written_twice_is_listed_once_with_its_count(client, tenant, hg):
    make_criterion(tenant=tenant, group=hg, text="Being happy", component="G01")
    make_criterion(tenant=tenant, group=hg, text="Being happy", component="G01")

    html = client.get(group_url(tenant)).content.decode()

    assert html.count("<li>Being happy") == 1
    assert "×2" in html and "written 2 times" in html


def test_page_follows_the_readers_language(client, tenant, hg):
    make_criterion(
        tenant=tenant, group=hg, question="Q2", text="Avoir faim", component="A01", language="fr"
    )
    make_criterion(tenant=tenant, group=hg, question="Q2", text="Going hungry", component="A01")

    english = client.get(group_url(tenant)).content.decode()
    french = client.get(group_url(tenant), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Ill-being" in english and "Accès aux moyens de vie" not in english
    assert "Mal-être" in french and "Accès aux moyens de vie" in french
    assert '<li lang="fr">Avoir faim</li>' in english
    assert '<li lang="en">Going hungry</li>' in french


def test_a_groups_own_question_gets_its_heading(client, tenant, hg):
    own = Question.objects.create(
        tenant=tenant,
        code="Q4",
        order=4,
        texts={"en": "Future generations?"},
        short_names={"en": "Future generations"},
    )
    make_criterion(tenant=tenant, group=hg, text="Planting trees", component="I03")
    with cross_tenant():
        Criterion.objects.filter(text="Planting trees").update(question=own)

    html = client.get(group_url(tenant)).content.decode()

    assert questions_in(component_section(html, "I03")) == {
        "Future generations": ["Planting trees"]
    }


def _criteria_over_many_components(tenant, hg, count: int) -> None:
    codes = ["A01", "A05", "B02", "C01", "D03", "E02", "F01", "G04", "H05", "I02"]
    for number in range(count):
        make_criterion(
            tenant=tenant,
            group=hg,
            question=("Q1", "Q2", "Q3")[number % 3],
            text=f"Criterion {number}",
            component=codes[number % len(codes)],
            session_date=datetime.date(2020 + number % 5, 3, 1),
        )


@pytest.mark.parametrize("count", [3, 60])
def test_query_count_does_not_grow_with_criteria(
    client, tenant, hg, count, django_assert_num_queries
):
    _criteria_over_many_components(tenant, hg, count)

    # Cold: group, grid, version, years, families, components, questions, criteria, the list of
    # homogeneous groups. Warm: group, grid, version, the list of homogeneous groups.
    with django_assert_num_queries(9):
        client.get(group_url(tenant))
    with django_assert_num_queries(4):
        client.get(group_url(tenant))
    # One homogeneous group: its lookup instead of the list.
    with django_assert_num_queries(9):
        client.get(hg_url(tenant, hg))
    with django_assert_num_queries(4):
        client.get(hg_url(tenant, hg))


def test_cached_page_shows_a_new_criterion_at_once(client, tenant, hg):
    make_criterion(tenant=tenant, group=hg, text="First", component="A01")
    facilitator = make_user()
    assert "First" in client.get(group_url(tenant)).content.decode()

    with tenant_scope(tenant):
        criterion = criterion_create(
            tenant=tenant,
            group=hg,
            question=Question.objects.shared().get(code="Q1"),
            text="Second",
            actor=facilitator,
        )
    assert "Second" not in client.get(group_url(tenant)).content.decode()  # not classified yet
    with tenant_scope(tenant):
        criterion_classify(
            tenant=tenant,
            criterion=criterion,
            component=component_by_code(code="A02"),
            actor=facilitator,
        )

    html = client.get(group_url(tenant)).content.decode()
    assert "First" in html and "Second" in html


def test_cached_page_drops_a_deleted_criterion_at_once(client, tenant, hg):
    older = make_criterion(tenant=tenant, group=hg, text="Typed by mistake", component="A01")
    make_criterion(tenant=tenant, group=hg, text="Kept", component="A01")
    assert "Typed by mistake" in client.get(hg_url(tenant, hg)).content.decode()
    assert "Typed by mistake" in client.get(group_url(tenant)).content.decode()

    # The older one goes: the latest change stays the same, only the count tells.
    with tenant_scope(tenant):
        criterion_delete(tenant=tenant, criterion=older, actor=make_user())

    assert "Typed by mistake" not in client.get(group_url(tenant)).content.decode()
    assert "Typed by mistake" not in client.get(hg_url(tenant, hg)).content.decode()


def test_htmx_request_gets_the_results_only(client, tenant, hg):
    make_criterion(tenant=tenant, group=hg, text="Clean air", component="B01")

    response = client.get(group_url(tenant), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="info-results"')
    assert "<html" not in html and "Clean air" in html
    assert "HX-Request" in response["Vary"]


def test_page_without_criteria_says_so(client, tenant, hg):
    response = client.get(group_url(tenant))

    assert response.status_code == 200
    assert "No criterion is classified yet." in response.content.decode()


def test_only_get_is_allowed(client, tenant):
    assert client.post(group_url(tenant)).status_code == 405
