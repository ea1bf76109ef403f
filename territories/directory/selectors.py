"""Reads for finding and following coordination groups: the directory, a group's page, feeds.

The directory and the feeds read across groups on purpose (hence `cross_tenant()` where they touch
tenant-owned rows): they show what any visitor may see, so hidden groups never appear, whoever
asks. A group's page reads inside that group's scope.

Search: on PostgreSQL each word must match, as a prefix, the group's own text (a GIN expression
index, migration 0006, covers `group_search_vector()`) or the name of its place. Other databases
(SQLite in development) fall back to case-insensitive substring matching on the same fields.
"""

import hashlib
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.translation import get_language

from territories.display import participants_figure
from territories.models import (
    Continent,
    CoordinationGroup,
    Country,
    HomogeneousGroup,
    Locality,
    Membership,
    Region,
)
from wikispiral.tenancy import cross_tenant, tenant_scope
from wikispiral.text import language_name
from wikispiral.wiki.models import Page, Revision
from wikispiral.wiki.permissions import AnyUser, can_view_space
from wikispiral.wiki.selectors import space_pages_latest, space_revisions_latest

PAGE_SIZE = 50
MAX_QUERY_LENGTH = 200
MAX_SEARCH_WORDS = 8
MAX_ACTOR_TYPES = 200
GROUP_PAGE_HOMOGENEOUS_GROUPS = 100
GROUP_PAGE_WIKI_PAGES = 10
FEED_LENGTH = 30
FACETS_CACHE_SECONDS = 600

# "simple": group texts mix languages, so no stemming, but every language is found.
SEARCH_CONFIG = "simple"
# Keep in step with migration 0006, whose index must be built from the very same expression.
SEARCH_FIELDS = (
    "name",
    "network_id",
    "actor_type",
    "platform_description",
    "territory_description",
    "process_summary",
    "stakeholders",
)
SORTS = ("name", "newest")
_WORD = re.compile(r"\w+")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def group_search_vector() -> SearchVector:
    return SearchVector(*SEARCH_FIELDS, config=SEARCH_CONFIG)


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def visible_groups() -> QuerySet[CoordinationGroup]:
    """Groups anyone may find: everything but the hidden ones."""
    return CoordinationGroup.objects.filter(is_hidden=False)


def visible_group_languages(
    *, country_id: int | None = None, continent_id: int | None = None
) -> list[list[str]]:
    """The languages (each group's list, first the main one) of the visible groups of a
    country or a continent: one query, one list per group."""
    groups = visible_groups()
    if country_id is not None:
        groups = groups.filter(country_id=country_id)
    if continent_id is not None:
        groups = groups.filter(country__continent_id=continent_id)
    return [list(languages or []) for languages in groups.values_list("languages", flat=True)]


# --- The directory --------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    continent: str = ""
    country: str = ""
    region: int | None = None
    kind: str = ""
    actor_type: str = ""
    status: str = ""
    language: str = ""
    sort: str = "name"


@dataclass(frozen=True)
class DirectoryFacets:
    """The values the directory's filters offer: only those some visible group has.

    (value, label) pairs in the reader's language, sorted by label; plain data, cheap to cache.
    """

    continents: list[tuple[str, str]]
    countries: list[tuple[str, str]]
    regions: list[tuple[int, str]] = field(default_factory=list)
    actor_types: list[str] = field(default_factory=list)
    languages: list[tuple[str, str]] = field(default_factory=list)


def _choices(pairs: object) -> list[tuple]:
    return sorted(pairs, key=lambda pair: pair[1].casefold())


def directory_version() -> str:
    """Changes whenever a visible group is added, changed, hidden, shown or deleted: every
    service that changes a group saves modified_at with it. One query, answered from an index.
    """
    # COUNT(*), not COUNT(id): the index on modified_at then answers alone (index-only scan).
    stats = visible_groups().order_by().aggregate(count=Count("*"), changed=Max("modified_at"))
    changed = stats["changed"].timestamp() if stats["changed"] else 0
    return f"{stats['count']}-{changed}"


