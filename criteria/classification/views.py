"""The classification queue of a coordination group, and a criterion's page with its history.

For the group's facilitators and editors only (tenant_required(*CRITERIA_ROLES)): everyone
else gets 404. Suggested components are shown, never applied: the person picks one and
confirms. With htmx a classified item leaves the queue and the next one takes the focus;
without JavaScript every form posts, redirects back with a message, and every suggestion is a
link that preselects it. Bad input answers 400 with the message next to the field, nothing
saved.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from criteria import suggestions
from criteria.classification import selectors
from criteria.classification.forms import (
    ClassifyForm,
    DisputeForm,
    QueueFilterForm,
    queue_query,
)
from criteria.models import Component, Criterion, Family, GridVersion
from criteria.permissions import CRITERIA_ROLES, can_see_authors
from criteria.selectors import component_choices, grid_current, question_list
from criteria.services import criterion_classify, criterion_dispute
from wikispiral.errors import DomainError
from wikispiral.tenancy import MemberHttpRequest, get_for_tenant_or_404, tenant_required

# A suggestion's link: (criterion, component code) -> URL that preselects it.
Linker = Callable[[Criterion, str], str]

# Ten at a time (about 2.5 KB of HTML each: the items share the page's one list of components),
# for a phone on a weak network; when a page is done the next one loads by itself.
QUEUE_PAGE_SIZE = 10
SUGGESTIONS_SHOWN = 3
# An id has at most 19 digits (a BigAutoField); int() refuses strings past 4,300 digits.
MAX_ID_DIGITS = 19
QUEUE_TEMPLATE = "criteria/classification/queue.html"
CRITERION_TEMPLATE = "criteria/classification/criterion.html"


@dataclass
class Grid:
    """The current grid as the forms need it: the version, the picker's choices (grouped by
    family) and the active components by code."""

    version: GridVersion
    choices: list[tuple[Family, list[Component]]]
    by_code: dict[str, Component]

    @classmethod
    def current(cls) -> "Grid":
        version = grid_current()
        choices = component_choices(version=version)
        by_code = {c.code: c for _family, components in choices for c in components}
        return cls(version=version, choices=choices, by_code=by_code)


@dataclass(frozen=True)
class SuggestedComponent:
    code: str
    label: str
    percent: int
    url: str  # without JavaScript: this page again, with the component preselected


@dataclass
class Item:
    """One criterion as the queue and its page show it."""

    criterion: Criterion
    language_name: str
    grid: Grid
    author: str = ""
    suggestions: list[SuggestedComponent] = field(default_factory=list)
    value: str = ""
    classify_form: ClassifyForm | None = None
    dispute_form: DisputeForm | None = None

    @property
    def is_disputed(self) -> bool:
        return self.criterion.status == Criterion.Status.DISPUTED

    @property
    def picker_id(self) -> str:
        return f"component-{self.criterion.pk}"

    @property
    def suggestions_id(self) -> str:
        return f"suggestions-{self.criterion.pk}"

    @property
    def picker_label_id(self) -> str:
        return f"{self.picker_id}-label"

    @property
    def picker_invalid(self) -> bool:
        return bool(self.classify_form is not None and self.classify_form.errors.get("component"))

    @property
    def picker_describedby(self) -> str:
        return f"{self.picker_id}-error" if self.picker_invalid else ""


def _language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def _items(
    criteria: list[Criterion],
    *,
    grid: Grid,
    show_authors: bool,
    link: Linker,
    picked: dict[int, str] | None = None,
) -> list[Item]:
    """Queue items with their suggestions, computed for all of them in one call."""
    picked = picked or {}
    suggested = suggestions.suggest(
        [c.text for c in criteria], [c.language for c in criteria], k=SUGGESTIONS_SHOWN + 2
    )
    items = []
    for criterion, ranked in zip(criteria, suggested, strict=True):
        # Only components a person may choose now (inactive ones may still have a centroid).
        shown = [s for s in ranked if s.code in grid.by_code][:SUGGESTIONS_SHOWN]
        value = picked.get(criterion.pk, "")
        if value not in grid.by_code:
            value = criterion.component.code if criterion.component else ""
        items.append(
            Item(
                criterion=criterion,
                language_name=_language_name(criterion.language),
                author=(
                    criterion.entered_by.public_name
                    if show_authors and criterion.entered_by
                    else ""
                ),
                suggestions=[
                    SuggestedComponent(
                        code=s.code,
                        label=grid.by_code[s.code].label(),
                        percent=s.percent,
                        url=link(criterion, s.code),
                    )
                    for s in shown
                ],
                value=value,
                grid=grid,
            )
        )
    return items


def _queue_url(tenant_slug: str, query: str = "") -> str:
    url = reverse("classification:queue", kwargs={"cg": tenant_slug})
    return f"{url}?{query}" if query else url


def _queue_linker(query: str) -> Linker:
    """Links that reopen the queue (same filters and page) with a suggestion preselected.
    Relative ("?…"): every queue item is shown on the queue's own address, and the queue
    repeats them for every suggestion of every item."""

    def link(criterion: Criterion, code: str) -> str:
        extra = urlencode({"pick": f"{criterion.pk}:{code}"})
        query_string = f"{query}&{extra}" if query else extra
        return f"?{query_string}#criterion-{criterion.pk}"

    return link


def _criterion_linker(tenant_slug: str) -> Linker:
    def link(criterion: Criterion, code: str) -> str:
        url = reverse(
            "classification:criterion", kwargs={"cg": tenant_slug, "criterion": criterion.pk}
        )
        return f"{url}?{urlencode({'pick': f'{criterion.pk}:{code}'})}#classify"

    return link


def _picked(raw: str) -> dict[int, str]:
    """pick=<criterion id>:<code>, the no-JavaScript way to fill a picker from a suggestion."""
    criterion, _sep, code = (raw or "").partition(":")
    if not criterion.isdecimal() or len(criterion) > MAX_ID_DIGITS:
        return {}
    return {int(criterion): code.strip().upper()[:12]}


# --- The queue ----------------------------------------------------------------------------------


@never_cache
@tenant_required(*CRITERIA_ROLES)
@require_GET
def queue(request: MemberHttpRequest, cg: str) -> HttpResponse:
    """Unclassified and disputed criteria of the group, oldest first; htmx swaps the results."""
    tenant = request.tenant
    show_authors = can_see_authors(request.user, tenant)
    form = QueueFilterForm(
        request.GET,
        groups=selectors.homogeneous_group_choices(tenant=tenant),
        questions=list(question_list(tenant=tenant)),
    )
    status, page, items = 200, None, []
    query = queue_query(request.GET.urlencode())
    grid = Grid.current()  # the page's one list of components, shared by every item
    if form.is_valid():
        criteria = selectors.queue_list(tenant=tenant, with_authors=show_authors, **form.filters())
        page = Paginator(criteria, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
        items = _items(
            list(page.object_list),
            grid=grid,
            show_authors=show_authors,
            link=_queue_linker(query),
            picked=_picked(request.GET.get("pick", "")),
        )
    else:
        status = 400
    context = {
        "tenant": tenant,
        "form": form,
        "page": page,
        "page_range": _page_range(page),
        "items": items,
        "grid": grid,
        "return_query": query,
        "filtered": any(request.GET.get(name) for name in ("status", "group", "question")),
    }
    fragment = request.htmx and not request.htmx.history_restore_request
    template = f"{QUEUE_TEMPLATE}#results" if fragment else QUEUE_TEMPLATE
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _page_range(page: Page | None) -> list:
    if page is None or page.paginator.num_pages < 2:
        return []
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


# --- Classify and dispute -----------------------------------------------------------------------


def _back_url(request: MemberHttpRequest, criterion: Criterion) -> str:
    if request.POST.get("back") == "criterion":
        return reverse(
            "classification:criterion",
            kwargs={"cg": request.tenant.slug, "criterion": criterion.pk},
        )
    return _queue_url(request.tenant.slug, queue_query(request.POST.get("return", "")))


def _done(
    request: MemberHttpRequest, criterion: Criterion, message: str, *, leaves: bool
) -> HttpResponse:
    """After a change: with htmx, the item leaves the queue (or is shown anew) and the message
    goes to the live region; without, POST-redirect-GET with the message."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(_back_url(request, criterion))
    tenant = request.tenant
    context = {
        "tenant": tenant,
        "message": message,
        "waiting": _matching_count(request),
        "item": None,
    }
    if not leaves:
        context.update(_item_context(request, criterion))
    return render(request, f"{QUEUE_TEMPLATE}#done", context)


