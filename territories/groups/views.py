"""A coordination group manages itself: its details, its members and invitations, its
homogeneous groups; and anyone registered may open a citizens' group.

Invalid submissions answer 400 with the form and its errors, throttled ones 429: bad input is
never a 200 nor a 500. Pages for facilitators answer 404 to everyone else (tenant_required).
"""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from territories import hooks, services
from territories.groups.forms import (
    CitizensGroupForm,
    CoordinationGroupForm,
    HomogeneousGroupForm,
    InviteForm,
    RoleForm,
)
from territories.models import HomogeneousGroup, Membership
from territories.services import TerritoryError
from wikispiral.accounts.models import User
from wikispiral.accounts.permissions import can_edit_wiki
from wikispiral.accounts.services import rate_limit_consume
from wikispiral.tenancy import get_for_tenant_or_404, tenant_required

FACILITATOR = Membership.Role.FACILITATOR
CITIZENS_GROUP_WINDOW_SECONDS = 24 * 60 * 60


def _group_url(group: object) -> str:
    return reverse("directory:group", kwargs={"cg": group.slug})


# --- The group's details ------------------------------------------------------------------------


@never_cache
@tenant_required(FACILITATOR)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, cg: str) -> HttpResponse:
    group = request.tenant
    status = 200
    if request.method == "POST":
        form = CoordinationGroupForm(request.POST, request.FILES, group=group)
        if form.is_valid():
            try:
                services.coordination_group_update(
                    actor=request.user, group=group, **form.service_fields()
                )
            except TerritoryError as error:
                error.add_to(form)
            else:
                messages.success(request, _("The group's details are saved."))
                return redirect("groups:edit", cg=group.slug)
        status = 400
    else:
        form = CoordinationGroupForm(group=group)
    context = {"group": group, "form": form, "tab": "edit"}
    return render(request, "groups/edit.html", context, status=status)


# --- Members and invitations --------------------------------------------------------------------


def _members_page(
    request: HttpRequest,
    *,
    invite_form: InviteForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    group = request.tenant
    role_order = Case(
        *(When(role=role, then=Value(i)) for i, role in enumerate(Membership.Role.values)),
        output_field=IntegerField(),
    )
    memberships = (
        Membership.objects.filter(tenant=group)
        .select_related("user")
        .order_by(role_order, "user__display_name", "user__username")
    )
    if invite_form is None:
        invite_form = InviteForm(initial={"language": translation.get_language()})
    context = {
        "group": group,
        "tab": "members",
        "memberships": memberships,
        "role_choices": Membership.Role.choices,
        "invitations": services.invitation_pending_list(group=group),
        "invite_form": invite_form,
        "problem": problem,
    }
    return render(request, "groups/members.html", context, status=status)


@never_cache
@tenant_required(FACILITATOR)
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, cg: str) -> HttpResponse:
    """The members with their roles, pending invitations; POST invites someone."""
    if request.method == "GET":
        return _members_page(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.invitation_create(
                group=request.tenant,
                email=data["email"],
                role=data["role"],
                actor=request.user,
                language=data["language"],
            )
        except TerritoryError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                _("We sent an invitation to %(email)s. The link works for 14 days.")
                % {"email": data["email"]},
            )
            return redirect("groups:members", cg=cg)
    return _members_page(request, invite_form=form, status=400)


def _member_or_404(request: HttpRequest, user_id: int) -> User:
    return get_for_tenant_or_404(Membership, request.tenant, user_id=user_id).user


@tenant_required(FACILITATOR)
@require_POST
def member_role(request: HttpRequest, cg: str, user_id: int) -> HttpResponse:
    member = _member_or_404(request, user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _members_page(request, problem=_("Choose a role from the list."), status=400)
    try:
        services.membership_role_change(
            actor=request.user, group=request.tenant, user=member, role=form.cleaned_data["role"]
        )
    except TerritoryError as error:
        return _members_page(request, problem=error.message, status=400)
    messages.success(request, _("%(name)s's role is changed.") % {"name": member.public_name})
    if member == request.user and form.cleaned_data["role"] != FACILITATOR:
        return redirect(_group_url(request.tenant))
    return redirect("groups:members", cg=cg)


@tenant_required(FACILITATOR)
@require_POST
def member_remove(request: HttpRequest, cg: str, user_id: int) -> HttpResponse:
    member = _member_or_404(request, user_id)
    try:
        services.membership_end(actor=request.user, group=request.tenant, user=member)
    except TerritoryError as error:
        return _members_page(request, problem=error.message, status=400)
    messages.success(
        request,
        _("%(name)s is no longer a member of the group.") % {"name": member.public_name},
    )
    if member == request.user:
        return redirect(_group_url(request.tenant))
    return redirect("groups:members", cg=cg)


# --- Homogeneous groups -------------------------------------------------------------------------


def _hg_form_page(
    request: HttpRequest, form: HomogeneousGroupForm, hg: HomogeneousGroup | None, status: int
) -> HttpResponse:
    context = {"group": request.tenant, "form": form, "hg": hg, "tab": "" if hg else "new_hg"}
    return render(request, "groups/homogeneous_group_form.html", context, status=status)


@never_cache
@tenant_required(FACILITATOR)
@require_http_methods(["GET", "POST"])
def homogeneous_group_new(request: HttpRequest, cg: str) -> HttpResponse:
    group = request.tenant
    if request.method == "GET":
        return _hg_form_page(request, HomogeneousGroupForm(group=group), None, 200)
    form = HomogeneousGroupForm(request.POST, group=group)
    if form.is_valid():
        try:
            hg = services.homogeneous_group_create(
                actor=request.user, group=group, **form.service_fields()
            )
        except TerritoryError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                _("The homogeneous group %(name)s is created, with its own page.")
                % {"name": hg.name},
            )
            return redirect("groups:homogeneous_group", cg=cg, hg=hg.slug)
    return _hg_form_page(request, form, None, 400)


