"""Synthesis pages: the figures of a scope (a homogeneous group up to the whole network) with
filters, charts and tables; a question's charts (its families and each family's components,
a page of their own which the synthesis page loads in place, so that it stays under 40 KB);
the criteria behind a component; comparisons; the narrative; and asking for a recomputation
with its progress.

Public, except for a hidden group's scopes (404 but to its members and the secretariat):
syntheses count only published criteria. Pages read the scope's snapshot (one row) and the
grid; they never aggregate criteria. Only the drill-down reads criteria, a page at a time.

The figures part of a page depends only on the snapshot, the filters and the language, so it
is rendered once and cached under (snapshot, computed_at, filters, language): a recomputation
moves computed_at and retires it. A warm request reads the snapshot without its cube.

What the pages show (snapshots, facets, the table, comparison rows) is built in
syntheses.display; the reports' panel comes from syntheses.reports.views; what lies under a
scope (to browse down) and a country's map, from syntheses.browse.
"""

import datetime
import re

from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from criteria.selectors import component_by_code
from syntheses import charts, pages, services
from syntheses.browse import country_map, scope_browse
from syntheses.display import (
    CACHE_SECONDS,
    STRONG_POINTS,
    SnapshotBody,
    compare_rows,
    facets_for,
    figures_summary,
    figures_table,
    filters_in_words,
    question_charts_cached,
    scope_figures,
    side_name,
    snapshot_head,
    snapshot_stamp,
)
from syntheses.forms import (
    CompareForm,
    Facets,
    FiltersForm,
    filters_data,
    filters_query,
)
from syntheses.hooks import scope_links
from syntheses.models import PendingScope, Scope, Snapshot
from syntheses.permissions import Access, scope_access
from syntheses.reports.views import reports_panel
from syntheses.selectors import (
    Filters,
    ScopeRef,
    figures_from,
    scope_get,
    scope_parents,
    synthesis_criteria,
    synthesis_page_get,
)
from territories.models import HomogeneousGroup
from wikispiral.errors import DomainError
from wikispiral.tenancy import cross_tenant
from wikispiral.typing import HtmxHttpRequest
from wikispiral.wiki.permissions import can_edit_page, can_view_page
from wikispiral.wiki.selectors import revision_render

# "network", or a scope and a positive id small enough for any database column.
_KEY = re.compile(r"^(network|(hg|cg|locality|region|country|continent|project)-[1-9][0-9]{0,9})$")
_ID_MAX = 2**31 - 1
_CODE = re.compile(r"^[A-Za-z0-9]{1,3}$")
_QUESTION = re.compile(r"^[A-Za-z0-9]{1,12}$")


# --- Access ---------------------------------------------------------------------------------


def _scope_ref(key: str) -> ScopeRef:
    match = _KEY.match(key)
    if match is None or (match[2] and int(key.rpartition("-")[2]) > _ID_MAX):
        raise Http404(_("No such synthesis."))
    return scope_get(key)


def _access(request: HttpRequest, key: str) -> Access:
    """The scope of key as the reader may see it; 404 when unknown, and when its group is
    hidden from this reader (members and the secretariat still see it)."""
    access = scope_access(request.user, _scope_ref(key))
    if not access.can_view:
        raise Http404(_("No such synthesis."))
    return access


def _recompute_access(request: HttpRequest, key: str) -> Access | HttpResponse:
    """Facilitators of the group (its scopes) and the secretariat (every scope); anonymous
    readers are sent to log in, everyone else gets 404."""
    if not request.user.is_authenticated:
        # After logging in, back to the page that offers the button (a GET of the POST-only
        # address would answer 405).
        after = request.get_full_path() if request.method == "GET" else _url("synthesis", key)
        return redirect_to_login(after)
    access = _access(request, key)
    if not access.can_act:
        raise Http404(_("No such synthesis."))
    return access


def _url(name: str, key: str, query: str = "") -> str:
    url = reverse(f"syntheses:{name}", kwargs={"key": key})
    return f"{url}?{query}" if query else url


# --- The synthesis page ---------------------------------------------------------------------


