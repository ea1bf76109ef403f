"""Membership of the network: the public page (the kinds, the rights, the members), the public
request form (associate and ex officio members), a platform's own request (its facilitators),
the applicant's edit link, and the secretariat's queue, detail page and decisions.

Bad input answers 400 with the form and its errors; an action the request's state does not allow
answers 409 (410 on the applicant's link once the request is closed); throttled submissions 429.
Secretariat pages answer 404 to everyone but the network staff, a platform's page to everyone
but its facilitators (and the staff).
"""

import logging
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from territories.membership import selectors, services
from territories.membership.forms import (
    ApproveForm,
    CommentForm,
    MembershipRequestForm,
    PlatformMembershipForm,
    QueueFilterForm,
    RejectForm,
    RequestChangesForm,
)
from territories.models import Membership, MembershipRequest
from territories.models.network import OPEN_STATUSES
from territories.permissions import secretariat_required
from wikispiral.accounts.forms import (
    FORM_STAMP_FIELD,
    HONEYPOT_FIELD,
    honeypot_filled,
    make_form_stamp,
)
from wikispiral.accounts.models import User
from wikispiral.accounts.ratelimit import client_key, rate_limited_response
from wikispiral.accounts.services import rate_limit_consume
from wikispiral.tenancy import TenantHttpRequest, tenant_required
from wikispiral.typing import AuthenticatedHttpRequest

logger = logging.getLogger(__name__)

RATE_WINDOW_SECONDS = 60 * 60
# Every POST counts against the first limit (robots probing the form); only accepted requests,
# each of which mails the secretariat, count against the second (as for applications).
APPLY_POSTS_PER_IP_PER_HOUR = 30
REQUESTS_PER_IP_PER_HOUR = 5
QUEUE_PAGE_SIZE = 25


def _rate_limited(request: HttpRequest) -> HttpResponse:
    return rate_limited_response(request, retry_after_seconds=RATE_WINDOW_SECONDS)


def _consume(request: HttpRequest, scope: str, limit: int) -> bool:
    return rate_limit_consume(
        scope=scope, key=client_key(request), limit=limit, window_seconds=RATE_WINDOW_SECONDS
    )