def _matching_count(request: MemberHttpRequest) -> int:
    """How many criteria still match the queue's filters the form came from."""
    tenant = request.tenant
    form = QueueFilterForm(
        QueryDict(queue_query(request.POST.get("return", ""))),
        groups=selectors.homogeneous_group_choices(tenant=tenant),
        questions=list(question_list(tenant=tenant)),
    )
    filters = form.filters() if form.is_valid() else {}
    return selectors.queue_list(tenant=tenant, **filters).count()


def _item_context(
    request: MemberHttpRequest,
    criterion: Criterion,
    *,
    classify_form: ClassifyForm | None = None,
    dispute_form: DisputeForm | None = None,
) -> dict:
    tenant = request.tenant
    show_authors = can_see_authors(request.user, tenant)
    found = selectors.criterion_get(tenant=tenant, pk=criterion.pk, with_authors=show_authors)
    if found is None:  # deleted meanwhile
        raise Http404(_("Not found."))
    query = queue_query(request.POST.get("return", ""))
    grid = Grid.current()
    (item,) = _items(
        [found],
        grid=grid,
        show_authors=show_authors,
        link=_queue_linker(query),
    )
    item.classify_form, item.dispute_form = classify_form, dispute_form
    if classify_form is not None and classify_form.data.get("component"):
        item.value = str(classify_form.data.get("component", "")).strip().upper()
    return {"item": item, "grid": grid, "return_query": query, "tenant": tenant}