def _results(
    ref: ScopeRef, head: Snapshot, body: SnapshotBody, filters: Filters, facets: Facets
) -> dict:
    """The figures part of the page as HTML, with its one-line summary (cached)."""
    query = filters_query(filters)
    key = f"syntheses:results:{snapshot_stamp(head)}:{ref.key}:{query}"
    found = cache.get(key)
    if found is not None:
        return found
    cube, groups = body.get()
    figures = figures_from(cube=cube, groups=groups, version=head.grid_version, filters=filters)
    placeholder = "CODE"
    drill = reverse("syntheses:criteria", kwargs={"key": ref.key, "code": placeholder})
    suffix = f"?{query}" if query else ""
    links = {
        item.component.code: drill.replace(f"/{placeholder}/", f"/{item.component.code}/") + suffix
        for family in figures.families
        for item in family.components
    }
    blocks = charts.question_charts(figures) if not figures.is_empty else []
    context = {
        "ref": ref,
        "snapshot": head,
        "figures": figures,
        "totals": {
            "criteria": charts.count_text(figures.total),
            "groups": charts.count_text(figures.groups_count),
            "participants": figures.participants_figure,
        },
        "families_chart": charts.families_chart(figures) if not figures.is_empty else None,
        # Per question, its answers in a sentence and where its charts are (families, and
        # each family's components: a page of their own, which htmx loads in place).
        "blocks": [
            (
                block,
                charts.question_summary(block),
                _components_url(ref.key, block.question.code, query),
            )
            for block in blocks
        ],
        "table": figures_table(figures, links),
        "described": filters_in_words(filters, facets),
        "clear_url": _url("synthesis", ref.key),
    }
    found = {
        "html": render_to_string("syntheses/synthesis.html#figures", context),
        "summary": figures_summary(figures, bool(query)),
    }
    cache.set(key, found, CACHE_SECONDS)
    return found


def _compare_scopes(ref: ScopeRef, parents: list[ScopeRef]) -> list[tuple[str, str]]:
    """What the synthesis page offers to compare with: itself (other filters), the scopes
    above it, and for a coordination group its homogeneous groups."""
    choices = [(ref.key, _("The same synthesis, with other filters"))]
    choices += [(parent.key, f"{parent.name} ({Scope(parent.scope).label})") for parent in parents]
    if ref.scope == Scope.COORDINATION_GROUP:
        with cross_tenant():
            rows = HomogeneousGroup.objects.filter(tenant_id=ref.scope_id).order_by("name", "pk")
            choices += [
                (f"{Scope.HOMOGENEOUS_GROUP}-{pk}", f"{name} ({Scope.HOMOGENEOUS_GROUP.label})")
                for pk, name in rows.values_list("pk", "name")
            ]
    return choices


def _narrative(request: HttpRequest, ref: ScopeRef) -> dict:
    """The narrative as the wiki renders its page, and what the reader may do with it."""
    found = synthesis_page_get(ref)
    page = found.page if found is not None else None
    if page is not None and not page.is_deleted and can_view_page(request.user, page):
        revision = page.current_revision
        assert revision is not None  # a page gets its first revision when it is created
        return {
            "page": page,
            "rendered": revision_render(page=page, revision=revision),
            "can_edit": can_edit_page(request.user, page),
            "edit_url": page.url_for("edit"),
        }
    return {
        "page": page,
        "rendered": None,
        "can_write": page is None
        and request.user.is_authenticated
        and pages.can_write_narrative(request.user, ref),
    }


def _pending_state(ref: ScopeRef) -> str:
    """ "queued", "computing" or "" (nothing pending for the scope)."""
    row = (
        PendingScope.objects.filter(scope=ref.scope, scope_id=ref.scope_id)
        .values_list("claimed_at")
        .first()
    )
    if row is None:
        return ""
    return "queued" if row[0] is None else "computing"