@never_cache
@tenant_required(FACILITATOR)
@require_http_methods(["GET", "POST"])
def homogeneous_group_edit(request: HttpRequest, cg: str, hg: str) -> HttpResponse:
    group = request.tenant
    found = get_for_tenant_or_404(HomogeneousGroup, group, slug=hg)
    if request.method == "GET":
        return _hg_form_page(request, HomogeneousGroupForm(group=group, hg=found), found, 200)
    form = HomogeneousGroupForm(request.POST, group=group, hg=found)
    if form.is_valid():
        try:
            services.homogeneous_group_update(actor=request.user, hg=found, **form.service_fields())
        except TerritoryError as error:
            error.add_to(form)
        else:
            messages.success(request, _("The homogeneous group is saved."))
            return redirect("groups:homogeneous_group", cg=cg, hg=found.slug)
    return _hg_form_page(request, form, found, 400)


@tenant_required(public=True)
@require_http_methods(["GET"])
def homogeneous_group(request: HttpRequest, cg: str, hg: str) -> HttpResponse:
    group = request.tenant
    found = get_for_tenant_or_404(HomogeneousGroup, group, slug=hg)
    found = (
        HomogeneousGroup.objects.filter(pk=found.pk)
        .select_related("profile", "page", "page__space")
        .prefetch_related("facilitators")
        .get()
    )
    # One query for the reader's role answers every "may they…" of the page.
    role = None
    staff = request.user.is_authenticated and request.user.is_network_staff
    if request.user.is_authenticated and not staff:
        role = (
            Membership.objects.filter(tenant=group, user=request.user)
            .values_list("role", flat=True)
            .first()
        )
    context = {
        "group": group,
        "hg": found,
        "can_manage": staff or role == Membership.Role.FACILITATOR,
        "is_member": staff or role is not None,
        "group_url": _group_url(group),
        "awaiting_validation": group.kind == group.Kind.CITIZENS_GROUP
        and group.awaiting_validation,
        "meeting_dates": _dates(found.meeting_dates),
        "language_name": dict(settings.LANGUAGES).get(found.language, found.language),
        # The criteria counts and who may enter criteria (criteria adds them).
        **hooks.group_page_facts(
            user=request.user, tenant=group, homogeneous_group=found, role=role
        ),
    }
    return render(request, "groups/homogeneous_group.html", context)


def _dates(values: list[str]) -> list[date]:
    days = []
    for value in values:
        try:
            days.append(date.fromisoformat(value))
        except (TypeError, ValueError):
            continue  # rows written before the service checked them; not worth a 500
    return days


# --- Citizens' groups ---------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def citizens_group_new(request: HttpRequest) -> HttpResponse:
    """A registered person with a confirmed address opens a citizens' group ("cycle 0")."""
    if not can_edit_wiki(request.user):
        return render(request, "groups/email_unconfirmed.html", status=403)
    status = 200
    if request.method == "POST":
        form = CitizensGroupForm(request.POST)
        if form.is_valid():
            # Counted on valid submissions only: correcting a typo costs nothing.
            if not rate_limit_consume(
                scope="citizens_group_create",
                key=str(request.user.pk),
                limit=services.CITIZENS_GROUPS_PER_DAY,
                window_seconds=CITIZENS_GROUP_WINDOW_SECONDS,
            ):
                response = render(request, "groups/rate_limited.html", status=429)
                response["Retry-After"] = str(CITIZENS_GROUP_WINDOW_SECONDS)
                return response
            try:
                group = services.citizens_group_create(actor=request.user, **form.cleaned_data)
            except TerritoryError as error:
                error.add_to(form)
            else:
                messages.success(
                    request,
                    _(
                        "Your citizens' group is open. The network's secretariat will check and "
                        "validate it; meanwhile its pages say it is not yet validated."
                    ),
                )
                hg = HomogeneousGroup.objects.with_scope(tenant=group).get(tenant=group)
                return redirect("groups:homogeneous_group", cg=group.slug, hg=hg.slug)
        status = 400
    else:
        form = CitizensGroupForm(initial={"language": translation.get_language()})
    return render(request, "groups/citizens_group_new.html", {"form": form}, status=status)
