"""The pages of the co-responsibility actions: the list, opening and editing one, its page with
its pledges and its change before and after, and the small forms that post to it.

Everything works without JavaScript: each form posts, the view redirects back with a message,
and bad input answers 400 with the form and its messages (nothing saved). A group's actions are
read by anyone who may see the group once published; drafts by its members only (404 for
anyone else). Its facilitators build actions; its members pledge.
"""

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.actions import selectors, services
from projects.actions.forms import (
    ActionForm,
    EvaluationsForm,
    PledgeForm,
    SendOnce,
    StateFilterForm,
)
from projects.impact.views import impact_panel
from projects.models import Action, Pledge
from projects.permissions import can_build_progress, can_pledge, can_see_progress_drafts
from wikispiral.errors import DomainError
from wikispiral.tenancy import (
    MemberHttpRequest,
    TenantHttpRequest,
    get_for_tenant_or_404,
    tenant_required,
)
from wikispiral.wiki.permissions import can_edit_page, can_view_page
from wikispiral.wiki.selectors import revision_render

PER_PAGE = 50


# How long a send of the new-action or pledge form is remembered: the same send again (a
# double click, a resend after a lost answer) saves nothing twice.
SEND_SECONDS = 15 * 60


def _send_key(request: MemberHttpRequest, kind: str, form: SendOnce) -> str | None:
    token = form.cleaned_data.get("submission") or ""
    if not token:
        return None
    return f"projects:send:{kind}:{request.tenant.pk}:{request.user.pk}:{token}"


def _builder_or_404(request: MemberHttpRequest) -> None:
    if not can_build_progress(request.user, request.tenant):
        raise Http404(_("Not found."))


def _detail_url(request: TenantHttpRequest, action: Action) -> str:
    return services.action_url(action, request.tenant)


# --- The list -----------------------------------------------------------------------------------


@tenant_required(public=True)
@require_GET
def action_list(request: TenantHttpRequest, cg: str) -> HttpResponse:
    """The group's actions, newest first, filtered by state (a plain GET form)."""
    form = StateFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    actions = selectors.action_list(tenant=request.tenant, user=request.user, status=state or None)
    page = Paginator(actions, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "tenant": request.tenant,
        "form": form if form.is_bound and form.is_valid() else StateFilterForm(),
        "state": state,
        "page": page,
        "can_build": can_build_progress(request.user, request.tenant),
    }
    return render(request, "projects/actions/list.html", context)


# --- Opening and editing ------------------------------------------------------------------------


def _action_form(
    request: MemberHttpRequest, action: Action | None = None, data: QueryDict | None = None
) -> ActionForm:
    tenant = request.tenant
    initial = {}
    chosen_criteria: list[int] = []
    chosen_components: list[int] = []
    if action is not None:
        chosen_criteria = [c.pk for c in selectors.action_criteria(action=action)]
        chosen_components = [c.pk for c in selectors.action_components(action=action)]
        initial = {
            "title": action.title,
            "description": action.description,
            "language": action.language,
            "status": action.status,
            "starts_on": action.starts_on,
            "ends_on": action.ends_on,
            "criteria": chosen_criteria,
            "components": chosen_components,
            "indicators": [i.pk for i in selectors.action_indicators(action=action)],
            "groups": [g.pk for g in selectors.action_groups(action=action)],
        }
    return ActionForm(
        data,
        initial=initial,
        criteria=selectors.start_criteria(tenant=tenant, include=chosen_criteria),
        components=selectors.component_options(include=chosen_components),
        indicators=selectors.indicator_options(tenant=tenant),
        groups=selectors.group_options(tenant=tenant),
        with_publish=action is None,
    )


def _form_page(
    request: MemberHttpRequest, form: ActionForm, action: Action | None, status: int = 200
) -> HttpResponse:
    context = {
        "tenant": request.tenant,
        "form": form,
        "action": action,
        "start_total": selectors.start_criteria_total(tenant=request.tenant),
        "start_shown": selectors.CRITERIA_OFFERED,
    }
    return render(request, "projects/actions/form.html", context, status=status)


