"""Finding and following coordination groups: the directory and its map, a group's page, feeds.

A group's own feed of latest additions gathers several apps: it lives at the project level
(wikispiral/site_feeds.py), under this app's URL names.
"""

from django import forms
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from territories import hooks
from territories.directory import feeds, places, selectors
from territories.directory.map import MapGroup, world_map
from territories.models import CoordinationGroup
from territories.permissions import can_manage_group, group_role
from wikispiral.tenancy import tenant_required

feed_groups_rss = feeds.CoordinationGroupsFeed()
feed_groups_atom = feeds.CoordinationGroupsAtomFeed()
feed_homogeneous_rss = feeds.HomogeneousGroupsFeed()
feed_homogeneous_atom = feeds.HomogeneousGroupsAtomFeed()

_MAX_PAGE_DIGITS = 9


class DirectoryFilterForm(forms.Form):
    """Checks the directory's query string; only offered values pass, anything else is dropped.

    Kept next to its only view, and never rendered: the template lays out the filter bar from
    the facets and the cleaned filters (plain loops, much cheaper than widget templates).
    """

    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    continent = forms.ChoiceField(label=gettext_lazy("Continent"), required=False)
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    region = forms.TypedChoiceField(
        label=gettext_lazy("Region"), required=False, coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"),
        required=False,
        choices=[("", gettext_lazy("All types")), *CoordinationGroup.Kind.choices],
    )
    actor_type = forms.ChoiceField(label=gettext_lazy("Actor type"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("Any status")),
            (CoordinationGroup.Status.ACTIVE, gettext_lazy("Not yet validated")),
            *[
                choice
                for choice in CoordinationGroup.Status.choices
                if choice[0] != CoordinationGroup.Status.ACTIVE
            ],
        ],
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[("name", gettext_lazy("Name")), ("newest", gettext_lazy("Newest first"))],
    )

    def __init__(self, data: object, *, facets: selectors.DirectoryFacets) -> None:
        super().__init__(data)
        self.fields["q"].widget.attrs.update(
            {"maxlength": selectors.MAX_QUERY_LENGTH, "type": "search"}
        )
        self.fields["continent"].choices = [("", ""), *facets.continents]
        self.fields["country"].choices = [("", ""), *facets.countries]
        self.fields["region"].choices = [("", ""), *facets.regions]
        self.fields["actor_type"].choices = [("", ""), *((a, a) for a in facets.actor_types)]
        self.fields["language"].choices = [("", ""), *facets.languages]

    def clean_q(self) -> str:
        # Cut rather than refuse: a long pasted text still searches its first words.
        return self.cleaned_data["q"].replace("\x00", "")[: selectors.MAX_QUERY_LENGTH]

    def filters(self) -> tuple[selectors.DirectoryFilters, list[str]]:
        """The valid filters, and a sentence for each one that was ignored."""
        notes = []
        for name, errors in self.errors.items():
            if name == "region" and self.cleaned_data.get("country"):
                # Left over from the previously chosen country: drop it without a word.
                continue
            notes.append(
                _("%(filter)s: %(error)s This filter was ignored.")
                % {"filter": self.fields[name].label, "error": " ".join(errors)}
            )
        data = self.cleaned_data
        filters = selectors.DirectoryFilters(
            q=data.get("q") or "",
            continent=data.get("continent") or "",
            country=data.get("country") or "",
            region=data.get("region"),
            kind=data.get("kind") or "",
            actor_type=data.get("actor_type") or "",
            status=data.get("status") or "",
            language=data.get("language") or "",
            sort=data.get("sort") or "name",
        )
        return filters, notes


def _page_number(raw: str | None, notes: list[str]) -> int:
    if not raw:
        return 1
    if raw.isdecimal() and len(raw) <= _MAX_PAGE_DIGITS and int(raw) >= 1:
        return int(raw)
    notes.append(_("“%(page)s” is not a page number: here is the first page.") % {"page": raw[:20]})
    return 1


def _results_context(
    request: HttpRequest,
    filters: selectors.DirectoryFilters,
    notes: list[str],
    facets: selectors.DirectoryFacets,
) -> dict:
    groups = selectors.coordination_group_directory(filters=filters)
    paginator = Paginator(groups, selectors.PAGE_SIZE)
    number = _page_number(request.GET.get("page"), notes)
    if number > paginator.num_pages:
        notes.append(_("There is no page %(number)d: here is the last one.") % {"number": number})
        number = paginator.num_pages
    page = paginator.page(number)
    return {
        # The facets give the region options the fragment refreshes out of band.
        "facets": facets,
        "filters": filters,
        "notes": notes,
        "page": page,
        "groups": list(page.object_list),
        "page_range": paginator.get_elided_page_range(number, on_each_side=2, on_ends=1),
        "filtered": _filtered(filters),
    }


def _filtered(filters: selectors.DirectoryFilters) -> bool:
    return any(value for key, value in vars(filters).items() if key != "sort")


def _map_html(version: str) -> str:
    """Every visible group on the world map, with the list that repeats its links: the same
    for every reader of a language, rendered once per version of the groups."""
    key = f"directory:map:{version}:{get_language()}"
    html = cache.get(key)
    if html is None:
        groups = [
            MapGroup(
                name=group.name,
                href=reverse("directory:group", kwargs={"cg": group.slug}),
                country=group.country.name,
                country_code=group.country_code,
                latitude=group.latitude,
                longitude=group.longitude,
            )
            for group in places.groups_under(level="network")
        ]
        html = render_to_string("directory/directory.html#map", {"map": world_map(groups)})
        cache.set(key, html, selectors.RESULTS_CACHE_SECONDS)
    return html


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    country = request.GET.get("country", "")
    version = selectors.directory_version()
    facets = selectors.directory_facets(
        country_code=country if len(country) == 2 else "", version=version
    )
    form = DirectoryFilterForm(request.GET, facets=facets)
    form.is_valid()
    filters, notes = form.filters()
    fragment = request.htmx and not request.htmx.history_restore_request
    # The results are the same for every reader of a language and a query string; they are
    # rendered once per version of the groups (see selectors.directory_results_key).
    key = selectors.directory_results_key(
        query=request.GET,
        language=get_language(),
        fragment=bool(request.htmx),
        groups_version=version,
    )
    results = cache.get(key)
    if results is None:
        results = render_to_string(
            "directory/directory.html#results",
            _results_context(request, filters, notes, facets),
            request=request,
        )
        cache.set(key, results, selectors.RESULTS_CACHE_SECONDS)
    if fragment:
        response = HttpResponse(results)
    else:
        context = {
            "form": form,
            "facets": facets,
            "filters": filters,
            "filtered": _filtered(filters),
            "results": results,
            "map": _map_html(version),
        }
        response = render(request, "directory/directory.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@tenant_required(public=True)
def group(request: HttpRequest, cg: str) -> HttpResponse:
    tenant = request.tenant
    context = {
        "group": tenant,
        "group_page": selectors.group_page_get(tenant=tenant, user=request.user),
        "can_manage": can_manage_group(request.user, tenant),
        # The criteria counts and who may enter criteria (criteria adds them).
        **hooks.group_page_facts(
            user=request.user, tenant=tenant, role=group_role(request.user, tenant)
        ),
    }
    return render(request, "directory/group.html", context)