# Under 40 KB of markup at worst (tests/syntheses/test_page_weight.py), about 6 KB compressed.
# (The CSRF token Django puts in a page is masked anew on every response: no BREACH.)
@gzip_page
@require_GET
def synthesis(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """The synthesis of a scope under the filters of the query string."""
    access = _access(request, key)
    ref = access.ref
    head = snapshot_head(ref)
    empty = head is None or head.criteria_count == 0
    body = None if head is None or empty else SnapshotBody(head)
    facets = facets_for(head, body)
    form = FiltersForm(filters_data(request.GET), facets=facets)
    valid = form.is_valid()
    filters = form.filters() if valid else Filters()
    results = None
    if valid and head is not None and body is not None:  # not empty
        results = _results(ref, head, body, filters, facets)
    if request.htmx and not request.htmx.history_restore_request:
        if not valid:
            summary = _("These filters cannot be used.")
        elif results is None:  # empty
            summary = _("No criteria yet.")
        else:
            summary = results["summary"]
        context = {
            "ref": ref,
            "form": form,
            "empty": empty,
            "results": results,
            "summary": summary,
            "clear_url": _url("synthesis", ref.key),
        }
        response = render(
            request, "syntheses/synthesis.html#swap", context, status=200 if valid else 400
        )
        patch_vary_headers(response, ("HX-Request",))
        return response
    parents = scope_parents(ref)
    pending = _pending_state(ref) if access.can_act else ""
    browse = scope_browse(ref)
    context = {
        "ref": ref,
        "scope_label": Scope(ref.scope).label,
        "crumbs": list(reversed(parents)),
        "snapshot": head,
        "empty": empty,
        "form": form,
        "results": results,
        "filters": filters,
        "clear_url": _url("synthesis", ref.key),
        "compare_form": CompareForm(
            facets=facets,
            scopes=_compare_scopes(ref, parents),
            initial={"scope": parents[0].key if parents else ref.key},
        ),
        "compare_url": _url("compare", ref.key),
        "year_links": _year_links(ref, facets, filters),
        "narrative": _narrative(request, ref),
        "browse": browse,
        "map": country_map(ref, browse),
        "can_recompute": access.can_act,
        "status": _status(ref, None, pending) if pending else None,
        # What the apps above offer from this synthesis (a group's progress indicators).
        "scope_links": scope_links(ref, request.user),
        **reports_panel(request, ref, filters),
    }
    response = render(request, "syntheses/synthesis.html", context, status=200 if valid else 400)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _year_links(ref: ScopeRef, facets: Facets, filters: Filters) -> list[tuple[str, str]]:
    """ "This year against last year": the last year with criteria against the one before."""
    if len(facets.years) < 2:
        return []
    last, previous = facets.years[-1], facets.years[-2]
    # The other filters stay on both sides: only the period differs.
    query = filters_query(
        Filters(
            year_from=last,
            year_to=last,
            question=filters.question,
            profile=filters.profile,
            language=filters.language,
        )
    )
    query += f"&with={ref.key}&" + filters_query(
        Filters(
            year_from=previous,
            year_to=previous,
            profile=filters.profile,
            language=filters.language,
        ),
        prefix="with_",
    )
    label = _("%(year)s against %(previous)s") % {"year": last, "previous": previous}
    return [(label, _url("compare", ref.key, query))]


# --- A question's charts ----------------------------------------------------------------------


def _components_url(key: str, question: str, query: str) -> str:
    url = reverse("syntheses:components", kwargs={"key": key, "question": question})
    return f"{url}?{query}" if query else url


@gzip_page
@require_GET
def components(request: HtmxHttpRequest, key: str, question: str) -> HttpResponse:
    """One question's charts under the synthesis' filters (its question filter aside): its
    families and each family's components, every chart with its data table. A page of its own,
    linked from the question's section of the synthesis page, which loads the charts alone
    (htmx) in place of the link."""
    access = _access(request, key)
    ref = access.ref
    head = snapshot_head(ref)
    body = None if head is None or head.criteria_count == 0 else SnapshotBody(head)
    facets = facets_for(head, body)
    # Only a question the snapshot holds is computed (and cached): any other answers 404 at
    # the cost of the facets, cached per snapshot.
    if question not in {code for code, _name in facets.questions}:
        raise Http404(_("No such question."))
    form = FiltersForm(filters_data(request.GET), facets=facets)
    crumbs = list(reversed(scope_parents(ref)))
    context: dict = {"ref": ref, "form": form, "crumbs": crumbs}
    if not form.is_valid():
        return render(request, "syntheses/components.html", context, status=400)
    filters = form.filters()
    block = None
    if _QUESTION.match(question) and head is not None and body is not None:
        only = Filters(**{**filters.__dict__, "question": question})
        block = question_charts_cached(ref, head, body, only)
    if head is None or block is None:
        raise Http404(_("No such question."))
    context.update(
        {
            "snapshot": head,
            "charts": block,
            "described": filters_in_words(filters, Facets()),
            "synthesis_url": _url("synthesis", ref.key, filters_query(filters))
            + f"#question-{slugify(question)}",
        }
    )
    partial = request.htmx and not request.htmx.history_restore_request
    template = "syntheses/components.html#charts" if partial else "syntheses/components.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Drill-down -----------------------------------------------------------------------------


@gzip_page
@require_GET
def criteria(request: HttpRequest, key: str, code: str) -> HttpResponse:
    """The criteria texts behind one component of a scope, 50 a page, under the same filters."""
    access = _access(request, key)
    ref = access.ref
    head = snapshot_head(ref)
    component = None
    if _CODE.match(code):
        component = component_by_code(code=code, version=head.grid_version if head else None)
    if component is None:
        raise Http404(_("No such component."))
    form = FiltersForm(filters_data(request.GET), facets=Facets())
    if not form.is_valid():
        context = {"ref": ref, "component": component, "form": form}
        return render(request, "syntheses/criteria.html", context, status=400)
    filters = form.filters()
    page = synthesis_criteria(
        ref=ref, component=component, filters=filters, page=request.GET.get("page")
    )
    query = filters_query(filters)
    context = {
        "ref": ref,
        "crumbs": list(reversed(scope_parents(ref))),
        "component": component,
        "form": form,
        "page": page,
        "described": filters_in_words(filters, Facets()),
        "synthesis_url": _url("synthesis", ref.key, query),
        "page_query": f"{query}&page=" if query else "page=",
    }
    return render(request, "syntheses/criteria.html", context)


# --- Comparison -----------------------------------------------------------------------------


@gzip_page
@require_GET
def compare(request: HttpRequest, key: str) -> HttpResponse:
    """Two syntheses side by side: this scope under its filters, and `with` (a scope key, this
    one by default) under the `with_` filters; the question filter is shared."""
    access = _access(request, key)
    ref = access.ref
    parents = scope_parents(ref)
    head = snapshot_head(ref)
    empty = head is None or head.criteria_count == 0
    facets = facets_for(head, None if head is None or empty else SnapshotBody(head))
    data = filters_data(filters_data(request.GET), prefix="with_")
    form = FiltersForm(data, facets=facets)
    with_form = CompareForm(data, facets=facets, scopes=_compare_scopes(ref, parents))
    context = {
        "ref": ref,
        "crumbs": list(reversed(parents)),
        "form": form,
        "with_form": with_form,
        "compared": False,
    }
    asked = "with" in request.GET or any(name.startswith("with_") for name in request.GET)
    valid = form.is_valid() & with_form.is_valid()
    other = None
    if valid and asked:
        other_key = with_form.cleaned_data["scope"] or ref.key
        try:
            other = _access(request, other_key).ref
        except Http404:
            with_form.add_error("scope", _("There is no such synthesis to compare with."))
            valid = False
    if not valid:
        return render(request, "syntheses/compare.html", context, status=400)
    if other is None:
        return render(request, "syntheses/compare.html", context)
    first_filters = form.filters()
    second_filters = with_form.filters()
    if first_filters.question:
        second_filters = Filters(**{**second_filters.__dict__, "question": first_filters.question})
    first_head, first = scope_figures(ref, first_filters)
    second_head, second = scope_figures(other, second_filters)
    first_name = side_name(ref, filters_in_words(first_filters, facets))
    second_name = side_name(other, filters_in_words(second_filters, facets))
    rows = compare_rows(first, second)
    families = [row for row in rows if row.is_family]
    chart = None
    if families and not (first.is_empty and second.is_empty):
        chart = charts.compare_svg(
            chart_id="compare-families",
            title=_("Share of each family: %(first)s and %(second)s")
            % {"first": first_name, "second": second_name},
            description=_(
                "Paired bars per family of the grid: the filled bar is %(first)s, the outlined "
                "bar %(second)s. The table below gives every figure and the differences."
            )
            % {"first": first_name, "second": second_name},
            first_name=first_name,
            second_name=second_name,
            bars=[
                charts.PairedBar(row.key, row.label, row.first_share, row.second_share)
                for row in families
            ],
        )
    context.update(
        {
            "compared": True,
            "other": other,
            "first": first,
            "second": second,
            "first_head": first_head,
            "second_head": second_head,
            "first_name": first_name,
            "second_name": second_name,
            "rows": rows,
            "chart": chart,
            "first_url": _url("synthesis", ref.key, filters_query(first_filters)),
            "second_url": _url("synthesis", other.key, filters_query(second_filters)),
            "strong_points": STRONG_POINTS,
        }
    )
    return render(request, "syntheses/compare.html", context)


# --- Narrative ------------------------------------------------------------------------------


@require_POST
def narrative(request: HttpRequest, key: str) -> HttpResponse:
    """Create the scope's narrative page if missing, then go and edit it (those who may write
    in its space); anyone else gets 404, anonymous readers are sent to log in."""
    if not request.user.is_authenticated:
        return redirect_to_login(_url("synthesis", key))
    ref = _access(request, key).ref
    found = synthesis_page_get(ref)
    if found is not None and not found.page.is_deleted:
        if not can_edit_page(request.user, found.page):
            raise Http404(_("No such synthesis."))
        return redirect(found.page.url_for("edit"))
    if found is not None:
        return redirect(found.page.get_absolute_url())
    if not pages.can_write_narrative(request.user, ref):
        raise Http404(_("No such synthesis."))
    try:
        created = pages.synthesis_page_ensure(ref=ref, actor=request.user)
    except DomainError:
        raise Http404(_("No such synthesis.")) from None
    return redirect(created.page.url_for("edit"))


# --- Recompute and its progress -------------------------------------------------------------


@require_POST
def recompute(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """Mark the scope out of date (a job recomputes it after the commit), then show how it goes."""
    access = _recompute_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    since = int(timezone.now().timestamp())
    services.scope_mark_with_below(access.ref.scope, access.ref.scope_id)
    context = {"ref": access.ref, "status": _status(access.ref, since)}
    if request.htmx:
        return render(request, "syntheses/status.html#status", context)
    return redirect(_url("status", access.ref.key, f"since={since}"))


def _status(ref: ScopeRef, since: int | None, state: str | None = None) -> dict:
    """Where the scope's recomputation stands: "queued", "computing" or "done" (with the
    snapshot's computed_at, and whether it is newer than since, a timestamp)."""
    state = _pending_state(ref) if state is None else state
    computed_at = None
    if not state:
        computed_at = (
            Snapshot.objects.filter(scope=ref.scope, scope_id=ref.scope_id)
            .values_list("computed_at", flat=True)
            .first()
        )
    fresh = bool(
        computed_at
        and since is not None
        and computed_at >= datetime.datetime.fromtimestamp(since, tz=datetime.UTC)
    )
    steps = {"queued": 1, "computing": 2}
    return {
        "state": state or "done",
        "step": steps.get(state, 3),
        "steps": 3,
        "computed_at": computed_at,
        "fresh": fresh,
        "url": _url("status", ref.key, f"since={since}" if since is not None else ""),
        "synthesis_url": _url("synthesis", ref.key),
    }


@never_cache
@require_http_methods(["GET"])
def status(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """Where the scope's recomputation stands: waiting, being computed, done (htmx polls it
    every second until done; without JavaScript, a link refreshes it)."""
    access = _recompute_access(request, key)
    if isinstance(access, HttpResponse):
        return access
    raw = request.GET.get("since", "")
    since = int(raw) if raw.isdecimal() and len(raw) <= 12 else None
    context = {"ref": access.ref, "status": _status(access.ref, since)}
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "syntheses/status.html#status", context)
    else:
        context["crumbs"] = list(reversed(scope_parents(access.ref)))
        response = render(request, "syntheses/status.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response
