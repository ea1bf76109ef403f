"""The participant as a second scope (issue 14): one gate on every participant's URL, and a
safety net under it on every row a participant owns."""

from collections.abc import Callable

import pytest
from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import ScopeError

from projects import services
from projects.models import Choice, ParticipantMember
from projects.scopes import across_participants, participant_scope
from tests.factories import make_user
from wikispiral.tenancy import TenantScopeMiddleware

pytestmark = pytest.mark.django_db


def _in_a_request[T](query: Callable[[], T]) -> T:
    """Run query as a view would: behind TenantScopeMiddleware, before any gate."""
    found: list[T] = []

    def view(request: HttpRequest) -> HttpResponse:
        found.append(query())
        return HttpResponse()

    TenantScopeMiddleware(view)(RequestFactory().get("/right-choices/somebody/"))
    return found[0]


def _participant_owned_models() -> list[type]:
    return [
        model
        for model in apps.get_app_config("projects").get_models()
        if "participant" in getattr(model._default_manager, "scope_dimensions", ())
    ]


def _participant(name: str) -> object:
    return services.participant_join(
        actor=make_user(), kind="citizen", subtype="family", name=name, people=3
    )


def test_every_row_a_participant_owns_refuses_a_query_without_its_scope_in_a_request():
    owned = _participant_owned_models()
    assert {model.__name__ for model in owned} >= {
        "ParticipantMember",
        "ParticipantInvitation",
        "Choice",
        "ChoiceComment",
        "ChoiceShare",
        "Footprint",
        "WorkshopSignup",
        "CharterVote",
    }
    unguarded = []
    for model in owned:
        try:
            _in_a_request(lambda model=model: model._default_manager.filter(pk=0).exists())
        except ScopeError:
            continue
        unguarded.append(model.__name__)
    assert unguarded == []


def test_a_participants_scope_sees_its_rows_only_and_across_participants_sees_all():
    martins, silvas = _participant("The Martins"), _participant("The Silvas")

    def members() -> set[int]:
        return set(ParticipantMember.objects.values_list("participant_id", flat=True))

    def in_scope() -> set[int]:
        with participant_scope(martins):
            return members()

    def across() -> set[int]:
        with across_participants():
            return members()

    assert _in_a_request(in_scope) == {martins.pk}
    assert _in_a_request(across) == {martins.pk, silvas.pk}
    with pytest.raises(ScopeError):
        _in_a_request(lambda: list(Choice.objects.all()))


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            found += _patterns(entry, prefix + str(entry.pattern))
        else:
            found.append((prefix + str(entry.pattern), entry))
    return found


def test_every_url_that_names_a_participant_goes_through_the_gate():
    named = [
        (route, pattern)
        for route, pattern in _patterns(get_resolver())
        if "<slug:participant>" in route or "<str:participant>" in route
    ]
    assert len(named) >= 10
    ungated = [
        route for route, pattern in named if not hasattr(pattern.callback, "participant_rule")
    ]
    assert ungated == []
