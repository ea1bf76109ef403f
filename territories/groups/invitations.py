"""Revoking an invitation to a coordination group. Accepting one is the shared page of
wikispiral.invitations.views, mounted by territories/groups/urls.py."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from territories import services
from territories.groups.views import FACILITATOR
from territories.models import Invitation
from wikispiral.invitations.views import revoked_message
from wikispiral.tenancy import MemberHttpRequest, get_for_tenant_or_404, tenant_required


@tenant_required(FACILITATOR)
@require_POST
def invitation_revoke(request: MemberHttpRequest, cg: str, pk: int) -> HttpResponse:
    invitation = get_for_tenant_or_404(Invitation, request.tenant, pk=pk)
    services.invitation_revoke(invitation=invitation, actor=request.user)
    revoked_message(request, invitation)
    return redirect("groups:members", cg=cg)