RESULTS_CACHE_SECONDS = 300


def _homogeneous_groups_version() -> str:
    """Changes whenever a homogeneous group is added, changed or deleted (their counts show in
    the directory's rows). One aggregate over an index."""
    with cross_tenant():
        stats = HomogeneousGroup.objects.order_by().aggregate(
            count=Count("*"), changed=Max("modified_at")
        )
    changed = stats["changed"].timestamp() if stats["changed"] else 0
    return f"{stats['count']}-{changed}"


def directory_results_key(
    *, query: QueryDict, language: str, fragment: bool, groups_version: str
) -> str:
    """Cache key of the directory's results for this query string: it holds the versions of
    the groups and homogeneous groups, so any change to what the rows show retires it."""
    items = sorted((name, value) for name in query for value in query.getlist(name))
    digest = hashlib.sha256(repr((items, language, fragment)).encode()).hexdigest()[:32]
    versions = f"{groups_version}:{_homogeneous_groups_version()}"
    return f"directory:results:{versions}:{digest}"


def directory_facets(*, country_code: str = "", version: str | None = None) -> DirectoryFacets:
    """Filter values for the directory: the countries (and continents), actor types and
    languages of visible groups, and the chosen country's regions (none until one is chosen).

    Built in three queries from every visible group, so kept in the cache, keyed by a version
    of the visible groups (one cheap query per request). Renaming a place changes no group: the
    old name may then stay in the filters for FACETS_CACHE_SECONDS at most.
    """
    version = version if version is not None else directory_version()
    key = f"directory:facets:{version}:{get_language()}:{country_code}"
    facets = cache.get(key)
    if facets is None:
        facets = _facets_build(country_code)
        cache.set(key, facets, FACETS_CACHE_SECONDS)
    return facets


def _facets_build(country_code: str) -> DirectoryFacets:
    rows = visible_groups().order_by().values_list("country_id", "actor_type", "languages")
    country_ids: set[int] = set()
    actor_types: set[str] = set()
    codes: set[str] = set()
    for country_id, actor_type, languages in rows:
        country_ids.add(country_id)
        if actor_type:
            actor_types.add(actor_type)
        if isinstance(languages, list):
            codes.update(code for code in languages if isinstance(code, str))
    countries = list(Country.objects.filter(pk__in=country_ids).select_related("continent"))
    continents = {country.continent.code: country.continent.label() for country in countries}
    regions: list[tuple[int, str]] = []
    if country_code:
        regions = [
            (region.pk, region.label())
            for region in Region.objects.filter(
                country__code=country_code,
                pk__in=visible_groups().order_by().values("region_id"),
            )
        ]
    return DirectoryFacets(
        continents=_choices(continents.items()),
        countries=_choices((country.code, country.label()) for country in countries),
        regions=_choices(regions),
        actor_types=sorted(actor_types, key=str.casefold)[:MAX_ACTOR_TYPES],
        languages=_choices(
            (code, language_name(code)) for code in codes if _LANGUAGE_CODE.match(code)
        ),
    )


def search_words(query: str) -> list[str]:
    """The words of a search, without punctuation or repeats, at most eight."""
    # PostgreSQL text cannot hold NUL, and a stray one would turn a search into a 500.
    query = query.replace("\x00", "")[:MAX_QUERY_LENGTH]
    return list(dict.fromkeys(word.lower() for word in _WORD.findall(query)))[:MAX_SEARCH_WORDS]


def _place_ids_matching[M: Country | Region | Locality](model: type[M], word: str) -> QuerySet[M]:
    names = Q(name__icontains=word)
    for code, _name in settings.LANGUAGES:
        names |= Q(**{f"names__{code}__icontains": word})
    return model.objects.filter(names).values("pk")


