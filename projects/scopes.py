"""The participant's scope, the safety net under projects/gate.py.

The rows a participant owns (its choices with their comments and shares, its footprints,
workshop sign-ups and charter votes) use `RequestScopedManager(participant=<path>)`: a request
that queries them outside a participant's scope raises ScopeError (a 500 in tests, never a
leak). Pages and jobs that read across participants (the project's home, workshops, charters,
feeds, summaries) say so with `across_participants()`; `cross_tenant()` lifts every scope,
this one too. Tasks, commands and tests outside a request read these rows unscoped
(wikispiral/tenancy.py's RequestScopedManager).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django_scopes import get_scope, scope

from projects.models import Participant


def _scope(**dimensions: object) -> Any:
    # scope() turns scoping on; inside cross_tenant() (the admin, a job) it must stay off.
    return scope(**dimensions, _enabled=get_scope().get("_enabled", True))


@contextmanager
def participant_scope(participant: Participant) -> Iterator[None]:
    """Queries on participant-owned rows see only this participant's."""
    with _scope(participant=participant):
        yield


@contextmanager
def across_participants() -> Iterator[None]:
    """Deliberately read or write the rows of several participants (the project's pages,
    feeds, summaries); tenant scoping stays as it was."""
    with _scope(participant=None):
        yield


def in_participant_scope[**P, R](service: Callable[P, R]) -> Callable[P, R]:
    """Run service (called with participant=..., or invitation=... of one) in that
    participant's scope: a service that acts for one participant sees only its rows."""

    @wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        owner: Any = kwargs.get("participant") or kwargs["invitation"]
        with participant_scope(owner if isinstance(owner, Participant) else owner.participant):
            return service(*args, **kwargs)

    return wrapper