@tenant_required()
@require_http_methods(["GET", "POST"])
def action_new(request: MemberHttpRequest, cg: str) -> HttpResponse:
    """Open an action (the facilitators): its wiki page is created when it is published."""
    _builder_or_404(request)
    form = _action_form(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        key = _send_key(request, "action", form)
        if key is not None and not cache.add(key, 0, SEND_SECONDS):
            # The same send again: lead to what the first one opened.
            opened = cache.get(key)
            messages.info(request, _("This action was already opened."))
            if opened:
                done = selectors.action_get_or_404(
                    tenant=request.tenant, user=request.user, pk=opened
                )
                return redirect(_detail_url(request, done))
            return redirect(reverse("actions:list", kwargs={"cg": request.tenant.slug}))
        try:
            action = services.action_create(
                tenant=request.tenant,
                actor=request.user,
                published=form.cleaned_data["published"],
                **form.service_fields(),
            )
        except DomainError as error:
            if key is not None:
                cache.delete(key)
            error.add_to(form)
        else:
            if key is not None:
                cache.set(key, action.pk, SEND_SECONDS)
            messages.success(
                request,
                _("The action is open, with its page in the wiki.")
                if action.published
                else _("The action is open as a draft: publishing it gives it its wiki page."),
            )
            return redirect(_detail_url(request, action))
    return _form_page(request, form, None, status=400 if request.method == "POST" else 200)


@tenant_required()
@require_http_methods(["GET", "POST"])
def action_edit(request: MemberHttpRequest, cg: str, action: int) -> HttpResponse:
    _builder_or_404(request)
    found = selectors.action_get_or_404(tenant=request.tenant, user=request.user, pk=action)
    form = _action_form(request, found, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                tenant=request.tenant, actor=request.user, action=found, **form.service_fields()
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("The action is saved."))
            return redirect(_detail_url(request, found))
    return _form_page(request, form, found, status=400 if request.method == "POST" else 200)


@tenant_required()
@require_POST
def action_publish(request: MemberHttpRequest, cg: str, action: int) -> HttpResponse:
    _builder_or_404(request)
    found = selectors.action_get_or_404(tenant=request.tenant, user=request.user, pk=action)
    try:
        services.action_publish(tenant=request.tenant, actor=request.user, action=found)
    except DomainError as error:
        return _detail_page(request, found, problem=error.message, status=400)
    messages.success(request, _("The action is published."))
    return redirect(_detail_url(request, found))


@tenant_required()
@require_POST
def action_evaluations(request: MemberHttpRequest, cg: str, action: int) -> HttpResponse:
    """Name the evaluations before and after the action."""
    _builder_or_404(request)
    found = selectors.action_get_or_404(tenant=request.tenant, user=request.user, pk=action)
    form = EvaluationsForm(request.POST, sessions=selectors.session_options(tenant=request.tenant))
    if form.is_valid():
        try:
            services.action_set_evaluations(
                tenant=request.tenant,
                actor=request.user,
                action=found,
                before=form.session("before"),
                after=form.session("after"),
            )
        except DomainError as error:
            error.add_to(form)
        else:
            messages.success(request, _("The evaluations before and after are saved."))
            return redirect(_detail_url(request, found))
    return _detail_page(request, found, evaluations_form=form, status=400)


# --- The action's page --------------------------------------------------------------------------


def _narrative(request: TenantHttpRequest, action: Action) -> dict:
    page = action.page
    if page is None or page.is_deleted or not can_view_page(request.user, page):
        return {"page": None}
    revision = page.current_revision
    return {
        "page": page,
        "rendered": revision_render(page=page, revision=revision) if revision else None,
        "edit_url": page.url_for("edit") if can_edit_page(request.user, page) else "",
    }


def _detail_page(
    request: TenantHttpRequest,
    action: Action,
    *,
    pledge_form: PledgeForm | None = None,
    evaluations_form: EvaluationsForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    tenant, user = request.tenant, request.user
    builder = can_build_progress(user, tenant)
    member = builder or can_pledge(user, tenant)
    pledges = selectors.pledge_list(action=action)
    for row in pledges:
        offered = row.pledge.state == Pledge.State.OFFERED
        row.can_keep = offered and builder
        row.can_withdraw = (
            offered and member and (builder or services.pledge_is_pledgers(user, row.pledge))
        )
    groups = selectors.action_groups(action=action)
    indicators = selectors.action_indicators(action=action)
    may_pledge = (
        member and (action.published or builder) and action.status != Action.Status.GIVEN_UP
    )
    if pledge_form is not None and not may_pledge:
        # Refused for a reason the page shows without the form (a draft, a given-up action).
        problem = problem or " ".join(str(e) for e in pledge_form.non_field_errors())
    if may_pledge and pledge_form is None:
        pledge_form = PledgeForm(groups=selectors.group_options(tenant=tenant))
    if builder and evaluations_form is None:
        evaluations_form = EvaluationsForm(
            initial={"before": action.before_id, "after": action.after_id},
            sessions=selectors.session_options(tenant=tenant),
        )
    context = {
        "tenant": tenant,
        "action": action,
        "groups": groups,
        "indicators": indicators,
        "components": selectors.action_components(action=action),
        "criteria": selectors.action_criteria(
            action=action, drafts=can_see_progress_drafts(user, tenant)
        ),
        "pledges": pledges,
        "summary": selectors.pledge_summary(row.pledge for row in pledges),
        "changes": selectors.action_change(action=action, user=user, indicators=indicators),
        "narrative": _narrative(request, action),
        "can_build": builder,
        "pledge_form": pledge_form if may_pledge else None,
        "evaluations_form": evaluations_form if builder else None,
        "problem": problem,
        **impact_panel(request, tenant, action),
    }
    return render(request, "projects/actions/detail.html", context, status=status)


@tenant_required(public=True)
@require_GET
def action_detail(request: TenantHttpRequest, cg: str, action: int) -> HttpResponse:
    found = selectors.action_get_or_404(tenant=request.tenant, user=request.user, pk=action)
    return _detail_page(request, found)


# --- Pledges ------------------------------------------------------------------------------------


@tenant_required()
@require_POST
def pledge_new(request: MemberHttpRequest, cg: str, action: int) -> HttpResponse:
    """A member offers something to the action."""
    if not can_pledge(request.user, request.tenant):
        raise Http404(_("Not found."))
    found = selectors.action_get_or_404(tenant=request.tenant, user=request.user, pk=action)
    form = PledgeForm(request.POST, groups=selectors.group_options(tenant=request.tenant))
    if form.is_valid():
        key = _send_key(request, "pledge", form)
        if key is not None and not cache.add(key, 1, SEND_SECONDS):
            messages.info(request, _("This pledge was already recorded."))
            return redirect(_detail_url(request, found) + "#pledges")
        try:
            services.pledge_create(
                tenant=request.tenant, actor=request.user, action=found, **form.service_fields()
            )
        except DomainError as error:
            if key is not None:
                cache.delete(key)
            error.add_to(form)
        else:
            messages.success(request, _("Thank you: your pledge is recorded."))
            return redirect(_detail_url(request, found) + "#pledges")
    return _detail_page(request, found, pledge_form=form, status=400)


def _pledge_settle(
    request: MemberHttpRequest, action: int, pledge: int, keep: bool
) -> HttpResponse:
    found = selectors.action_get_or_404(tenant=request.tenant, user=request.user, pk=action)
    target = get_for_tenant_or_404(Pledge, request.tenant, action=found, pk=pledge)
    if not services.can_settle_pledge(request.user, request.tenant, target, keep=keep):
        raise Http404(_("Not found."))
    service = services.pledge_keep if keep else services.pledge_withdraw
    try:
        service(tenant=request.tenant, actor=request.user, pledge=target)
    except DomainError as error:
        return _detail_page(request, found, problem=error.message, status=400)
    messages.success(
        request, _("The pledge is marked kept.") if keep else _("The pledge is withdrawn.")
    )
    return redirect(_detail_url(request, found) + "#pledges")


@tenant_required()
@require_POST
def pledge_keep(request: MemberHttpRequest, cg: str, action: int, pledge: int) -> HttpResponse:
    return _pledge_settle(request, action, pledge, keep=True)


@tenant_required()
@require_POST
def pledge_withdraw(request: MemberHttpRequest, cg: str, action: int, pledge: int) -> HttpResponse:
    return _pledge_settle(request, action, pledge, keep=False)