def _search(groups: QuerySet[CoordinationGroup], words: list[str]) -> QuerySet[CoordinationGroup]:
    for word in words:
        places = {
            "country__in": _place_ids_matching(Country, word),
            "region__in": _place_ids_matching(Region, word),
            "locality__in": _place_ids_matching(Locality, word),
        }
        if _is_postgresql():
            # A raw tsquery, safe because a word is \w+ only; ":*" makes it a prefix. Each way
            # of matching is a subquery of its own, united, so that each uses its index (GIN,
            # foreign keys): OR-ed in one WHERE, PostgreSQL would scan every group instead.
            matches = SearchQuery(f"{word}:*", config=SEARCH_CONFIG, search_type="raw")
            # alias, not annotate: the vector is for WHERE only, never sent back.
            own_text = (
                CoordinationGroup.objects.alias(search=group_search_vector())
                .filter(search=matches)
                .values("pk")
            )
            in_places = [
                CoordinationGroup.objects.filter(**{lookup: ids}).values("pk")
                for lookup, ids in places.items()
            ]
            groups = groups.filter(pk__in=own_text.union(*in_places))
        else:
            matches = Q()
            for name in SEARCH_FIELDS:
                matches |= Q(**{f"{name}__icontains": word})
            for lookup, ids in places.items():
                matches |= Q(**{lookup: ids})
            groups = groups.filter(matches)
    return groups


def coordination_group_directory(*, filters: DirectoryFilters) -> QuerySet[CoordinationGroup]:
    """Visible groups matching filters, sorted, with place and homogeneous-group count.

    Lazy: paginate it. Counting it costs one plain query (the count annotation is a subquery,
    left out of COUNT), and a page of rows one more, whatever its length.
    """
    groups = visible_groups()
    if filters.continent:
        groups = groups.filter(country__continent__code=filters.continent)
    if filters.country:
        groups = groups.filter(country__code=filters.country)
    if filters.region is not None:
        groups = groups.filter(region_id=filters.region)
    if filters.kind:
        groups = groups.filter(kind=filters.kind)
    if filters.actor_type:
        groups = groups.filter(actor_type=filters.actor_type)
    if filters.status:
        groups = groups.filter(status=filters.status)
    if filters.language:
        if _is_postgresql():
            groups = groups.filter(languages__contains=[filters.language])
        else:
            # SQLite has no JSON containment; the quotes make it match whole codes only.
            groups = groups.filter(languages__icontains=f'"{filters.language}"')
    words = search_words(filters.q)
    if words:
        groups = _search(groups, words)
    with cross_tenant():
        homogeneous_groups = (
            HomogeneousGroup.objects.filter(tenant=OuterRef("pk"), kind=HomogeneousGroup.Kind.GROUP)
            .order_by()
            .values("tenant")
            .annotate(count=Count("pk"))
            .values("count")
        )
    groups = groups.select_related("country", "region", "locality").annotate(
        homogeneous_group_count=Coalesce(
            Subquery(homogeneous_groups, output_field=IntegerField()), 0
        )
    )
    # Only what a row shows travels: descriptions can be long.
    groups = groups.only(
        "name",
        "slug",
        "kind",
        "status",
        "picture",
        "created_at",
        "country__name",
        "country__names",
        "country__code",
        "region__name",
        "region__names",
        "locality__name",
        "locality__names",
    )
    if filters.sort == "newest":
        return groups.order_by("-created_at", "-pk")
    return groups.order_by("name", "pk")


