"""The tenant safety net: tenant-owned rows cannot be read without saying whose."""

import pytest
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django_scopes.exceptions import ScopeError

from territories.models import HomogeneousGroup
from territories.services import network_id_next
from tests.factories import make_coordination_group, make_homogeneous_group, make_user
from wikispiral.tenancy import (
    cross_tenant,
    get_for_tenant_or_404,
    tenant_required,
    tenant_scope,
)


@pytest.fixture
def two_groups(db):
    mine = make_coordination_group(name="Mine")
    theirs = make_coordination_group(name="Theirs")
    make_homogeneous_group(tenant=mine, name="Our elders", slug="elders")
    make_homogeneous_group(tenant=theirs, name="Their elders", slug="elders")
    return mine, theirs


def test_reading_homogeneous_groups_without_a_scope_raises(two_groups):
    with pytest.raises(ScopeError):
        list(HomogeneousGroup.objects.all())


def test_a_scope_shows_only_its_tenants_rows_even_through_an_unfiltered_query(two_groups):
    mine, _theirs = two_groups

    with tenant_scope(mine):
        names = [group.name for group in HomogeneousGroup.objects.all()]

    assert names == ["Our elders"]


def test_crossing_tenants_must_be_said(two_groups):
    with cross_tenant():
        assert HomogeneousGroup.objects.count() == 2


def test_get_for_tenant_never_finds_another_tenants_object(two_groups):
    mine, theirs = two_groups
    with cross_tenant():
        their_elders = HomogeneousGroup.objects.get(tenant=theirs)

    with pytest.raises(Http404):
        get_for_tenant_or_404(HomogeneousGroup, mine, pk=their_elders.pk)
    assert get_for_tenant_or_404(HomogeneousGroup, theirs, pk=their_elders.pk) == their_elders


def test_a_request_starts_unscoped_even_inside_a_crossing(client, two_groups):
    # The middleware resets the scope: a test (or a thread) that crossed tenants cannot leak
    # that permission into the request it makes.
    with cross_tenant():
        response = client.get("/livez")

    assert response.status_code == 200


def _view(request, cg):
    return HttpResponse(",".join(group.name for group in HomogeneousGroup.objects.all()))


def test_tenant_required_lets_a_member_in_with_the_scope_of_their_group(two_groups):
    mine, _theirs = two_groups
    facilitator = make_user()
    from territories.services import membership_set

    membership_set(group=mine, user=facilitator, role="facilitator")
    request = RequestFactory().get("/")
    request.user = facilitator

    response = tenant_required("facilitator")(_view)(request, cg=mine.slug)

    assert response.content == b"Our elders"
    assert request.tenant == mine


@pytest.mark.parametrize("role", ["editor", "member"])
def test_tenant_required_refuses_a_role_that_is_not_enough(two_groups, role):
    mine, _theirs = two_groups
    person = make_user()
    from territories.services import membership_set

    membership_set(group=mine, user=person, role=role)
    request = RequestFactory().get("/")
    request.user = person

    with pytest.raises(Http404):
        tenant_required("facilitator")(_view)(request, cg=mine.slug)


def test_tenant_required_gives_an_outsider_404_and_public_views_hide_hidden_groups(two_groups):
    mine, theirs = two_groups
    outsider = make_user()
    request = RequestFactory().get("/")
    request.user = outsider

    with pytest.raises(Http404):
        tenant_required()(_view)(request, cg=theirs.slug)
    assert tenant_required(public=True)(_view)(request, cg=theirs.slug).status_code == 200
    theirs.is_hidden = True
    theirs.save(update_fields=["is_hidden"])
    with pytest.raises(Http404):
        tenant_required(public=True)(_view)(request, cg=theirs.slug)
    with pytest.raises(Http404):
        tenant_required(public=True)(_view)(request, cg="no-such-group")


def test_secretariat_passes_tenant_required_for_any_group(two_groups):
    _mine, theirs = two_groups
    request = RequestFactory().get("/")
    request.user = make_user(secretariat=True)

    response = tenant_required("facilitator")(_view)(request, cg=theirs.slug)

    assert response.content == b"Their elders"


def test_network_ids_are_drawn_above_the_highest_in_use(db):
    first = network_id_next()
    make_coordination_group(network_id="GC136526")

    assert first == "GC100001"
    assert network_id_next() == "GC136527"
