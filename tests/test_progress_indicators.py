"""Progress indicators (issue 17): a coordination group's scales of situations, from the worst
to the ideal, built from its synthesis, revised, translated, shared and adopted."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from criteria.models import Component, Family, GridMapping, GridVersion
from projects.indicators.selectors import criteria_for_component, synthesis_top_components
from projects.indicators.services import (
    IndicatorConflict,
    indicator_adopt,
    indicator_create,
    indicator_publish,
    indicator_share,
    indicator_update,
)
from projects.indicators.views import synthesis_scope_links
from projects.models import Indicator, IndicatorLevel, IndicatorRevision
from syntheses.hooks import register_scope_links
from territories.models import Membership
from territories.services import membership_set
from tests.factories import (
    make_coordination_group,
    make_criterion,
    make_homogeneous_group,
    make_user,
)
from wikispiral.audit.models import AuditEntry
from wikispiral.errors import DomainError
from wikispiral.tenancy import cross_tenant, tenant_scope

pytestmark = pytest.mark.django_db


@dataclass
class Setup:
    facilitator: object
    tenant: object
    group: object
    food: Component

    def url(self, name: str, **kwargs: object) -> str:
        return reverse(f"indicators:{name}", kwargs={"cg": self.tenant.slug, **kwargs})


@pytest.fixture
def setup() -> Setup:
    facilitator = make_user(username="ines")
    tenant = make_coordination_group(name="Villeneuve", facilitator=facilitator)
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant, name="Young people")
    food = Component.objects.get(version__is_current=True, code="A01")
    return Setup(facilitator, tenant, group, food)


def _create(setup: Setup, **extra: object) -> Indicator:
    values = {
        "tenant": setup.tenant,
        "actor": setup.facilitator,
        "component": setup.food,
        "language": "fr",
        "title": "Accès à une alimentation saine",
        "description": "",
        **extra,
    }
    return indicator_create(**values)


def _levels(indicator: Indicator) -> list[IndicatorLevel]:
    with cross_tenant():
        return list(
            IndicatorLevel.objects.filter(indicator=indicator)
            .prefetch_related("criteria")
            .order_by("position")
        )


def _count(model: type) -> int:
    with cross_tenant():
        return model.objects.count()


def _published(setup: Setup, **extra: object) -> Indicator:
    indicator = _create(setup, **extra)
    return indicator_publish(tenant=setup.tenant, actor=setup.facilitator, indicator=indicator)


def _formset(levels: list[dict], prefix: str = "level") -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(levels)),
        f"{prefix}-INITIAL_FORMS": str(len(levels)),
        f"{prefix}-MIN_NUM_FORMS": "2",
        f"{prefix}-MAX_NUM_FORMS": "10",
    }
    for index, level in enumerate(levels):
        data[f"{prefix}-{index}-name"] = level["name"]
        data[f"{prefix}-{index}-description"] = level.get("description", "")
        if level.get("criteria"):
            data[f"{prefix}-{index}-criteria"] = [str(pk) for pk in level["criteria"]]
    return data


def _superseded_food(setup: Setup) -> Component:
    """A01 of an older grid version, mapped to the current A01."""
    old = GridVersion.objects.create(number=0, name="The first grid", is_current=False)
    family = Family.objects.create(version=old, letter="A", names={"en": "Access to means"})
    component = Component.objects.create(
        version=old, family=family, code="A01", names={"en": "Food (old)"}
    )
    GridMapping.objects.create(from_component=component, to_component=setup.food)
    return component


# --- Creating -----------------------------------------------------------------------------------


def test_create_gives_five_default_levels_in_the_language_and_revision_one(setup):
    indicator = _create(setup)

    levels = _levels(indicator)
    assert [level.position for level in levels] == [1, 2, 3, 4, 5]
    assert all(set(level.texts) == {"fr"} and level.texts["fr"]["name"] for level in levels)
    assert indicator.lineage == indicator.pk
    assert indicator.revision == 1
    assert indicator.status == Indicator.Status.DRAFT
    assert indicator.texts == {"fr": {"title": "Accès à une alimentation saine"}}
    with cross_tenant():
        revision = IndicatorRevision.objects.get(indicator=indicator)
    assert revision.number == 1
    assert revision.content["component"] == setup.food.pk
    assert len(revision.content["levels"]) == 5
    assert AuditEntry.objects.filter(
        action="projects.indicator.created", target_id=str(indicator.pk)
    ).exists()


def test_create_with_a_custom_scale_of_three_levels_and_criteria(setup):
    hunger = make_criterion(
        tenant=setup.tenant, group=setup.group, question="Q2", component="A01", text="Hunger"
    )
    market = make_criterion(
        tenant=setup.tenant, group=setup.group, question="Q1", component="A01", text="Market"
    )
    levels = [
        {"name": "Faim", "description": "On saute des repas", "criteria": [hunger.pk]},
        {"name": "Juste", "description": "", "criteria": []},
        {"name": "Idéal", "description": "Légumes frais", "criteria": [market.pk]},
    ]

    indicator = _create(setup, levels=levels)

    saved = _levels(indicator)
    assert [level.texts["fr"]["name"] for level in saved] == ["Faim", "Juste", "Idéal"]
    assert [[c.pk for c in level.criteria.all()] for level in saved] == [
        [hunger.pk],
        [],
        [market.pk],
    ]
    assert "description" not in saved[1].texts["fr"]


def test_a_scale_of_fewer_than_two_levels_is_refused_and_nothing_is_saved(setup):
    with pytest.raises(DomainError) as refused:
        _create(setup, levels=[{"name": "Only one", "description": ""}])

    assert "at least 2 levels" in refused.value.message
    assert _count(Indicator) == 0
    assert _count(IndicatorLevel) == 0
    assert _count(IndicatorRevision) == 0


def test_the_new_page_refuses_one_level_with_a_message(setup, client_for):
    client = client_for(setup.facilitator)
    url = setup.url("new") + f"?component={setup.food.pk}&lang=en"

    response = client.post(
        url,
        {"title": "Food", "levels_count": "1", **_formset([{"name": "Only one"}])},
    )

    assert response.status_code == 400
    assert "A scale needs at least 2 levels" in response.content.decode()
    assert _count(Indicator) == 0


def test_the_new_page_creates_an_indicator_from_the_form(setup, client_for):
    client = client_for(setup.facilitator)
    hunger = make_criterion(tenant=setup.tenant, group=setup.group, question="Q2", component="A01")
    url = setup.url("new") + f"?component={setup.food.pk}&lang=en"
    page = client.get(url)
    assert page.status_code == 200
    assert hunger.text in page.content.decode()

    levels = [{"name": "Hungry", "criteria": [hunger.pk]}, {"name": "Fed"}, {"name": "Ideal"}]
    response = client.post(url, {"title": "Food", "levels_count": "3", **_formset(levels)})

    assert response.status_code == 302
    with cross_tenant():
        indicator = Indicator.objects.get()
    assert response["Location"] == setup.url("detail", indicator=indicator.pk)
    assert [[c.pk for c in level.criteria.all()] for level in _levels(indicator)][0] == [hunger.pk]


def test_changing_the_number_of_levels_draws_the_form_again_without_saving(setup, client_for):
    client = client_for(setup.facilitator)
    url = setup.url("new") + f"?component={setup.food.pk}&lang=en"
    levels = [{"name": f"L{n}"} for n in range(5)]

    response = client.post(
        url, {"title": "Food", "levels_count": "7", "action": "resize", **_formset(levels)}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="level-TOTAL_FORMS" value="7"' in html
    assert 'value="L4"' in html
    assert _count(Indicator) == 0


def test_a_component_of_a_superseded_grid_is_refused(setup):
    old = _superseded_food(setup)

    with pytest.raises(DomainError) as refused:
        _create(setup, component=old)

    assert "earlier version of the grid" in refused.value.message
    assert "A01" in refused.value.message
    assert _count(Indicator) == 0


def test_the_new_page_refuses_a_superseded_component(setup, client_for):
    old = _superseded_food(setup)
    client = client_for(setup.facilitator)

    response = client.get(setup.url("new") + f"?component={old.pk}&lang=en")

    assert response.status_code == 400
    assert "Choose a component of the current grid" in response.content.decode()


def test_criteria_of_another_platform_or_unclassified_are_refused(setup):
    other = make_coordination_group(name="Elsewhere")
    theirs = make_criterion(tenant=other, component="A01", question="Q2")
    waiting = make_criterion(tenant=setup.tenant, group=setup.group, question="Q2")

    for criterion in (theirs, waiting):
        levels = [
            {"name": "Bad", "criteria": [criterion.pk]},
            {"name": "Good", "criteria": []},
        ]
        with pytest.raises(DomainError) as refused:
            _create(setup, levels=levels)
        assert "not classified criteria of this coordination group" in refused.value.message
    assert _count(Indicator) == 0


def test_criteria_for_component_puts_ill_being_first(setup):
    make_criterion(tenant=setup.tenant, group=setup.group, question="Q1", component="A01")
    make_criterion(tenant=setup.tenant, group=setup.group, question="Q2", component="A01")
    make_criterion(tenant=setup.tenant, group=setup.group, question="Q2", component="B01")

    groups = criteria_for_component(setup.tenant, setup.food)

    assert [group.question.code for group in groups] == ["Q2", "Q1"]
    assert [group.total for group in groups] == [1, 1]


def test_the_new_page_starts_from_the_synthesis_top_components(setup, client_for):
    from syntheses.services import syntheses_recompute_all

    for _n in range(3):
        make_criterion(tenant=setup.tenant, group=setup.group, question="Q2", component="A01")
    make_criterion(tenant=setup.tenant, group=setup.group, question="Q1", component="B01")
    syntheses_recompute_all(force=True)

    top = synthesis_top_components(setup.tenant)
    assert [item.component.code for item in top][:2] == ["A01", "B01"]
    assert top[0].total == 3
    html = client_for(setup.facilitator).get(setup.url("new")).content.decode()
    assert f"?component={setup.food.pk}&amp;lang=" in html


# --- Revisions, conflicts, languages ------------------------------------------------------------


def _update(setup: Setup, indicator: Indicator, base: int, **extra: object) -> Indicator:
    values = {
        "tenant": setup.tenant,
        "actor": setup.facilitator,
        "indicator": indicator,
        "base_revision": base,
        "language": "fr",
        "title": "Manger sainement",
        "description": "",
        "levels": [{"name": "Mauvais"}, {"name": "Bon"}],
        **extra,
    }
    return indicator_update(**values)


def test_every_save_writes_a_revision_with_the_whole_indicator(setup, client_for):
    indicator = _create(setup)
    indicator = _update(setup, indicator, 1)
    indicator = _update(setup, indicator, 2, title="Manger bien", comment="Plus court")

    with cross_tenant():
        revisions = list(IndicatorRevision.objects.filter(indicator=indicator).order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3]
    assert indicator.revision == 3
    assert revisions[2].content["texts"]["fr"]["title"] == "Manger bien"
    assert len(revisions[0].content["levels"]) == 5
    assert len(revisions[2].content["levels"]) == 2
    assert revisions[2].comment == "Plus court"
    assert len(_levels(indicator)) == 2

    client = client_for(setup.facilitator)
    history = client.get(setup.url("history", indicator=indicator.pk))
    assert history.status_code == 200
    assert "Plus court" in history.content.decode()
    first = client.get(setup.url("revision", indicator=indicator.pk, number=1))
    assert first.status_code == 200
    assert "Accès à une alimentation saine" in first.content.decode()
    missing = client.get(setup.url("revision", indicator=indicator.pk, number=9))
    assert missing.status_code == 404


def test_a_save_on_an_older_revision_is_a_conflict(setup):
    indicator = _create(setup)
    _update(setup, indicator, 1, title="Le premier")

    with pytest.raises(IndicatorConflict) as conflict:
        _update(setup, indicator, 1, title="La seconde")

    assert conflict.value.latest.number == 2
    assert conflict.value.latest.content["texts"]["fr"]["title"] == "Le premier"
    with cross_tenant():
        assert Indicator.objects.get(pk=indicator.pk).texts["fr"]["title"] == "Le premier"
        assert IndicatorRevision.objects.filter(indicator=indicator).count() == 2


def test_the_edit_page_shows_both_versions_on_a_conflict(setup, client_for):
    indicator = _create(setup)
    _update(setup, indicator, 1, title="Their title")
    client = client_for(setup.facilitator)
    levels = [{"name": "Bad"}, {"name": "Good"}]

    response = client.post(
        setup.url("edit", indicator=indicator.pk) + "?lang=fr",
        {
            "title": "My title",
            "levels_count": "2",
            "status": "draft",
            "base_revision": "1",
            **_formset(levels),
        },
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Their title" in html
    assert 'value="My title"' in html
    assert 'name="base_revision" value="2"' in html
    with cross_tenant():
        assert Indicator.objects.get(pk=indicator.pk).revision == 2


def test_texts_are_kept_per_language_and_shown_with_a_fallback(setup, client):
    indicator = _create(setup, levels=[{"name": "Mauvais"}, {"name": "Idéal"}])
    indicator = _update(
        setup,
        indicator,
        1,
        language="pt",
        title="Acesso a alimentação saudável",
        levels=[{"name": "Mau"}, {"name": ""}],
    )
    indicator = indicator_publish(tenant=setup.tenant, actor=setup.facilitator, indicator=indicator)

    assert indicator.texts["fr"]["title"] == "Accès à une alimentation saine"
    assert indicator.texts["pt"]["title"] == "Acesso a alimentação saudável"
    levels = _levels(indicator)
    assert levels[0].texts == {"fr": {"name": "Mauvais"}, "pt": {"name": "Mau"}}
    assert levels[1].texts == {"fr": {"name": "Idéal"}}

    url = setup.url("detail", indicator=indicator.pk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pt"
    html = client.get(url).content.decode()
    assert "Acesso a alimentação saudável" in html
    assert "Mau<" in html
    assert '<span lang="fr">Idéal</span>' in html  # no Portuguese name yet: the original
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(url).content.decode()
    assert "Accès à une alimentation saine" in html
    assert '<span lang="fr">Mauvais</span>' in html


def test_the_edit_page_writes_one_language_and_keeps_the_others(setup, client_for):
    indicator = _create(setup, levels=[{"name": "Mauvais"}, {"name": "Idéal"}])
    client = client_for(setup.facilitator)
    url = setup.url("edit", indicator=indicator.pk) + "?lang=pt"
    page = client.get(url)
    assert page.status_code == 200
    assert "Mauvais" in page.content.decode()  # the original, beside the translation

    response = client.post(
        url,
        {
            "title": "Acesso",
            "levels_count": "2",
            "status": "draft",
            "base_revision": "1",
            **_formset([{"name": "Mau"}, {"name": ""}]),
        },
    )

    assert response.status_code == 302
    with cross_tenant():
        saved = Indicator.objects.get(pk=indicator.pk)
    assert saved.texts == {
        "fr": {"title": "Accès à une alimentation saine"},
        "pt": {"title": "Acesso"},
    }
    assert [level.texts for level in _levels(saved)] == [
        {"fr": {"name": "Mauvais"}, "pt": {"name": "Mau"}},
        {"fr": {"name": "Idéal"}},
    ]


def test_an_update_maps_a_superseded_component_to_the_current_one(setup):
    old = _superseded_food(setup)
    indicator = _create(setup)
    with cross_tenant():
        Indicator.objects.filter(pk=indicator.pk).update(component=old)
        indicator = Indicator.objects.get(pk=indicator.pk)

    saved = _update(setup, indicator, 1)

    assert saved.component_id == setup.food.pk


# --- Sharing and adopting -----------------------------------------------------------------------


def test_adopting_copies_texts_and_scale_with_origin_and_lineage(setup):
    hunger = make_criterion(tenant=setup.tenant, group=setup.group, question="Q2", component="A01")
    source = _published(
        setup,
        levels=[
            {"name": "Faim", "criteria": [hunger.pk]},
            {"name": "Assez"},
            {"name": "Idéal"},
        ],
    )
    source = indicator_share(
        tenant=setup.tenant, actor=setup.facilitator, indicator=source, shared=True
    )
    adopter = make_user(username="joao")
    theirs = make_coordination_group(name="Praia", facilitator=adopter)

    copy = indicator_adopt(tenant=theirs, actor=adopter, source=source)

    assert copy.tenant_id == theirs.pk
    assert copy.origin_id == source.pk
    assert copy.lineage == source.lineage == source.pk
    assert copy.texts == source.texts
    assert copy.status == Indicator.Status.DRAFT
    assert copy.revision == 1
    levels = _levels(copy)
    assert [level.texts["fr"]["name"] for level in levels] == ["Faim", "Assez", "Idéal"]
    assert all(not level.criteria.all() for level in levels)
    with pytest.raises(DomainError):
        indicator_adopt(tenant=theirs, actor=adopter, source=source)  # once


def test_an_indicator_not_shared_cannot_be_adopted(setup, client_for):
    source = _published(setup)
    adopter = make_user(username="joao")
    theirs = make_coordination_group(name="Praia", facilitator=adopter)

    with pytest.raises(DomainError):
        indicator_adopt(tenant=theirs, actor=adopter, source=source)
    url = reverse("indicators:adopt", kwargs={"cg": theirs.slug, "indicator": source.pk})
    assert client_for(adopter).post(url).status_code == 404
    with cross_tenant():
        assert Indicator.objects.filter(tenant=theirs).count() == 0


def test_the_shared_list_offers_adoption_to_a_facilitator(setup, client_for):
    source = _published(setup)
    indicator_share(tenant=setup.tenant, actor=setup.facilitator, indicator=source, shared=True)
    adopter = make_user(username="joao")
    theirs = make_coordination_group(name="Praia", facilitator=adopter)
    client = client_for(adopter)

    page = client.get(reverse("indicators:shared"))
    adopt_url = reverse("indicators:adopt", kwargs={"cg": theirs.slug, "indicator": source.pk})
    assert page.status_code == 200
    assert f'action="{adopt_url}"' in page.content.decode()

    response = client.post(adopt_url)

    with cross_tenant():
        copy = Indicator.objects.get(tenant=theirs)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "indicators:edit", kwargs={"cg": theirs.slug, "indicator": copy.pk}
    )
    assert copy.origin_id == source.pk
    detail = client.get(
        reverse("indicators:detail", kwargs={"cg": theirs.slug, "indicator": copy.pk})
    )
    assert setup.url("detail", indicator=source.pk) in detail.content.decode()


# --- Who sees and who writes --------------------------------------------------------------------


def test_an_outsider_gets_404_on_a_draft_and_on_every_write_address(setup, client_for):
    draft = _create(setup)
    shared = _published(setup)
    indicator_share(tenant=setup.tenant, actor=setup.facilitator, indicator=shared, shared=True)
    outsider = make_user(username="outsider")
    make_coordination_group(name="Mine", facilitator=outsider)
    client = client_for(outsider)

    assert client.get(setup.url("detail", indicator=draft.pk)).status_code == 404
    assert client.get(setup.url("history", indicator=draft.pk)).status_code == 404
    assert client.get(setup.url("revision", indicator=draft.pk, number=1)).status_code == 404
    writes = [
        setup.url("new"),
        setup.url("new") + f"?component={setup.food.pk}&lang=en",
        setup.url("edit", indicator=draft.pk),
        setup.url("edit", indicator=shared.pk),
        setup.url("adopt", indicator=shared.pk),
    ]
    for url in writes:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"title": "x"}).status_code == 404, url
    assert draft.pk not in [i.pk for i in client.get(setup.url("list")).context["indicators"]]
    with cross_tenant():
        assert Indicator.objects.count() == 2


def test_a_member_sees_drafts_but_cannot_write(setup, client_for):
    draft = _create(setup)
    member = make_user(username="member")
    with tenant_scope(setup.tenant):
        membership_set(group=setup.tenant, user=member, role=Membership.Role.MEMBER)
    client = client_for(member)

    assert client.get(setup.url("detail", indicator=draft.pk)).status_code == 200
    assert client.get(setup.url("edit", indicator=draft.pk)).status_code == 404
    assert client.post(setup.url("edit", indicator=draft.pk)).status_code == 404


def test_anonymous_reads_a_published_indicator_and_is_asked_to_log_in_for_a_draft(setup, client):
    published = _published(setup)
    draft = _create(setup, title="Brouillon")

    assert client.get(setup.url("detail", indicator=published.pk)).status_code == 200
    assert client.get(setup.url("list")).status_code == 200
    assert client.get(setup.url("history", indicator=published.pk)).status_code == 200
    assert client.get(reverse("indicators:shared")).status_code == 200
    response = client.get(setup.url("detail", indicator=draft.pk))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert "Brouillon" not in client.get(setup.url("list")).content.decode()
    assert client.post(setup.url("new")).status_code == 404


def test_pages_escape_what_people_wrote(setup, client, client_for):
    attack = '<script>alert("x")</script>'
    indicator = _published(
        setup, title=attack, description=attack, levels=[{"name": attack}, {"name": "Ok"}]
    )
    indicator_share(tenant=setup.tenant, actor=setup.facilitator, indicator=indicator, shared=True)

    for url in (
        setup.url("detail", indicator=indicator.pk),
        setup.url("list"),
        setup.url("history", indicator=indicator.pk),
        setup.url("revision", indicator=indicator.pk, number=1),
        reverse("indicators:shared"),
    ):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
    assert (
        "&lt;script&gt;alert"
        in client.get(setup.url("detail", indicator=indicator.pk)).content.decode()
    )
    # The translation form shows the original beside each field.
    editor = client_for(setup.facilitator)
    html = editor.get(setup.url("edit", indicator=indicator.pk) + "?lang=pt").content.decode()
    assert "Original: &lt;script&gt;alert" in html
    assert "<script>alert" not in html


def test_the_group_synthesis_links_to_its_progress_indicators(setup, client):
    register_scope_links(synthesis_scope_links)

    response = client.get(reverse("syntheses:synthesis", kwargs={"key": f"cg-{setup.tenant.pk}"}))

    assert response.status_code == 200
    assert setup.url("list") in response.content.decode()


def test_the_lists_read_the_same_number_of_queries_whatever_their_length(setup, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add() -> None:
        indicator = _published(setup)
        indicator_share(
            tenant=setup.tenant, actor=setup.facilitator, indicator=indicator, shared=True
        )

    add()
    before = {url: queries(url) for url in (setup.url("list"), reverse("indicators:shared"))}
    for _n in range(4):
        add()
    after = {url: queries(url) for url in before}
    assert after == before


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_pass_axe_and_fit_a_phone(browser, live_server):
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.helpers import browser_page
    from tests.factories import reference_data

    reference_data()
    facilitator = make_user(username="ines")
    tenant = make_coordination_group(name="Villeneuve", facilitator=facilitator)
    with cross_tenant():
        group = make_homogeneous_group(tenant=tenant)
    ids = [
        make_criterion(tenant=tenant, group=group, question=q, component="A01").pk
        for q in ("Q1", "Q2", "Q2", "Q1")
    ]
    setup = Setup(
        facilitator, tenant, group, Component.objects.get(version__is_current=True, code="A01")
    )
    indicator = _published(
        setup,
        levels=[
            {"name": "Très mauvais", "description": "On saute des repas", "criteria": ids[1:3]},
            {"name": "Moyen"},
            {"name": "Idéal", "criteria": [ids[0]]},
        ],
    )
    indicator_share(tenant=tenant, actor=facilitator, indicator=indicator, shared=True)
    other = make_user(username="joao")
    theirs = make_coordination_group(name="Praia", facilitator=other)
    pages = {
        "list": setup.url("list"),
        "pick": setup.url("new"),
        "new": setup.url("new") + f"?component={setup.food.pk}&lang=fr",
        "detail": setup.url("detail", indicator=indicator.pk),
        "edit": setup.url("edit", indicator=indicator.pk) + "?lang=pt",
        "history": setup.url("history", indicator=indicator.pk),
        "revision": setup.url("revision", indicator=indicator.pk, number=1),
        "shared": reverse("indicators:shared"),
        "adopt": reverse("indicators:adopt", kwargs={"cg": theirs.slug, "indicator": indicator.pk}),
    }
    roles = {facilitator: set(pages) - {"adopt"}, other: {"shared", "detail", "adopt"}}
    problems = {}
    for user, names in roles.items():
        session = Client()
        session.force_login(user)
        cookie = session.cookies[settings.SESSION_COOKIE_NAME].value
        with browser_page(browser, live_server.url, viewport={"width": 360, "height": 640}) as page:
            page.context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
            )
            for name in sorted(names):
                response = page.goto(pages[name])
                assert response is not None and response.status == 200, name
                violations = Axe().run(page).response["violations"]
                wider = page.evaluate(
                    "() => document.scrollingElement.scrollWidth - window.innerWidth"
                )
                if violations or wider > 0:
                    problems[f"{user.username} {name}"] = ([v["id"] for v in violations], wider)
    assert not problems
