"""Info criteria: what the citizens of a coordination group (or of one homogeneous group) said,
by family, component and question of the current grid, with a year filter.

Public for a group that is not hidden (tenant_required(public=True)): these are the published
results of the group's sessions, anonymous by design: nothing on the page says who entered or
classified a criterion, and only classified criteria are listed.

The results part of the page is the same for every reader of a language, so it is rendered
once and cached per (group, homogeneous group, year, language) under a version of the scope's
criteria (count and latest change, one aggregate): a new, changed or deleted criterion retires
it at the next request. A warm request costs four small queries whatever the number of
criteria (group, grid, version, and the homogeneous group or the list of them); a cold one five
more (years, families, components, questions, and the criteria in one ordered query).
"""

from html import escape
from typing import cast

from django import forms
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_http_methods

from criteria.info import selectors
from criteria.info.selectors import InfoCriteria, InfoEntry, InfoYear
from criteria.selectors import grid_current
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.tenancy import TenantHttpRequest, get_for_tenant_or_404, tenant_required

TEMPLATE = "criteria/info/page.html"
CACHE_SECONDS = 60 * 60
# Part of every cache key: bump it when the results' markup changes, so a deploy never serves
# HTML rendered by the previous template.
MARKUP_VERSION = 1
# Below this many criteria every family starts open; above, the first one only.
OPEN_ALL_UP_TO = 300


class YearForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Year"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": _(
                "There are no criteria from “%(value)s” here: choose one of the years listed."
            )
        },
    )

    def __init__(self, data: QueryDict, *, years: list[InfoYear]) -> None:
        super().__init__(data)
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [("", _("All years"))] + [
            (str(entry.year), str(entry.year)) for entry in years
        ]


# Thousands of short texts: 1 MB of HTML is under 100 KB compressed, which a weak network feels.
# (The CSRF token Django puts in a page is masked anew on every response, which defeats BREACH.)
@gzip_page
@tenant_required(public=True)
@require_http_methods(["GET"])
def group(request: TenantHttpRequest, cg: str) -> HttpResponse:
    """Info criteria of the whole coordination group."""
    return _page(request, hg=None)


@gzip_page
@tenant_required(public=True)
@require_http_methods(["GET"])
def homogeneous_group(request: TenantHttpRequest, cg: str, hg: str) -> HttpResponse:
    """Info criteria of one homogeneous group."""
    found = get_for_tenant_or_404(HomogeneousGroup, request.tenant, slug=hg)
    return _page(request, hg=found)


def _page(request: TenantHttpRequest, *, hg: HomogeneousGroup | None) -> HttpResponse:
    tenant = request.tenant
    grid = grid_current()
    version = selectors.info_version(tenant=tenant, group=hg)
    scope = f"info:{MARKUP_VERSION}:{tenant.pk}:{hg.pk if hg else 0}:{grid.pk}:{version}"
    years = cache.get(f"{scope}:years")
    if years is None:
        years = selectors.info_years(tenant=tenant, group=hg)
        cache.set(f"{scope}:years", years, CACHE_SECONDS)
    form = YearForm(request.GET, years=years)
    valid = form.is_valid()
    year = form.cleaned_data.get("year") if valid else None
    results = None
    if valid:
        key = f"{scope}:{year or 'all'}:{get_language()}"
        results = cache.get(key)
        if results is None:
            info = selectors.info_criteria(tenant=tenant, version=grid, group=hg, year=year)
            results = _results_html(info, years=years, year=year)
            cache.set(key, results, CACHE_SECONDS)
        results = mark_safe(results)  # noqa: S308 - rendered by our template, texts escaped
    if request.htmx and not request.htmx.history_restore_request and valid:
        response = HttpResponse(results)
    else:
        context = {
            "group": tenant,
            "hg": hg,
            "form": form,
            "results": results,
            "homogeneous_groups": _homogeneous_groups(tenant) if hg is None else [],
        }
        response = render(request, TEMPLATE, context, status=200 if valid else 400)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _homogeneous_groups(tenant: CoordinationGroup) -> list[tuple[str, str]]:
    """(name, Info criteria address) of each homogeneous group; the address is reversed once,
    not once per group (a large coordination group has hundreds)."""
    placeholder = "hg-slug"
    pattern = reverse("info:homogeneous_group", kwargs={"cg": tenant.slug, "hg": placeholder})
    rows = HomogeneousGroup.objects.filter(tenant=tenant).order_by("name", "pk")
    return [
        (name, pattern.replace(f"/{placeholder}/", f"/{slug}/"))
        for name, slug in rows.values_list("name", "slug")
    ]


def _results_html(info: InfoCriteria, *, years: list[InfoYear], year: int | None) -> str:
    """The results part, rendered without the request: it must not depend on who reads it."""
    language = get_language()
    for family in info.families:
        for block in family.components:
            for place in block.questions:
                place.items_html = _items_html(place.entries, language)
    chosen = [entry for entry in years if year is None or entry.year == year]
    context = {
        "info": info,
        "year": year,
        "waiting": sum(entry.waiting for entry in chosen),
        "open_all": info.classified <= OPEN_ALL_UP_TO,
        "components_left_out": info.components_total - info.components_used,
    }
    return render_to_string(f"{TEMPLATE}#results", context)


def _items_html(entries: list[InfoEntry], language: str) -> SafeString:
    """The <li> of one list of texts. Built here rather than in a template loop: a coordination
    group may have 20,000 texts, and a template node per text costs ten times more."""
    items = []
    for entry in entries:
        lang = f' lang="{escape(entry.language)}"' if entry.language != language else ""
        times = ""
        if entry.times > 1:
            label = ngettext("written %(count)d time", "written %(count)d times", entry.times)
            times = (
                f' <span class="times"><span aria-hidden="true">×{entry.times}</span>'
                f'<span class="visually-hidden">{escape(label % {"count": entry.times})}</span>'
                "</span>"
            )
        items.append(f"<li{lang}>{escape(entry.text)}{times}</li>")
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped
