"""Applications to open a platform: the public form, the applicant's edit link, and the
secretariat's queue, detail page and decisions.

Bad input answers 400 with the form and its errors; an action the application's state does not
allow answers 409 (410 on the applicant's link once the application is closed); throttled
submissions 429. Secretariat pages answer 404 to everyone but the network staff.
"""

import logging
from collections.abc import Callable

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

from territories.applications import selectors, services
from territories.applications.forms import (
    ApplicationForm,
    ApproveForm,
    CommentForm,
    QueueFilterForm,
    RejectForm,
    RequestChangesForm,
)
from territories.models import Application
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
from wikispiral.typing import AuthenticatedHttpRequest

logger = logging.getLogger(__name__)

RATE_WINDOW_SECONDS = 60 * 60
# Every POST counts against the first limit (robots probing the form); only accepted
# applications, each of which mails the secretariat, count against the second.
APPLY_POSTS_PER_IP_PER_HOUR = 30
APPLICATIONS_PER_IP_PER_HOUR = 5
QUEUE_PAGE_SIZE = 25


def _rate_limited(request: HttpRequest) -> HttpResponse:
    return rate_limited_response(request, retry_after_seconds=RATE_WINDOW_SECONDS)


def _consume(request: HttpRequest, scope: str, limit: int) -> bool:
    return rate_limit_consume(
        scope=scope, key=client_key(request), limit=limit, window_seconds=RATE_WINDOW_SECONDS
    )


def _actor(request: HttpRequest) -> User | None:
    return request.user if request.user.is_authenticated else None


# --- The public form ----------------------------------------------------------------------------


def _apply_initial(request: HttpRequest) -> dict:
    language = translation.get_language()
    initial = {"applicant_language": language, "languages": [language]}
    user = request.user
    if user.is_authenticated:
        initial.update(
            applicant_name=user.public_name,
            applicant_email=user.email,
            applicant_language=user.preferred_language or language,
        )
    return initial


@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """Apply to open a platform; the applicant is thanked, and mailed, once it is recorded."""
    status = 200
    if request.method == "POST":
        if not _consume(request, "apply_post", APPLY_POSTS_PER_IP_PER_HOUR):
            return _rate_limited(request)
        if honeypot_filled(request.POST):
            # Look exactly like a success so the robot has nothing to learn from.
            logger.info("Application honeypot filled from %s", client_key(request))
            return redirect("applications:sent")
        form = ApplicationForm(request.POST, check_stamp=True)
        if form.is_valid():
            if not _consume(request, "apply", APPLICATIONS_PER_IP_PER_HOUR):
                return _rate_limited(request)
            try:
                services.application_submit(details=form.details(), actor=_actor(request))
            except services.ApplicationError as error:
                error.add_to(form)
            else:
                return redirect("applications:sent")
        status = 400
    else:
        form = ApplicationForm(initial=_apply_initial(request))
    context = {
        "form": form,
        # A fresh stamp on every render: a person correcting errors needs a form that can pass.
        "form_stamp": make_form_stamp(),
        "form_stamp_field": FORM_STAMP_FIELD,
        "honeypot_field": HONEYPOT_FIELD,
    }
    return render(request, "applications/apply.html", context, status=status)


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    """Thank the applicant and say what happens next."""
    return render(request, "applications/sent.html")


# --- The applicant's edit link ------------------------------------------------------------------


def _closed(request: HttpRequest, application: Application) -> HttpResponse | None:
    """The page for an application its applicant may not edit now, or None when they may."""
    if application.status == Application.Status.CHANGES_REQUESTED:
        return None
    if application.status == Application.Status.SUBMITTED:
        status = 409 if request.method == "POST" else 200
    else:
        status = 410  # approved or rejected: this link is done for good
    return render(request, "applications/closed.html", {"application": application}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, key: str) -> HttpResponse:
    """The link mailed with a request for changes: the secretariat's message and the form."""
    application = selectors.application_get_by_key(key=key)
    if application is None:
        raise Http404(_("This link is not valid (any more)."))
    closed = _closed(request, application)
    if closed is not None:
        return closed
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        if form.is_valid():
            try:
                services.application_resubmit(
                    application=application, details=form.details(), actor=_actor(request)
                )
            except services.ApplicationStateError:
                # Decided while the applicant was editing: say what became of it.
                application.refresh_from_db()
                return _closed(request, application) or redirect("applications:sent")
            except services.ApplicationError as error:
                error.add_to(form)
            else:
                messages.success(request, _("Your changes were sent to the secretariat."))
                return redirect("applications:sent")
        status = 400
    else:
        form = ApplicationForm(initial=ApplicationForm.initial_for(application))
    context = {"form": form, "application": application}
    return render(request, "applications/edit.html", context, status=status)


