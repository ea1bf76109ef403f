"""Writing to the network: the contact forms (to the secretariat, to a platform's facilitators),
the page that says the message left, and the two inboxes with their messages.

Anyone may write, signed in or not. Bot protection is the sign-up's: a honeypot field (a
robot that fills it is told "sent" and nothing is saved) and a signed stamp of when the form
was shown. Bad input answers 400 with the form and its messages, nothing saved or mailed;
too many messages from one address or in one sender's name answer 429. A hidden or unknown
platform answers 404, and a platform's inbox answers 404 to anyone but its facilitators (and
the network staff); the secretariat's inbox to anyone but the network staff.
"""

import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from territories.contact import selectors, services
from territories.contact.forms import ContactForm, InboxFilterForm, StatusForm
from territories.models import ContactMessage, CoordinationGroup, Membership
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
from wikispiral.tenancy import MemberHttpRequest, TenantHttpRequest, tenant_required
from wikispiral.typing import AuthenticatedHttpRequest

logger = logging.getLogger(__name__)

HOUR = 60 * 60
DAY = 24 * HOUR
# Every POST counts against the first limit (robots probing the form). Messages the form
# accepts, each of which mails people, count against the others: per client address and per
# sender address, so that neither changing address nor changing name sends more. The forms to
# the secretariat and to every platform share them: one sender cannot write to each platform.
CONTACT_POSTS_PER_IP_PER_HOUR = 30
# (scope, what the key is, limit, window in seconds)
MESSAGE_LIMITS = (
    ("contact_ip_hour", "ip", 5, HOUR),
    ("contact_ip_day", "ip", 20, DAY),
    ("contact_email_hour", "email", 5, HOUR),
    ("contact_email_day", "email", 20, DAY),
)
INBOX_PAGE_SIZE = 25
FACILITATOR = Membership.Role.FACILITATOR


# --- Writing ------------------------------------------------------------------------------------


def _initial(request: HttpRequest) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {"name": user.public_name, "email": user.email}


def _language(request: HttpRequest) -> str:
    user = request.user
    if user.is_authenticated and user.preferred_language:
        return user.preferred_language
    return translation.get_language() or ""


def _over_limit(request: HttpRequest, email: str) -> int | None:
    """Count one accepted message; the window to wait (seconds) when a limit is passed."""
    keys = {"ip": client_key(request), "email": email.strip().casefold()}
    for scope, key, limit, window in MESSAGE_LIMITS:
        if not rate_limit_consume(scope=scope, key=keys[key], limit=limit, window_seconds=window):
            return window
    return None


def _write(request: HttpRequest, tenant: CoordinationGroup | None) -> HttpResponse:
    """The contact form to tenant's facilitators (None: to the secretariat), and its POST."""
    status = 200
    if request.method == "POST":
        if not rate_limit_consume(
            scope="contact_post",
            key=client_key(request),
            limit=CONTACT_POSTS_PER_IP_PER_HOUR,
            window_seconds=HOUR,
        ):
            return rate_limited_response(request, retry_after_seconds=HOUR)
        if honeypot_filled(request.POST):
            # Look exactly like a success so the robot has nothing to learn from.
            logger.info("Contact honeypot filled from %s", client_key(request))
            return redirect("contact:sent")
        form = ContactForm(request.POST)
        if form.is_valid():
            wait = _over_limit(request, form.cleaned_data["email"])
            if wait is not None:
                return rate_limited_response(request, retry_after_seconds=wait)
            try:
                services.contact_message_send(
                    tenant=tenant,
                    details=form.details(language=_language(request)),
                    sender=request.user if request.user.is_authenticated else None,
                )
            except services.ContactError as error:
                error.add_to(form)
            else:
                return redirect("contact:sent")
        status = 400
    else:
        form = ContactForm(initial=_initial(request))
    context = {
        "form": form,
        "group": tenant,
        # A fresh stamp on every render: a person correcting errors needs a form that can pass.
        "form_stamp": make_form_stamp(),
        "form_stamp_field": FORM_STAMP_FIELD,
        "honeypot_field": HONEYPOT_FIELD,
    }
    return render(request, "contact/write.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def secretariat_write(request: HttpRequest) -> HttpResponse:
    """Write to the network secretariat."""
    return _write(request, None)


@tenant_required(public=True)
@never_cache
@require_http_methods(["GET", "POST"])
def group_write(request: TenantHttpRequest, cg: str) -> HttpResponse:
    """Write to a visible platform's facilitators (hidden: 404, even to its members)."""
    if request.tenant.is_hidden:
        raise Http404(_("No such coordination group."))
    return _write(request, request.tenant)


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    """The message left: say what happens next."""
    return render(request, "contact/sent.html")


# --- The inboxes --------------------------------------------------------------------------------


def _inbox(request: HttpRequest, tenant: CoordinationGroup | None) -> HttpResponse:
    form = InboxFilterForm(request.GET)
    if not form.is_valid():
        context: dict[str, object] = {"form": form, "group": tenant, "page_obj": None}
        return render(request, "contact/inbox.html", context, status=400)
    chosen = form.cleaned_data["status"]
    inbox = selectors.contact_message_list(tenant=tenant, status=chosen)
    page = Paginator(inbox, INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "group": tenant, "page_obj": page, "status": chosen}
    return render(request, "contact/inbox.html", context)


def _message(
    request: HttpRequest,
    tenant: CoordinationGroup | None,
    message: ContactMessage,
    *,
    form: StatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {"group": tenant, "message": message, "status_form": form or StatusForm()}
    return render(request, "contact/message.html", context, status=status)


def _status_set(
    request: HttpRequest, actor: User, tenant: CoordinationGroup | None, pk: int
) -> HttpResponse:
    message = selectors.contact_message_get_or_404(tenant=tenant, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _message(request, tenant, message, form=form, status=400)
    changed = services.contact_message_status_set(
        tenant=tenant, message=message, actor=actor, status=form.cleaned_data["status"]
    )
    if changed:
        messages.success(
            request,
            _("The message is marked “%(status)s”.") % {"status": message.get_status_display()},
        )
    if tenant is None:
        return redirect("contact:message", pk=pk)
    return redirect("contact:group_message", cg=tenant.slug, message=pk)


@secretariat_required
@never_cache
@require_GET
def secretariat_inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The messages written to the secretariat, newest first."""
    return _inbox(request, None)


@secretariat_required
@never_cache
@require_GET
def secretariat_message(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One message to the secretariat, and its status."""
    return _message(request, None, selectors.contact_message_get_or_404(tenant=None, pk=pk))


@secretariat_required
@require_POST
def secretariat_message_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _status_set(request, request.user, None, pk)


@tenant_required(FACILITATOR)
@never_cache
@require_GET
def group_inbox(request: MemberHttpRequest, cg: str) -> HttpResponse:
    """The messages written to the platform's facilitators, newest first."""
    return _inbox(request, request.tenant)


@tenant_required(FACILITATOR)
@never_cache
@require_GET
def group_message(request: MemberHttpRequest, cg: str, message: int) -> HttpResponse:
    """One message to the platform's facilitators, and its status."""
    found = selectors.contact_message_get_or_404(tenant=request.tenant, pk=message)
    return _message(request, request.tenant, found)


@tenant_required(FACILITATOR)
@require_POST
def group_message_status(request: MemberHttpRequest, cg: str, message: int) -> HttpResponse:
    return _status_set(request, request.user, request.tenant, message)
