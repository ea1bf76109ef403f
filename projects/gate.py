"""The project's second scope, next to the coordination group's (wikispiral/tenancy.py): the
participant named in the URL (`/right-choices/<participant>/...`).

A view of a participant's URLs takes `participant` (its slug) in its URL and is wrapped in
`participant_required`, which sets `request.participant` and activates the participant's scope
for the rest of the request. Anonymous visitors are sent to log in first; an unknown
participant and "not yours" both answer 404.

The safety net under it is in projects/scopes.py.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from projects import selectors
from projects.models import Participant
from projects.scopes import participant_scope
from wikispiral.accounts.models import User
from wikispiral.typing import HtmxHttpRequest

type Rule = Callable[[Any, Participant], bool]
type View = Callable[..., HttpResponse]

READING = frozenset({"GET", "HEAD"})


class ParticipantHttpRequest(HtmxHttpRequest):
    """A request inside participant_required: request.participant is the one in the URL."""

    participant: Participant


class ParticipantUserHttpRequest(ParticipantHttpRequest):
    """A request inside participant_required without public=True: the user is signed in."""

    user: User


def participant_resolve(
    request: HttpRequest, participant: str, allowed: Rule | None, *, public: bool = False
) -> Participant | HttpResponse:
    """The participant of slug for someone allowed (the gate's checks, without entering the
    scope): the login redirect for anonymous visitors, 404 for anyone else not allowed."""
    checked = not (public and request.method in READING)
    if checked and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    found = selectors.participant_get(slug=participant)
    with participant_scope(found):
        if checked and allowed is not None and not allowed(request.user, found):
            raise Http404(_("No such participant."))
    return found


def participant_required(allowed: Rule | None = None, *, public: bool = False) -> Callable:
    """Resolve kwargs["participant"] (a slug) into request.participant and enter its scope.

    Anonymous visitors log in first; then the user must pass allowed (can_contribute,
    can_manage_participant; any signed-in user when None), or gets 404 as for a participant
    that does not exist. With public=True anyone reads (GET, HEAD): the participant's public
    pages, whose forms still need allowed.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(
            request: HttpRequest, *args: object, participant: str, **kwargs: object
        ) -> HttpResponse:
            found = participant_resolve(request, participant, allowed, public=public)
            if isinstance(found, HttpResponse):
                return found
            request.participant = found  # type: ignore[attr-defined]
            with participant_scope(found):
                return view(request, *args, participant=participant, **kwargs)

        wrapper.participant_rule = allowed  # type: ignore[attr-defined]
        wrapper.participant_public = public  # type: ignore[attr-defined]
        return wrapper

    return decorator
