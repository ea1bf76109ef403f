"""The evaluations of a scope (a homogeneous group up to the whole network), as the syntheses
show criteria: per indicator lineage, the distribution of the placements over the levels (a
server-side chart and its table), the median, the sessions and participants behind it, in one
year (the latest by default), with the scopes above and below to move around.

The syntheses' access rule: public, except for a hidden group's scopes (404 but to its members
and the secretariat). Places add up only indicators shared with the network, from groups that
are not hidden. The page reads the scope's snapshot (one row), never the placements.
"""

import re

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from projects.evaluations.figures import (
    DistributionShown,
    distribution_shown,
    level_number_text,
)
from projects.evaluations.scopes.selectors import (
    LineageResult,
    evaluation_snapshot_get,
    scope_children,
    scope_results,
    snapshot_years,
)
from syntheses.models import Scope
from syntheses.permissions import Access, scope_access
from syntheses.selectors import ScopeRef, scope_get, scope_parents

# "network", or a scope and a positive id small enough for any database column.
_KEY = re.compile(r"^(network|(hg|cg|locality|region|country|continent|project)-[1-9][0-9]{0,9})$")
_ID_MAX = 2**31 - 1


def _access(request: HttpRequest, key: str) -> Access:
    """The scope of key as the reader may see it; 404 when unknown, and when its group is
    hidden from this reader (members and the secretariat still see it)."""
    match = _KEY.match(key)
    if match is None or (match[2] and int(key.rpartition("-")[2]) > _ID_MAX):
        raise Http404(_("No such scope."))
    access = scope_access(request.user, scope_get(key))
    if not access.can_view:
        raise Http404(_("No such scope."))
    return access


class YearForm(forms.Form):
    year = forms.TypedChoiceField(
        label=gettext_lazy("Year"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: object, years: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(year, str(year)) for year in reversed(years)]


def _shown(result: LineageResult, year: int) -> DistributionShown:
    return distribution_shown(
        result.distribution,
        result.level_names,
        title=_("%(indicator)s, %(year)s") % {"indicator": result.title, "year": year},
        chart_id=f"lineage-{result.lineage}",
    )


def _moved_text(result: LineageResult) -> str:
    """How the median moved since the previous year with placements, in words."""
    moved = result.moved
    if moved is None or result.previous_year is None:
        return ""
    size = abs(moved)
    values = {
        "year": result.previous_year,
        "median": result.previous_text,
        "moved": level_number_text(size),
    }
    if moved > 0:
        return (
            ngettext(
                "In %(year)s the median was %(median)s: it moved %(moved)s level towards the "
                "ideal.",
                "In %(year)s the median was %(median)s: it moved %(moved)s levels towards the "
                "ideal.",
                1 if size == 1 else 2,
            )
            % values
        )
    if moved < 0:
        return (
            ngettext(
                "In %(year)s the median was %(median)s: it moved %(moved)s level away from the "
                "ideal.",
                "In %(year)s the median was %(median)s: it moved %(moved)s levels away from the "
                "ideal.",
                1 if size == 1 else 2,
            )
            % values
        )
    return _("In %(year)s the median was %(median)s too.") % values


@require_GET
def scope_progress(request: HttpRequest, key: str) -> HttpResponse:
    """The evaluations of a scope in one year (?year=, the latest by default)."""
    ref: ScopeRef = _access(request, key).ref
    snapshot = evaluation_snapshot_get(scope=ref.scope, scope_id=ref.scope_id)
    years = snapshot_years(snapshot)
    form = YearForm(request.GET if "year" in request.GET else None, years=years)
    status, year = 200, None
    if form.is_bound:
        if form.is_valid():
            year = form.cleaned_data["year"]
        else:
            status = 400
    results = (
        scope_results(
            snapshot, year=year, tenant_id=ref.tenant.pk if ref.tenant is not None else None
        )
        if status == 200
        else None
    )
    blocks = []
    if results is not None and results.year is not None:
        blocks = [
            (result, _shown(result, results.year), _moved_text(result))
            for result in results.lineages
        ]
    context = {
        "ref": ref,
        "scope_label": Scope(ref.scope).label,
        "crumbs": list(reversed(scope_parents(ref))),
        "shared_only": ref.scope not in (Scope.HOMOGENEOUS_GROUP, Scope.COORDINATION_GROUP),
        "snapshot": snapshot,
        "form": form,
        "years": years,
        "results": results,
        "blocks": blocks,
        "children": scope_children(ref),
        "clear_url": reverse("evaluation_scopes:scope", kwargs={"key": ref.key}),
        "synthesis_url": reverse("syntheses:synthesis", kwargs={"key": ref.key}),
    }
    return render(request, "projects/evaluations/scope.html", context, status=status)
