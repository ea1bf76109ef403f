"""The safety net on every model that carries a tenant (issue 14), memberships and questions
included: inside a request, a query that names no group raises instead of leaking."""

from collections.abc import Callable

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django_scopes import ScopeError

from criteria.models import Question
from territories.models import Membership
from tests.factories import make_coordination_group, make_user, reference_data
from wikispiral.tenancy import TenantScopeMiddleware, cross_tenant, tenant_scope


def _in_a_request[T](query: Callable[[], T]) -> T:
    """Run query as a view would: behind TenantScopeMiddleware, before any tenant_required."""
    found: list[T] = []

    def view(request: HttpRequest) -> HttpResponse:
        found.append(query())
        return HttpResponse()

    TenantScopeMiddleware(view)(RequestFactory().get("/cg/somewhere/"))
    return found[0]


def _tenant_models() -> list[type]:
    carrying = []
    for model in apps.get_models():
        try:
            field = model._meta.get_field("tenant")
        except FieldDoesNotExist:
            continue
        if field.concrete and field.many_to_one:
            carrying.append(model)
    return carrying


def test_every_model_with_a_tenant_refuses_a_query_without_a_scope(db):
    assert {Membership, Question} <= set(_tenant_models())
    unguarded = []
    for model in _tenant_models():
        try:
            _in_a_request(lambda model=model: model._default_manager.filter(pk=0).exists())
        except ScopeError:
            continue
        unguarded.append(model._meta.label)

    assert unguarded == []


@pytest.fixture
def two_groups(db):
    reference_data()
    mine = make_coordination_group(name="Mine", facilitator=make_user(username="amina"))
    theirs = make_coordination_group(name="Theirs", facilitator=make_user(username="bruno"))
    Question.objects.create(tenant=mine, code="OURS", texts={"en": "Ours?"})
    Question.objects.create(tenant=theirs, code="THEIRS", texts={"en": "Theirs?"})
    return mine, theirs


@pytest.mark.parametrize("model", [Membership, Question])
def test_memberships_and_questions_cannot_be_read_in_a_request_without_a_scope(two_groups, model):
    with pytest.raises(ScopeError):
        _in_a_request(lambda: list(model.objects.all()))
    with pytest.raises(ScopeError):
        _in_a_request(lambda: model.objects.filter(tenant=two_groups[1]).exists())


def test_a_groups_scope_sees_its_questions_and_the_networks_never_anothers(two_groups):
    mine, theirs = two_groups

    def codes() -> set[str]:
        with tenant_scope(mine):
            return set(Question.objects.values_list("code", flat=True))

    assert _in_a_request(codes) == {"Q1", "Q2", "Q3", "OURS"}
    with tenant_scope(mine):
        assert not Question.objects.filter(tenant=theirs).exists()


def test_the_networks_questions_are_read_without_a_scope_and_crossing_is_said(two_groups):
    network = _in_a_request(lambda: set(Question.objects.shared().values_list("code", flat=True)))

    with cross_tenant():
        every = set(Question.objects.values_list("code", flat=True))

    assert network == {"Q1", "Q2", "Q3"}
    assert every == {"Q1", "Q2", "Q3", "OURS", "THEIRS"}


def test_a_groups_scope_sees_only_its_memberships(two_groups):
    mine, _theirs = two_groups

    def members() -> list[str]:
        with tenant_scope(mine):
            return [m.user.username for m in Membership.objects.select_related("user")]

    assert _in_a_request(members) == ["amina"]
