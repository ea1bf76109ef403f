"""Typed requests, for the type checker: what middleware and decorators add to HttpRequest.

django-stubs types request.user as User | AnonymousUser everywhere, and knows nothing of
django-htmx's request.htmx. A view annotates its request with the class that states what holds
there; nothing changes at run time (the request stays Django's own). The tenant's requests,
with request.tenant, are in wikispiral.tenancy, which sets it.
"""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from wikispiral.accounts.models import User

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise
else:
    # A text or a lazy translation (gettext_lazy): a label, a legend, a choice's name. At run
    # time as django-stubs-ext spells it (a development dependency only).
    from django.utils.functional import Promise

    StrOrPromise = str | Promise


class HtmxHttpRequest(HttpRequest):
    """Any request: HtmxMiddleware sets request.htmx (false unless htmx sent it)."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request behind login_required, or any check that the user is signed in."""

    user: User
