"""Who may do what in the territories app: `can_<verb>(user, obj) -> bool` and decorators."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from territories.models import CoordinationGroup, Membership
from wikispiral.accounts.models import User
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Space


def coordination_group_space_roles(user: User, space: Space) -> frozenset[str]:
    """Roles of user in the coordination group that owns space (one query)."""
    # Asked by the wiki, outside any group's scope: the space names the group.
    with cross_tenant():
        roles = Membership.objects.filter(user=user, tenant__space=space).values_list(
            "role", flat=True
        )
        return frozenset(roles)


def is_network_staff(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_network_staff)


def group_role(user: object, group: CoordinationGroup) -> str | None:
    """The member's role in group; None for visitors, non-members and network staff (staff may
    do everything, so their role is not looked up). One query at most."""
    if not getattr(user, "is_authenticated", False) or user.is_network_staff:
        return None
    return (
        Membership.objects.with_scope(tenant=group)
        .filter(tenant=group, user=user)
        .values_list("role", flat=True)
        .first()
    )


def can_manage_group(user: object, group: CoordinationGroup) -> bool:
    """Facilitators of the group and the network staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_network_staff:
        return True
    return group_role(user, group) == Membership.Role.FACILITATOR


def is_facilitator_anywhere(user: object) -> bool:
    """Whether user facilitates at least one coordination group (one query)."""
    if not getattr(user, "is_authenticated", False):
        return False
    with cross_tenant():
        return Membership.objects.filter(user=user, role=Membership.Role.FACILITATOR).exists()


def secretariat_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Network staff only: anonymous visitors are sent to log in, anyone else gets 404 (the
    secretariat's pages do not say what they hold). The view reads across groups."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_network_staff:
            raise Http404(_("Not found."))
        with cross_tenant():
            return view(request, *args, **kwargs)

    wrapper.secretariat_only = True
    return wrapper