def _refused(
    request: MemberHttpRequest,
    criterion: Criterion,
    *,
    classify_form: ClassifyForm | None = None,
    dispute_form: DisputeForm | None = None,
) -> HttpResponse:
    """Bad input: the form again with its messages, status 400, nothing saved. A classify
    form of the queue with htmx: the queue item alone; otherwise the criterion's page (its
    forms carry the way back; the queue's items dispute there)."""
    if request.htmx and request.POST.get("back") != "criterion" and dispute_form is None:
        context = _item_context(
            request, criterion, classify_form=classify_form, dispute_form=dispute_form
        )
        return render(request, f"{QUEUE_TEMPLATE}#item", context, status=400)
    return _criterion_page(
        request,
        criterion.pk,
        classify_form=classify_form,
        dispute_form=dispute_form,
        status=400,
    )


@tenant_required(*CRITERIA_ROLES)
@require_POST
def classify(request: MemberHttpRequest, cg: str, criterion: int) -> HttpResponse:
    found = get_for_tenant_or_404(Criterion, request.tenant, pk=criterion)
    form = ClassifyForm(request.POST, version=grid_current())
    if form.is_valid():
        component = form.cleaned_data["component"]
        try:
            criterion_classify(
                tenant=request.tenant,
                criterion=found,
                component=component,
                actor=request.user,
                full_code=form.cleaned_data["full_code"],
            )
        except DomainError as error:
            error.add_to(form)
        else:
            message = _("Classified as %(code)s %(label)s.") % {
                "code": found.full_code or component.code,
                "label": component.label(),
            }
            return _done(request, found, message, leaves=True)
    return _refused(request, found, classify_form=form)


@tenant_required(*CRITERIA_ROLES)
@require_POST
def dispute(request: MemberHttpRequest, cg: str, criterion: int) -> HttpResponse:
    found = get_for_tenant_or_404(Criterion, request.tenant, pk=criterion)
    form = DisputeForm(request.POST)
    if form.is_valid():
        try:
            criterion_dispute(
                tenant=request.tenant,
                criterion=found,
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            error.add_to(form)
        else:
            message = _(
                "Marked as disputed: the criterion stays in the queue until someone decides."
            )
            return _done(request, found, message, leaves=False)
    return _refused(request, found, dispute_form=form)


# --- A criterion's page -------------------------------------------------------------------------


def _criterion_page(
    request: MemberHttpRequest,
    pk: int,
    *,
    classify_form: ClassifyForm | None = None,
    dispute_form: DisputeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    tenant = request.tenant
    show_authors = can_see_authors(request.user, tenant)
    found = selectors.criterion_get(tenant=tenant, pk=pk, with_authors=show_authors)
    if found is None:
        raise Http404(_("Not found."))
    grid = Grid.current()
    picked = _picked(request.GET.get("pick", ""))
    (item,) = _items(
        [found],
        grid=grid,
        show_authors=show_authors,
        link=_criterion_linker(tenant.slug),
        picked=picked,
    )
    item.classify_form, item.dispute_form = classify_form, dispute_form
    if classify_form is not None and classify_form.data.get("component"):
        item.value = str(classify_form.data["component"]).strip().upper()
    # Reached from the queue (its "Dispute…" link carries ?return=, or a refused POST from
    # it): the forms lead back to the queue.
    if request.method == "POST":
        from_queue = request.POST.get("back") != "criterion"
    else:
        from_queue = "return" in request.GET
    source = request.POST if request.method == "POST" else request.GET
    return_query = queue_query(source.get("return", "")) if from_queue else ""
    context = {
        "tenant": tenant,
        "item": item,
        "criterion": found,
        "grid": grid,
        "show_authors": show_authors,
        "history": selectors.classification_history(
            tenant=tenant, criterion=found, with_authors=show_authors
        ),
        "language_name": item.language_name,
        "return_query": return_query,
        "from_queue": from_queue,
        "queue_url": _queue_url(tenant.slug, return_query),
    }
    return render(request, CRITERION_TEMPLATE, context, status=status)


@never_cache
@tenant_required(*CRITERIA_ROLES)
@require_GET
def criterion(request: MemberHttpRequest, cg: str, criterion: int) -> HttpResponse:
    """A criterion: what it says, where it comes from, its classification and its history."""
    return _criterion_page(request, criterion)
