"""Tenant scoping, in one place: the coordination group named in the URL, and what it owns.

A view for a group's URLs takes `cg` (the group's slug) in its URL and is wrapped in
`tenant_required`, which sets `request.tenant` and activates the tenant's scope for the rest of
the request; objects then load with `get_for_tenant_or_404`. Unknown group and "not yours" both
answer 404.

The safety net: tenant-owned models use django-scopes' `ScopedManager(tenant="tenant")`, or
`ScopedOrSharedManager` when rows without a tenant belong to the whole network (questions).
Both refuse a query outside a scope in requests, tasks, commands and tests alike:
`TenantScopeMiddleware` starts every request with no scope, so any query on those models
outside `tenant_required` raises ScopeError (a 500 in tests, never a leak). Code that must read
across groups (directory, feeds, the secretariat, the admin) says so with `cross_tenant()`.

`RequestScopedManager` is the same net for the project's participants (projects/scopes.py),
enforced in requests only: jobs, tests and commands read those rows unscoped.

Anonymous on a group's address: `TenantScopeMiddleware` also turns every 403 or 404 that an
anonymous GET or HEAD under /cg/ receives into the login page, with `next` back to the
address (htmx: an HX-Redirect on the refusal), in `login_offer`. A private group, a private
or missing object in it and a group that does not exist all answer the same, so nothing
leaks; a signed-in outsider still gets 404, and an anonymous POST keeps its 4xx.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.db.models import Manager, Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_scopes import ScopedManager, get_scope, scope, scopes_disabled
from django_scopes.state import state

from territories.models import CoordinationGroup, Membership
from wikispiral.accounts.models import User
from wikispiral.typing import HtmxHttpRequest


class TenantHttpRequest(HtmxHttpRequest):
    """A request inside tenant_required: request.tenant is the group named in the URL."""

    tenant: CoordinationGroup


class MemberHttpRequest(TenantHttpRequest):
    """A request inside tenant_required without public=True: only a signed-in user (network
    staff, or a member holding one of the roles) gets there."""

    user: User


_TenantScopedManager = type(ScopedManager(tenant="tenant"))


class ScopedOrSharedManager(_TenantScopedManager):
    """`ScopedManager(tenant="tenant")` for a model whose rows without a tenant are shared by
    the whole network: a group's scope sees its own rows and the shared ones, never another
    group's; with no scope the query raises ScopeError, as ScopedManager's does."""

    def get_queryset(self) -> QuerySet[Any]:
        current = getattr(self, "_override_scope", None) or get_scope()
        tenant = current.get("tenant")
        if not current.get("_enabled", True) or tenant is None:
            # Crossing tenants (unfiltered) or no scope at all (the refusing queryset).
            return super().get_queryset()
        own = Q(tenant__in=tenant) if isinstance(tenant, list | tuple) else Q(tenant=tenant)
        return Manager.get_queryset(self).filter(own | Q(tenant__isnull=True))

    def shared(self) -> QuerySet[Any]:
        """Only the rows shared by the whole network, in any scope or none: they are no group's
        data, so reading them crosses no tenant."""
        return Manager.get_queryset(self).filter(tenant__isnull=True)


# Set by TenantScopeMiddleware for the whole request (copied into every nested scope).
IN_REQUEST = "_in_request"


def RequestScopedManager(**dimensions: str) -> Manager[Any]:  # noqa: N802 (as ScopedManager)
    """django-scopes' `ScopedManager(**dimensions)`, enforced inside requests only: a request
    that queries the model outside one of these scopes raises ScopeError, while tasks,
    commands and tests outside a request read it unscoped (the project's participants,
    projects/scopes.py, whose rows the tests read directly)."""
    base: type[Manager[Any]] = type(ScopedManager(**dimensions))

    class _RequestScopedManager(base):  # type: ignore[valid-type,misc]
        scope_dimensions = tuple(dimensions)

        def get_queryset(self) -> QuerySet[Any]:
            current = getattr(self, "_override_scope", None) or get_scope()
            if current.get(IN_REQUEST) or any(name in current for name in dimensions):
                return super().get_queryset()
            return Manager.get_queryset(self)

    return _RequestScopedManager()


# The addresses of the coordination groups: an anonymous visitor refused there is offered the
# login page (login_offer).
GROUP_PREFIX = "/cg/"
_OFFERED_ON = frozenset({403, 404})


def _htmx_next(request: HttpRequest) -> str:
    """Where the login should return after an htmx request: the page the browser shows (its
    HX-Current-URL, when it is ours), else the fragment's own address."""
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(
        current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


def login_offer(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The login page instead of response when an anonymous visitor is refused (403/404) an
    address under /cg/; response itself otherwise.

    The refusal's cause is never looked at: a private group, a private or missing object in a
    visible one, a group that does not exist, even an address no view takes all answer the
    same, so nothing leaks about what exists. A GET or HEAD is redirected to the login page,
    whose `next` is the address itself. An htmx request (any method) keeps its refusal and
    gains an HX-Redirect, which htmx follows before it looks at the status: the whole window
    goes to the login and comes back to the page it showed (a session that expired while a
    facilitator was classifying). Any other POST keeps its 4xx as it is: its body would be
    lost anyway. Signed-in people keep their 404: logging in as someone else is not the
    answer."""
    if response.status_code not in _OFFERED_ON or not request.path_info.startswith(GROUP_PREFIX):
        return response
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return response
    htmx = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    if htmx:
        response["HX-Redirect"] = redirect_to_login(_htmx_next(request))["Location"]
        offer = response
    elif request.method in ("GET", "HEAD"):
        offer = redirect_to_login(request.get_full_path())
        # What the inner middlewares set on the refusal (session, CSRF, language) still holds.
        for name, morsel in response.cookies.items():
            offer.cookies[name] = morsel
    else:
        return response
    # Outside the session middleware: say here that the answer depends on who asks.
    add_never_cache_headers(offer)
    patch_vary_headers(offer, ("Cookie", "HX-Request"))
    return offer


class TenantScopeMiddleware:
    """Each request starts unscoped, whatever the thread or the test around it had active; an
    anonymous visitor refused a group's address is offered the login page (login_offer).

    The admin is for network staff only and reads across groups by design.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = reverse("admin:index")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        enabled = not request.path.startswith(self.admin_prefix)
        token = state.set({"_enabled": enabled, IN_REQUEST: True})
        try:
            return login_offer(request, self.get_response(request))
        finally:
            state.reset(token)


@contextmanager
def tenant_scope(tenant: CoordinationGroup) -> Iterator[None]:
    """Queries on tenant-owned models see only this group's rows (and the network's shared
    ones, for ScopedOrSharedManager)."""
    with scope(tenant=tenant):
        yield


@contextmanager
def cross_tenant() -> Iterator[None]:
    """Deliberately read or write across groups (directory, feeds, secretariat, tasks)."""
    with scopes_disabled():
        yield


def _holds_role(user: object, tenant: CoordinationGroup, roles: tuple[str, ...]) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_network_staff:
        return True
    # Runs before the view enters the tenant's scope.
    with tenant_scope(tenant):
        held = Membership.objects.filter(tenant=tenant, user=user)
        if roles:
            held = held.filter(role__in=roles)
        return held.exists()


def tenant_required(*roles: str, public: bool = False) -> Callable:
    """Resolve kwargs["cg"] into request.tenant and enter its scope.

    Network staff and members holding one of roles (any role when none is given) pass. With
    public=True anyone passes while the group is not hidden (public pages of a group). Everyone
    else gets 404, as for a group that does not exist.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, cg: str, **kwargs: object) -> HttpResponse:
            tenant = (
                CoordinationGroup.objects.select_related(
                    "space", "country__continent", "region", "locality"
                )
                .filter(slug=cg)
                .first()
            )
            if tenant is None:
                raise Http404(_("No such coordination group."))
            allowed = (public and not tenant.is_hidden) or _holds_role(request.user, tenant, roles)
            if not allowed:
                raise Http404(_("No such coordination group."))
            request.tenant = tenant
            with tenant_scope(tenant):
                return view(request, *args, cg=cg, **kwargs)

        wrapper.tenant_roles = roles
        wrapper.tenant_public = public
        return wrapper

    return decorator


def get_for_tenant_or_404[M: Model](
    model: type[M], tenant: CoordinationGroup, **lookup: object
) -> M:
    """The tenant's object matching lookup, or 404 (another tenant's object is never found)."""
    with tenant_scope(tenant):
        found = model._default_manager.filter(tenant=tenant, **lookup).first()
    if found is None:
        raise Http404(_("Not found."))
    return found