def _actor(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _add_error(error: services.MembershipError, form: forms.Form) -> None:
    # The member's website is the form's web_address (website is the honeypot's name).
    if error.field == "website":
        error.field = "web_address"
    error.add_to(form)


def _applicant_initial(request: HttpRequest) -> dict[str, Any]:
    language = translation.get_language()
    initial: dict[str, Any] = {"applicant_language": language}
    user = _actor(request)
    if user is not None:
        initial.update(
            applicant_name=user.public_name,
            applicant_email=user.email,
            applicant_language=user.preferred_language or language,
        )
    return initial


# --- The public pages ---------------------------------------------------------------------------


@require_GET
def page(request: HttpRequest) -> HttpResponse:
    """The kinds of membership, their rights, the listed members of each kind, and how to ask."""
    return render(request, "membership/page.html", {"kinds": selectors.members_by_kind()})


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """Ask to become an associate or ex officio member; the applicant is thanked, and mailed,
    once the request is recorded."""
    status = 200
    if request.method == "POST":
        if not _consume(request, "membership_post", APPLY_POSTS_PER_IP_PER_HOUR):
            return _rate_limited(request)
        if honeypot_filled(request.POST):
            # Look exactly like a success so the robot has nothing to learn from.
            logger.info("Membership honeypot filled from %s", client_key(request))
            return redirect("membership:sent")
        form = MembershipRequestForm(request.POST, check_stamp=True)
        if form.is_valid():
            if not _consume(request, "membership", REQUESTS_PER_IP_PER_HOUR):
                return _rate_limited(request)
            try:
                services.membership_request_submit(actor=_actor(request), data=form.details())
            except services.MembershipError as error:
                _add_error(error, form)
            else:
                return redirect("membership:sent")
        status = 400
    else:
        form = MembershipRequestForm(initial=_applicant_initial(request))
    context = {
        "form": form,
        # A fresh stamp on every render: a person correcting errors needs a form that can pass.
        "form_stamp": make_form_stamp(),
        "form_stamp_field": FORM_STAMP_FIELD,
        "honeypot_field": HONEYPOT_FIELD,
    }
    return render(request, "membership/apply.html", context, status=status)


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    """Thank the applicant and say what happens next."""
    return render(request, "membership/sent.html")


# --- A platform's request -----------------------------------------------------------------------


@tenant_required(Membership.Role.FACILITATOR)
@never_cache
@require_http_methods(["GET", "POST"])
def group_apply(request: TenantHttpRequest, cg: str) -> HttpResponse:
    """A platform asks to become a full member (its facilitators); a member platform, or one
    whose request is being reviewed, is told so instead."""
    group = request.tenant
    member = selectors.group_member(group=group)
    pending = None if member is not None else selectors.group_open_request(group=group)
    status = 200
    form = None
    if request.method == "POST":
        # Always through the service, so a member platform or a second request gets its
        # refusal (400) with the reason, whatever the page showed when it was loaded.
        form = PlatformMembershipForm(request.POST)
        if form.is_valid():
            try:
                services.membership_request_submit(
                    actor=_actor(request), data=form.details(group=group)
                )
            except services.MembershipError as error:
                _add_error(error, form)
            else:
                messages.success(
                    request,
                    _("Your request was sent to the secretariat: it will answer by email."),
                )
                return redirect("membership:group_apply", cg=group.slug)
        status = 400
    elif member is None and pending is None:
        form = PlatformMembershipForm(initial=_applicant_initial(request))
    context = {"group": group, "member": member, "pending": pending, "form": form}
    return render(request, "membership/group_apply.html", context, status=status)


# --- The applicant's edit link ------------------------------------------------------------------


def _closed(request: HttpRequest, membership_request: MembershipRequest) -> HttpResponse | None:
    """The page for a request its applicant may not edit now, or None when they may."""
    if membership_request.status == MembershipRequest.Status.CHANGES_REQUESTED:
        return None
    if membership_request.status == MembershipRequest.Status.SUBMITTED:
        status = 409 if request.method == "POST" else 200
    else:
        status = 410  # approved, rejected or withdrawn: this link is done for good
    context = {"membership_request": membership_request}
    return render(request, "membership/closed.html", context, status=status)


def _edit_form(membership_request: MembershipRequest, data: Any = None) -> PlatformMembershipForm:
    form_class = (
        PlatformMembershipForm
        if membership_request.coordination_group_id
        else MembershipRequestForm
    )
    if data is not None:
        return form_class(data)
    return form_class(initial=PlatformMembershipForm.initial_for(membership_request))


@never_cache
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, key: str) -> HttpResponse:
    """The link mailed with a request for changes: the secretariat's message and the form."""
    membership_request = selectors.membership_request_get_by_key(key=key)
    if membership_request is None:
        raise Http404(_("This link is not valid (any more)."))
    closed = _closed(request, membership_request)
    if closed is not None:
        return closed
    status = 200
    if request.method == "POST":
        form = _edit_form(membership_request, request.POST)
        if form.is_valid():
            try:
                services.membership_request_resubmit(
                    request=membership_request,
                    actor=_actor(request),
                    data=form.details(group=membership_request.coordination_group),
                )
            except services.MembershipStateError:
                # Decided while the applicant was editing: say what became of it.
                membership_request.refresh_from_db()
                return _closed(request, membership_request) or redirect("membership:sent")
            except services.MembershipError as error:
                _add_error(error, form)
            else:
                messages.success(request, _("Your changes were sent to the secretariat."))
                return redirect("membership:sent")
        status = 400
    else:
        form = _edit_form(membership_request)
    context = {"form": form, "membership_request": membership_request}
    return render(request, "membership/edit.html", context, status=status)


# --- The secretariat ----------------------------------------------------------------------------