# --- The secretariat ----------------------------------------------------------------------------


@secretariat_required
@never_cache
@require_GET
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Applications to review, filtered and sorted; htmx swaps only the results."""
    form = QueueFilterForm(request.GET, countries=selectors.country_choices())
    status, page, counts, filters = 200, None, {}, {}
    if form.is_valid():
        filters = form.filters()
        applications = selectors.application_list(**filters)
        page = Paginator(applications, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
        counts = selectors.application_status_counts(
            country=filters["country"], kind=filters["kind"], q=filters["q"]
        )
    else:
        status = 400
    status_tabs = [
        (value, label, counts.get(value, 0))
        for value, label in form.status_choices
        if value != QueueFilterForm.STATUS_ALL
    ]
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "status_tabs": status_tabs,
        "total": sum(counts.values()),
    }
    template = "applications/queue.html#results" if request.htmx else "applications/queue.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _application_or_404(pk: int) -> Application:
    application = selectors.application_get(pk=pk)
    if application is None:
        raise Http404(_("No such application."))
    return application


def _detail(
    request: HttpRequest,
    application: Application,
    *,
    status: int = 200,
    problem: str = "",
    **forms_given: forms.Form,
) -> HttpResponse:
    context = {
        "application": application,
        "timeline": selectors.application_timeline(application=application),
        "is_open": application.status in services.OPEN_STATUSES,
        "problem": problem,
        "comment_form": CommentForm(),
        "changes_form": RequestChangesForm(),
        "approve_form": ApproveForm(),
        "reject_form": RejectForm(),
        **forms_given,
    }
    return render(request, "applications/detail.html", context, status=status)


@secretariat_required
@never_cache
@require_GET
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every field of an application, its timeline, and the secretariat's actions."""
    return _detail(request, _application_or_404(pk))


def _act(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[forms.Form],
    form_name: str,
    perform: Callable[[Application, dict], str],
) -> HttpResponse:
    """Run one secretariat action from its form; on refusal show the page again with the
    form, its errors and the right status, having saved nothing."""
    application = _application_or_404(pk)
    form = form_class(request.POST)
    if not form.is_valid():
        problem = _("Nothing was done: correct the form below.")
        return _detail(request, application, status=400, problem=problem, **{form_name: form})
    try:
        done = perform(application, form.cleaned_data)
    except services.ApplicationError as error:
        error.add_to(form)
        return _detail(
            request,
            _application_or_404(pk),
            status=error.status,
            problem=error.message,
            **{form_name: form},
        )
    if done:
        messages.success(request, done)
    return redirect("applications:detail", pk=pk)


@secretariat_required
@require_POST
def comment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict) -> str:
        services.application_comment_add(
            application=application, actor=request.user, body=data["body"]
        )
        return _("Your comment was added.")

    return _act(request, pk, form_class=CommentForm, form_name="comment_form", perform=perform)


@secretariat_required
@require_POST
def request_changes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict) -> str:
        services.application_request_changes(
            application=application, actor=request.user, message=data["message"]
        )
        return _("The applicant was asked for changes and sent a link to edit the application.")

    return _act(
        request, pk, form_class=RequestChangesForm, form_name="changes_form", perform=perform
    )


@secretariat_required
@require_POST
def approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict) -> str:
        approval = services.application_approve(
            application=application, actor=request.user, slug=data["slug"]
        )
        if not approval.created:
            # Not an error: a double click or a colleague got there first.
            messages.info(
                request,
                _("This application was already approved: no second platform was opened."),
            )
            return ""
        return _("Approved: the platform %(name)s is open.") % {"name": approval.group.name}

    return _act(request, pk, form_class=ApproveForm, form_name="approve_form", perform=perform)


@secretariat_required
@require_POST
def reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def perform(application: Application, data: dict) -> str:
        services.application_reject(
            application=application, actor=request.user, reason=data["reason"]
        )
        return _("The application was rejected and the applicant told why.")

    return _act(request, pk, form_class=RejectForm, form_name="reject_form", perform=perform)
