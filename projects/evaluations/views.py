"""Evaluation sessions of a coordination group: the list, a session's results (a chart and a
table per indicator), entering its tally, publishing it, and comparing two sessions.

The group's facilitators (and the network staff) run sessions; drafts are seen by its members
only and answer 404 to anyone else, as a session of another group would; published sessions
are public unless the group is hidden. Everything works without JavaScript; bad input answers
400 with the message, and nothing is saved.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.evaluations import selectors, services
from projects.evaluations.figures import session_distributions
from projects.evaluations.forms import CompareForm, PlacementForm, SessionForm, TallyForm
from projects.models import EvaluationSession
from projects.permissions import can_build_progress, can_see_progress_drafts
from territories.models import Membership
from wikispiral.errors import DomainError
from wikispiral.tenancy import MemberHttpRequest, TenantHttpRequest, tenant_required

FACILITATOR = Membership.Role.FACILITATOR


def _builder(request: TenantHttpRequest) -> None:
    if not can_build_progress(request.user, request.tenant):
        raise Http404(_("Not found."))


def _session_url(session: EvaluationSession, name: str = "detail") -> str:
    return reverse(f"evaluations:{name}", kwargs={"cg": session.tenant.slug, "session": session.pk})


def _load(request: TenantHttpRequest, pk: int, drafts: bool | None = None) -> EvaluationSession:
    session = selectors.session_get_or_404(
        tenant=request.tenant, user=request.user, pk=pk, drafts=drafts
    )
    session.tenant = request.tenant  # already loaded: its slug builds the links
    return session


# --- The list and one session -------------------------------------------------------------------


@require_GET
@tenant_required(public=True)
def sessions(request: TenantHttpRequest, cg: str) -> HttpResponse:
    drafts = can_see_progress_drafts(request.user, request.tenant)
    context = {
        "group": request.tenant,
        "sessions": list(
            selectors.session_list(tenant=request.tenant, user=request.user, drafts=drafts)
        ),
        "can_build": drafts and can_build_progress(request.user, request.tenant),
    }
    return render(request, "projects/evaluations/sessions.html", context)


def _session_context(request: TenantHttpRequest, session: EvaluationSession) -> dict:
    results = selectors.session_results(session)
    return {
        "group": request.tenant,
        "session": session,
        "results": results,
        "placed": sum(result.distribution.total for result in results),
        "can_build": can_build_progress(request.user, request.tenant),
    }


@require_GET
@tenant_required(public=True)
def session(request: TenantHttpRequest, cg: str, session: int) -> HttpResponse:
    found = _load(request, session)
    return render(request, "projects/evaluations/session.html", _session_context(request, found))


@never_cache
@require_http_methods(["GET", "POST"])
@tenant_required(FACILITATOR)
def session_new(request: MemberHttpRequest, cg: str) -> HttpResponse:
    _builder(request)
    form = SessionForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.session_create(
                tenant=request.tenant, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            error.add_to(form)
        else:
            created.tenant = request.tenant
            messages.success(
                request, _("The session is created. Now enter how the participants placed it.")
            )
            return redirect(_session_url(created, "placements"))
    status = 400 if request.method == "POST" else 200
    context = {"group": request.tenant, "form": form, "session": None}
    return render(request, "projects/evaluations/session_form.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@tenant_required(FACILITATOR)
def session_edit(request: MemberHttpRequest, cg: str, session: int) -> HttpResponse:
    _builder(request)
    found = _load(request, session, drafts=True)
    form = SessionForm(
        request.POST or None, tenant=request.tenant, initial=SessionForm.initial_of(found)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(
                tenant=request.tenant, actor=request.user, session=found, **form.cleaned_data
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("The session is saved."))
            return redirect(_session_url(found))
    status = 400 if request.method == "POST" else 200
    context = {"group": request.tenant, "form": form, "session": found}
    return render(request, "projects/evaluations/session_form.html", context, status=status)


@require_POST
@tenant_required(FACILITATOR)
def session_delete(request: MemberHttpRequest, cg: str, session: int) -> HttpResponse:
    _builder(request)
    found = _load(request, session, drafts=True)
    try:
        services.session_delete(tenant=request.tenant, actor=request.user, session=found)
    except DomainError as error:  # removed meanwhile by someone else
        raise Http404(error.message) from error
    messages.success(request, _("The session and its placements are removed."))
    return redirect("evaluations:list", cg=request.tenant.slug)


def _publishing(request: MemberHttpRequest, pk: int, publish: bool) -> HttpResponse:
    _builder(request)
    found = _load(request, pk, drafts=True)
    service = services.session_publish if publish else services.session_unpublish
    try:
        service(tenant=request.tenant, actor=request.user, session=found)
    except DomainError as error:
        context = _session_context(request, found) | {"problem": error.message}
        return render(request, "projects/evaluations/session.html", context, status=400)
    if publish:
        messages.success(request, _("The session is published: anyone may read its results."))
    else:
        messages.success(request, _("The session is back to draft: only members see it."))
    return redirect(_session_url(found))


@require_POST
@tenant_required(FACILITATOR)
def session_publish(request: MemberHttpRequest, cg: str, session: int) -> HttpResponse:
    return _publishing(request, session, publish=True)


@require_POST
@tenant_required(FACILITATOR)
def session_unpublish(request: MemberHttpRequest, cg: str, session: int) -> HttpResponse:
    return _publishing(request, session, publish=False)


# --- Entering the placements --------------------------------------------------------------------


def _placements_page(
    request: MemberHttpRequest,
    found: EvaluationSession,
    *,
    tally: TallyForm | None = None,
    one: PlacementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    indicators = selectors.session_indicators(found)
    if tally is None:
        counts = {pk: d.counts for pk, d in session_distributions(found).items()}
        tally = TallyForm(indicators=indicators, counts=counts)
    if one is None:
        one = PlacementForm(indicators=indicators)
    context = {
        "group": request.tenant,
        "session": found,
        "tally": tally,
        "one": one,
        "placed": selectors.session_placements_count(found),
    }
    return render(request, "projects/evaluations/placements.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@tenant_required(FACILITATOR)
def placements(request: MemberHttpRequest, cg: str, session: int) -> HttpResponse:
    """The tally: after the meeting, how many participants placed the territory at each level
    of each indicator (sticky notes counted on the scale)."""
    _builder(request)
    found = _load(request, session, drafts=True)
    if request.method != "POST":
        return _placements_page(request, found)
    form = TallyForm(request.POST, indicators=selectors.session_indicators(found))
    if form.is_valid():
        try:
            recorded = services.session_tally_set(
                tenant=request.tenant, actor=request.user, session=found, tallies=form.tallies()
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d placement is recorded.",
                    "%(count)d placements are recorded.",
                    recorded,
                )
                % {"count": recorded},
            )
            return redirect(_session_url(found))
    return _placements_page(request, found, tally=form, status=400)


@require_POST
@tenant_required(FACILITATOR)
def placement_add(request: MemberHttpRequest, cg: str, session: int) -> HttpResponse:
    """One participant's placement at a time (a facilitator reading the notes one by one)."""
    _builder(request)
    found = _load(request, session, drafts=True)
    form = PlacementForm(request.POST, indicators=selectors.session_indicators(found))
    if form.is_valid():
        indicator = form.chosen()
        try:
            services.placement_add(
                tenant=request.tenant,
                actor=request.user,
                session=found,
                indicator=indicator,
                level=form.cleaned_data["level"],
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(
                request,
                _("One placement is recorded on “%(indicator)s”.") % {"indicator": indicator.title},
            )
            return redirect(_session_url(found, "placements"))
    return _placements_page(request, found, one=form, status=400)


# --- Comparing two sessions ---------------------------------------------------------------------


@require_GET
@tenant_required(public=True)
def compare(request: TenantHttpRequest, cg: str) -> HttpResponse:
    """The change per indicator between two sessions (before and after an action, or any two
    dates): both distributions and how far the median moved."""
    drafts = can_see_progress_drafts(request.user, request.tenant)
    visible = selectors.session_list(tenant=request.tenant, user=request.user, drafts=drafts)
    # Both named: compare them. One only (the link from a session's page): the form, filled.
    asked = bool(request.GET.get("before")) and bool(request.GET.get("after"))
    form = CompareForm(
        request.GET if asked else None,
        sessions=visible,
        initial={key: request.GET.get(key) for key in ("before", "after")},
    )
    comparison = None
    if asked and form.is_valid():
        before, after = form.cleaned_data["before"], form.cleaned_data["after"]
        before.tenant = after.tenant = request.tenant
        comparison = selectors.session_compare(before, after)
    context = {
        "group": request.tenant,
        "form": form,
        "comparison": comparison,
        "has_sessions": visible.count() >= 2,
    }
    status = 400 if asked and form.errors else 200
    return render(request, "projects/evaluations/compare.html", context, status=status)