# --- A group's page -------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupPage:
    group: CoordinationGroup
    continent: Continent
    referent: CoordinationGroup | None
    stakeholders: list[str]
    languages: list[tuple[str, str]]
    homogeneous_groups: list[HomogeneousGroup]
    homogeneous_group_count: int
    participants: int  # of the groups that gave a number
    participants_unknown: int  # groups that gave none
    pages: list[Page]
    page_count: int
    facilitators: list[str]

    @property
    def participants_figure(self) -> str:
        return participants_figure(self.participants, unknown=self.participants_unknown)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def group_page_get(*, tenant: CoordinationGroup, user: AnyUser) -> GroupPage:
    """What territories and the wiki show on a group's page, in at most six queries (tenant
    loaded with its places, as tenant_required loads it); the apps above add theirs through
    territories.hooks.group_page_facts."""
    group = tenant
    continent = group.country.continent
    referent = None
    if group.referent_id:
        referent = visible_groups().filter(pk=group.referent_id).only("name", "slug").first()
    with tenant_scope(group):
        # A project's pooled answers are no group of people: the syntheses count them.
        homogeneous = HomogeneousGroup.objects.filter(
            tenant=group, kind=HomogeneousGroup.Kind.GROUP
        )
        totals = homogeneous.aggregate(
            count=Count("pk"),
            people=Sum("participants"),
            unknown=Count("pk", filter=Q(participants__isnull=True)),
        )
        homogeneous_groups = list(
            homogeneous.select_related("profile").order_by("name", "pk")[
                :GROUP_PAGE_HOMOGENEOUS_GROUPS
            ]
        )
    pages: list[Page] = []
    page_count = 0
    if can_view_space(user, group.space):
        page_count, pages = space_pages_latest(space=group.space, limit=GROUP_PAGE_WIKI_PAGES)
    with tenant_scope(group):
        facilitators = [
            membership.user.public_name
            for membership in Membership.objects.filter(
                tenant=group, role=Membership.Role.FACILITATOR, user__is_active=True
            )
            .select_related("user")
            .only("user__display_name", "user__username", "user__is_active")
            .order_by("user__display_name", "user__username")
        ]
    languages = [
        (code, language_name(code))
        for code in group.languages or []
        if isinstance(code, str) and _LANGUAGE_CODE.match(code)
    ]
    return GroupPage(
        group=group,
        continent=continent,
        referent=referent,
        stakeholders=_lines(group.stakeholders),
        languages=languages,
        homogeneous_groups=homogeneous_groups,
        homogeneous_group_count=totals["count"],
        participants=totals["people"] or 0,
        participants_unknown=totals["unknown"],
        pages=pages,
        page_count=page_count,
        facilitators=facilitators,
    )


# --- Feeds ----------------------------------------------------------------------------------


def group_feed_list(*, limit: int = FEED_LENGTH) -> list[CoordinationGroup]:
    """Visible groups, most recently created or changed first, with their places."""
    return list(
        visible_groups()
        .select_related("country", "region", "locality")
        .order_by("-modified_at", "-pk")[:limit]
    )


def homogeneous_group_feed_list(*, limit: int = FEED_LENGTH) -> list[HomogeneousGroup]:
    """The newest homogeneous groups of visible groups, across every group, in one query."""
    with cross_tenant():
        return list(
            HomogeneousGroup.objects.filter(
                tenant__is_hidden=False, kind=HomogeneousGroup.Kind.GROUP
            )
            .select_related("tenant", "profile")
            .order_by("-created_at", "-pk")[:limit]
        )


def feed_group_get(*, slug: str) -> CoordinationGroup | None:
    """A visible group for its public feed (None if unknown or hidden: feeds are anonymous)."""
    return visible_groups().select_related("space").filter(slug=slug).first()


def group_additions(
    *, group: CoordinationGroup, limit: int = FEED_LENGTH
) -> list[HomogeneousGroup | Revision]:
    """A group's newest homogeneous groups and page revisions, merged, newest first.

    Revisions only while the group's space is public and of live pages, as in the wiki's feeds.
    Two queries.
    """
    with tenant_scope(group):
        additions: list[HomogeneousGroup | Revision] = list(
            HomogeneousGroup.objects.filter(tenant=group, kind=HomogeneousGroup.Kind.GROUP)
            .select_related("profile")
            .order_by("-created_at", "-pk")[:limit]
        )
    for homogeneous in additions:
        homogeneous.tenant = group
    if group.space.is_public:
        additions.extend(space_revisions_latest(space=group.space, limit=limit))
    additions.sort(key=lambda item: item.created_at, reverse=True)
    return additions[:limit]
