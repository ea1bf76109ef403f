"""Tenant scoping, in one place: the coordination group named in the URL, and what it owns.

A view for a group's private or write URLs takes `cg` (the group's slug) in its URL and is
wrapped in `tenant_required`; it then finds `request.tenant` set and loads objects with
`get_for_tenant_or_404`. Unknown group and "not yours" both answer 404.
"""

from collections.abc import Callable
from functools import wraps

from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from territories.models import CoordinationGroup, Membership


def tenant_required(*roles: str) -> Callable:
    """Resolve kwargs["cg"] into request.tenant for network staff and members holding one of
    roles (any role when none is given); everyone else gets 404."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, cg: str, **kwargs: object) -> HttpResponse:
            tenant = CoordinationGroup.objects.select_related("space").filter(slug=cg).first()
            user = request.user
            if tenant is None or not user.is_authenticated:
                raise Http404(_("No such coordination group."))
            if not user.is_network_staff:
                held = Membership.objects.filter(tenant=tenant, user=user)
                if roles:
                    held = held.filter(role__in=roles)
                if not held.exists():
                    raise Http404(_("No such coordination group."))
            request.tenant = tenant
            return view(request, *args, cg=cg, **kwargs)

        return wrapper

    return decorator


def get_for_tenant_or_404[M: Model](
    model: type[M], tenant: CoordinationGroup, **lookup: object
) -> M:
    """The tenant's object matching lookup, or 404 (another tenant's object is never found)."""
    found = model._default_manager.filter(tenant=tenant, **lookup).first()
    if found is None:
        raise Http404(_("Not found."))
    return found