@secretariat_required
@never_cache
@require_GET
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Membership requests to review, by status; htmx swaps only the results."""
    form = QueueFilterForm(request.GET)
    status, page_obj, counts, filters = 200, None, {}, {}
    if form.is_valid():
        filters = form.filters()
        requests = selectors.membership_request_list(**filters)
        page_obj = Paginator(requests, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
        counts = selectors.membership_request_status_counts(q=filters["q"])
    else:
        status = 400
    status_tabs = [
        (value, label, counts.get(value, 0))
        for value, label in QueueFilterForm.STATUS_CHOICES
        if value != QueueFilterForm.STATUS_ALL
    ]
    context = {
        "form": form,
        "page": page_obj,
        "filters": filters,
        "status_tabs": status_tabs,
        "total": sum(counts.values()),
    }
    template = "membership/queue.html#results" if request.htmx else "membership/queue.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _request_or_404(pk: int) -> MembershipRequest:
    membership_request = selectors.membership_request_get(pk=pk)
    if membership_request is None:
        raise Http404(_("No such membership request."))
    return membership_request


def _detail(
    request: HttpRequest,
    membership_request: MembershipRequest,
    *,
    status: int = 200,
    problem: str = "",
    **forms_given: forms.Form,
) -> HttpResponse:
    context = {
        "membership_request": membership_request,
        "timeline": selectors.membership_request_timeline(request=membership_request),
        "is_open": membership_request.status in OPEN_STATUSES,
        "problem": problem,
        "comment_form": CommentForm(),
        "changes_form": RequestChangesForm(),
        "approve_form": ApproveForm(),
        "reject_form": RejectForm(),
        **forms_given,
    }
    return render(request, "membership/detail.html", context, status=status)


@secretariat_required
@never_cache
@require_GET
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every field of a request, its timeline, and the secretariat's actions."""
    return _detail(request, _request_or_404(pk))


def _act(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[forms.Form],
    form_name: str,
    perform: Callable[[MembershipRequest, dict[str, Any]], str],
) -> HttpResponse:
    """Run one secretariat action from its form; on refusal show the page again with the form,
    its errors and the right status, having saved nothing."""
    membership_request = _request_or_404(pk)
    form = form_class(request.POST)
    if not form.is_valid():
        problem = _("Nothing was done: correct the form below.")
        return _detail(
            request, membership_request, status=400, problem=problem, **{form_name: form}
        )
    try:
        done = perform(membership_request, form.cleaned_data)
    except services.MembershipError as error:
        error.add_to(form)
        return _detail(
            request,
            _request_or_404(pk),
            status=error.status,
            problem=error.message,
            **{form_name: form},
        )
    if done:
        messages.success(request, done)
    return redirect("membership:detail", pk=pk)


@secretariat_required
@require_POST
def comment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def perform(membership_request: MembershipRequest, data: dict[str, Any]) -> str:
        services.membership_request_comment_add(
            request=membership_request, actor=request.user, body=data["body"]
        )
        return _("Your comment was added.")

    return _act(request, pk, form_class=CommentForm, form_name="comment_form", perform=perform)


@secretariat_required
@require_POST
def request_changes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def perform(membership_request: MembershipRequest, data: dict[str, Any]) -> str:
        services.membership_request_request_changes(
            request=membership_request, actor=request.user, message=data["message"]
        )
        return _("The applicant was asked for changes and sent a link to edit the request.")

    return _act(
        request, pk, form_class=RequestChangesForm, form_name="changes_form", perform=perform
    )


@secretariat_required
@require_POST
def approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def perform(membership_request: MembershipRequest, data: dict[str, Any]) -> str:
        approval = services.membership_request_approve(
            request=membership_request, actor=request.user, message=data["message"]
        )
        if not approval.created:
            # Not an error: a double click or a colleague got there first.
            messages.info(
                request, _("This request was already approved: no second member was made.")
            )
            return ""
        return _("Approved: %(name)s is a member of the network.") % {"name": approval.member.name}

    return _act(request, pk, form_class=ApproveForm, form_name="approve_form", perform=perform)


@secretariat_required
@require_POST
def reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def perform(membership_request: MembershipRequest, data: dict[str, Any]) -> str:
        services.membership_request_reject(
            request=membership_request, actor=request.user, message=data["message"]
        )
        return _("The request was rejected and the applicant told why.")

    return _act(request, pk, form_class=RejectForm, form_name="reject_form", perform=perform)
