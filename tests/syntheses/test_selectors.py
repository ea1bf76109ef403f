import datetime

import pytest
from django.http import Http404

from criteria.selectors import component_by_code
from syntheses import services
from syntheses.models import Scope
from syntheses.selectors import (
    Filters,
    scope_get,
    scope_parents,
    snapshot_get,
    synthesis_criteria,
    synthesis_figures,
)
from tests.factories import make_coordination_group, make_criterion, make_homogeneous_group
from wikispiral.tenancy import cross_tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    tenant = make_coordination_group()
    with cross_tenant():
        young = make_homogeneous_group(tenant=tenant, name="Young", participants=10)
        elders = make_homogeneous_group(tenant=tenant, name="Elders", participants=8)
    day = datetime.date
    make_criterion(tenant=tenant, group=young, component="A01", session_date=day(2024, 3, 1))
    make_criterion(tenant=tenant, group=young, component="A01", session_date=day(2025, 3, 1))
    make_criterion(
        tenant=tenant,
        group=elders,
        question="Q2",
        component="F01",
        language="fr",
        session_date=day(2025, 6, 1),
        text="Avoir mal au dos",
    )
    make_criterion(tenant=tenant, group=elders)  # waiting: never counted
    services.syntheses_recompute_all()
    return tenant, young, elders


def test_figures_split_by_family_component_and_question(world):
    tenant, _young, _elders = world
    figures = synthesis_figures(snapshot_get(scope_get(f"cg-{tenant.pk}")))

    assert figures.total == 3
    assert figures.by_question == {"Q1": 2, "Q2": 1, "Q3": 0}
    family_a = next(f for f in figures.families if f.family.letter == "A")
    assert (family_a.total, family_a.by_question["Q1"]) == (2, 2)
    assert [c.component.code for c in family_a.components] == ["A01"]
    assert family_a.components[0].share == pytest.approx(2 / 3)
    assert len(figures.unmentioned) == 58
    assert (figures.groups_count, figures.participants) == (2, 18)
    assert figures.years == [2024, 2025]


def test_filters_narrow_counts_and_groups(world):
    tenant, _young, elders = world
    snapshot = snapshot_get(scope_get(f"cg-{tenant.pk}"))

    in_2025 = synthesis_figures(snapshot, Filters(year_from=2025, year_to=2025))
    french = synthesis_figures(snapshot, Filters(language="fr"))
    elders_only = synthesis_figures(snapshot, Filters(profile=elders.profile_id))
    nothing = synthesis_figures(snapshot, Filters(year_from=2030))

    assert in_2025.total == 2 and in_2025.groups_count == 2
    assert french.total == 1 and french.groups_count == 1 and french.participants == 8
    assert elders_only.total >= 1
    assert nothing.is_empty and nothing.groups_count == 0


def test_drill_down_lists_the_texts_behind_a_component(world):
    tenant, _young, _elders = world
    ref = scope_get(f"cg-{tenant.pk}")

    page = synthesis_criteria(ref=ref, component=component_by_code(code="F01"), filters=Filters())

    assert [c.text for c in page.object_list] == ["Avoir mal au dos"]


def test_unknown_scopes_are_404_and_parents_lead_to_the_network(world):
    tenant, young, _elders = world
    for key in ("cg-999999", "planet-1", "country-x", "hg-"):
        with pytest.raises(Http404):
            scope_get(key)

    parents = scope_parents(scope_get(f"hg-{young.pk}"))

    assert parents[0].scope == Scope.COORDINATION_GROUP
    assert parents[-1].scope == Scope.NETWORK
    assert Scope.COUNTRY in [p.scope for p in parents]
