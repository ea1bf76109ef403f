"""Reads for the contact forms: who a message goes to, and the inboxes.

Messages to the secretariat have no tenant and are read across groups (cross_tenant); a
platform's messages are its rows, read in its scope. One inbox never shows the other's rows.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from territories.models import ContactMessage, CoordinationGroup, Membership
from wikispiral.accounts.models import User
from wikispiral.tenancy import cross_tenant, tenant_scope


def facilitator_recipients(*, tenant: CoordinationGroup) -> QuerySet[User]:
    """The people a message to tenant's facilitators is mailed to: its active facilitators who
    have an address, in a stable order."""
    with tenant_scope(tenant):
        facilitators = Membership.objects.filter(
            tenant=tenant, role=Membership.Role.FACILITATOR
        ).values("user_id")
    return User.objects.filter(pk__in=facilitators, is_active=True).exclude(email="").order_by("pk")


def _messages_of(tenant: CoordinationGroup | None) -> QuerySet[ContactMessage]:
    if tenant is None:
        with cross_tenant():
            return ContactMessage.objects.filter(tenant__isnull=True)
    with tenant_scope(tenant):
        return ContactMessage.objects.filter(tenant=tenant)


def contact_message_list(
    *, tenant: CoordinationGroup | None, status: str = ""
) -> QuerySet[ContactMessage]:
    """The inbox of tenant's facilitators (None: the secretariat's), newest first, narrowed to
    one status when given."""
    messages = _messages_of(tenant)
    if status:
        messages = messages.filter(status=status)
    return messages.order_by("-created_at", "-pk")


def contact_message_get_or_404(*, tenant: CoordinationGroup | None, pk: int) -> ContactMessage:
    """Message pk of tenant's inbox (None: the secretariat's), or 404: a message of another
    inbox is never found."""
    message = _messages_of(tenant).filter(pk=pk).select_related("sender").first()
    if message is None:
        raise Http404(_("Not found."))
    return message
