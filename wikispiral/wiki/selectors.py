"""Reads of the page engine. Visibility is decided here, once, for every view and feed."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from wikispiral.wiki import caching
from wikispiral.wiki.markup import LinkTarget, Rendered, render
from wikispiral.wiki.models import Attachment, Page, PageRedirect, Revision, Space
from wikispiral.wiki.permissions import AnyUser, can_view_space

NETWORK_SPACE_SLUG = caching.HOME_SPACE_SLUG
HOME_SLUG = "home"
MAX_TREE_DEPTH = 12


def space_get(*, slug: str, user: AnyUser) -> Space:
    """The space, or 404 if unknown or not visible to this user (the two look the same)."""
    space = Space.objects.filter(slug=slug).first()
    if space is None or not can_view_space(user, space):
        raise Http404(_("No such space."))
    return space


@dataclass(frozen=True)
class PageLookup:
    space: Space
    page: Page | None
    redirect_to: Page | None = None
    # The cache generations read before the page was, for caching anything derived from it.
    generations: caching.Generations | None = None


def page_lookup(*, space_slug: str, language: str, slug: str, user: AnyUser) -> PageLookup:
    """The page at an address, or where a moved page went, or nothing.

    One query on the hot path (page joined with its space); the revision is loaded only when
    the view needs it. Raises Http404 when the space is unknown or not visible to this user.
    """
    key = caching.page_lookup_key(space_slug, language, slug)
    cached = caching.lookup(key, space_slug)
    page = cached.value if isinstance(cached.value, Page) else None  # only pages stored here
    if page is None:
        page = (
            Page.objects.select_related("space")
            .defer("search_vector")
            .filter(space__slug=space_slug, language=language, slug=slug)
            .first()
        )
        if page is not None:
            caching.store(key, cached.generations, page)
    if page is not None:
        if not can_view_space(user, page.space):
            raise Http404(_("No such space."))
        return PageLookup(space=page.space, page=page, generations=cached.generations)
    space = space_get(slug=space_slug, user=user)
    redirect = (
        PageRedirect.objects.select_related("target")
        .filter(space=space, language=language, slug=slug)
        .first()
    )
    if redirect is not None:
        redirect.target.space = space
        return PageLookup(space=space, page=None, redirect_to=redirect.target)
    return PageLookup(space=space, page=None)


def home_page_lookup(*, language: str, user: AnyUser) -> PageLookup | None:
    """The network home page in this language, else in the default language, else None."""
    for candidate in dict.fromkeys([language, settings.LANGUAGE_CODE]):
        try:
            lookup = page_lookup(
                space_slug=NETWORK_SPACE_SLUG, language=candidate, slug=HOME_SLUG, user=user
            )
        except Http404:
            return None
        if lookup.page is not None and not lookup.page.is_deleted:
            return lookup
    return None


def page_breadcrumbs(*, page: Page) -> list[Page]:
    """Ancestors from the top down (not including the page)."""
    trail: list[Page] = []
    current = page.parent
    seen = {page.pk}
    while current is not None and current.pk not in seen and len(trail) < MAX_TREE_DEPTH:
        trail.append(current)
        seen.add(current.pk)
        current = Page.objects.filter(pk=current.parent_id).first() if current.parent_id else None
    trail.reverse()
    for crumb in trail:
        crumb.space = page.space
    return trail


def _live(queryset: QuerySet[Page]) -> QuerySet[Page]:
    return queryset.filter(is_deleted=False).only(
        "id", "title", "slug", "language", "space_id", "parent_id", "position"
    )


@dataclass(frozen=True)
class PageNeighbours:
    children: list[Page]
    previous: Page | None
    next: Page | None
    translations: list[Page]


def page_neighbours(*, page: Page) -> PageNeighbours:
    """Children, previous/next sibling and translations, in two queries."""
    related = list(
        _live(Page.objects.filter(space_id=page.space_id))
        .filter(
            Q(language=page.language, parent_id=page.pk)
            | Q(language=page.language, parent_id=page.parent_id)
            | Q(translation_key=page.translation_key)
        )
        .only(
            "id",
            "title",
            "slug",
            "language",
            "space_id",
            "parent_id",
            "position",
            "translation_key",
        )
        .order_by("position", "title")
    )
    for other in related:
        other.space = page.space
    children = [p for p in related if p.parent_id == page.pk and p.language == page.language]
    siblings = [p for p in related if p.parent_id == page.parent_id and p.language == page.language]
    index = next((i for i, p in enumerate(siblings) if p.pk == page.pk), None)
    previous = siblings[index - 1] if index not in (None, 0) else None
    following = siblings[index + 1] if index is not None and index + 1 < len(siblings) else None
    translations = [
        p for p in related if p.translation_key == page.translation_key and p.pk != page.pk
    ]
    return PageNeighbours(children, previous, following, translations)


def _wikilink_address(space: Space, language: str, target: str) -> tuple[str, str, str]:
    """(space slug, page slug, title) that a [[target]] written on a page points at."""
    space_slug = space.slug
    title = target
    if ":" in target:
        prefix, rest = target.split(":", 1)
        if prefix.strip() and rest.strip() and slugify(prefix) == prefix.strip().lower():
            space_slug, title = prefix.strip().lower(), rest.strip()
    return space_slug, slugify(title, allow_unicode=True), title


def resolve_links(*, space: Space, language: str, targets: list[str]) -> dict[str, LinkTarget]:
    """Where each wikilink target goes and whether the page exists, in at most two queries."""
    addresses = {target: _wikilink_address(space, language, target) for target in targets}
    wanted_spaces = {space_slug for space_slug, _slug, _title in addresses.values()}
    wanted_slugs = {slug for _space, slug, _title in addresses.values() if slug}
    existing: set[tuple[str, str]] = set()
    if wanted_slugs:
        rows = Page.objects.filter(
            space__slug__in=wanted_spaces,
            language=language,
            slug__in=wanted_slugs,
            is_deleted=False,
        ).values_list("space__slug", "slug")
        existing.update(rows)
        moved = PageRedirect.objects.filter(
            space__slug__in=wanted_spaces, language=language, slug__in=wanted_slugs
        ).values_list("space__slug", "slug")
        existing.update(moved)
    result: dict[str, LinkTarget] = {}
    for target, (space_slug, slug, title) in addresses.items():
        if not slug:
            continue
        if (space_slug, slug) in existing:
            url = reverse("wiki:page", kwargs={"space": space_slug, "lang": language, "slug": slug})
            result[target] = LinkTarget(url=url, exists=True)
        else:
            url = reverse("wiki:page_new", kwargs={"space": space_slug, "lang": language})
            result[target] = LinkTarget(url=f"{url}?{urlencode({'title': title})}", exists=False)
    return result


def revision_render(*, page: Page, revision: Revision) -> Rendered:
    """Rendered markup of a revision, from the parser cache when it is still valid."""
    cached, structure = caching.rendered_get(revision.pk, get_language())
    if cached is not None:
        return cached  # type: ignore[return-value]
    rendered = render_source(space=page.space, language=page.language, source=revision.body)
    caching.rendered_set(revision.pk, get_language(), structure, rendered)
    return rendered


def render_source(*, space: Space, language: str, source: str) -> Rendered:
    """Render Markup written on a page of this space and language (also for previews)."""
    attachment_names: dict[str, str] = {}

    def attachment_url(name: str) -> str | None:
        if not attachment_names:
            attachment_names.update(
                (
                    a.name,
                    reverse("wiki:attachment_file", kwargs={"space": space.slug, "name": a.name}),
                )
                for a in Attachment.objects.filter(space=space).only("name")
            )
        return attachment_names.get(name)

    return render(
        source,
        resolve_links=lambda targets: resolve_links(
            space=space, language=language, targets=targets
        ),
        attachment_url=attachment_url,
    )


def revision_list(*, page: Page) -> QuerySet[Revision]:
    return page.revisions.select_related("author").defer("body").order_by("-number")


def revision_get(*, page: Page, number: int) -> Revision:
    revision = page.revisions.select_related("author").filter(number=number).first()
    if revision is None:
        raise Http404(_("This revision does not exist."))
    return revision


def recent_changes(
    *,
    user: AnyUser,
    space_slug: str | None = None,
    language: str | None = None,
    author: str | None = None,
    limit: int = 50,
) -> list[Revision]:
    """Latest revisions of pages this user may see, newest first, in one query."""
    revisions = Revision.objects.select_related("page", "page__space", "author").defer("body")
    if not (user.is_authenticated and user.is_network_staff):
        revisions = revisions.filter(page__space__is_public=True)
    if space_slug:
        revisions = revisions.filter(page__space__slug=space_slug)
    if language:
        revisions = revisions.filter(page__language=language)
    if author:
        revisions = revisions.filter(author__username=author)
    return list(revisions.order_by("-created_at", "-pk")[:limit])


def pages_edited_by(*, user: AnyUser, readable_space_ids: list[int], limit: int = 5) -> list[Page]:
    """The live pages user saved a revision of, most recently edited by her first, each with
    `edited_at` (her latest save) and its space; one query. Public spaces, and the private ones
    the caller names (those it knows user may read), only; network staff read every space."""
    if not user.is_authenticated:
        return []
    pages = Page.objects.filter(revisions__author=user, is_deleted=False)
    if not user.is_network_staff:
        pages = pages.filter(Q(space__is_public=True) | Q(space_id__in=readable_space_ids))
    return list(
        pages.select_related("space")
        .only("id", "title", "slug", "language", "space__slug", "space__name")
        .annotate(edited_at=Max("revisions__created_at"))
        .order_by("-edited_at", "-pk")[:limit]
    )


def space_list(*, user: AnyUser) -> list[Space]:
    spaces = Space.objects.all()
    if not (user.is_authenticated and user.is_network_staff):
        spaces = spaces.filter(is_public=True)
    return list(spaces)


def space_slug_taken(*, slug: str) -> bool:
    """Whether a space already has this address (owners check before space_create)."""
    return Space.objects.filter(slug=slug).exists()


def space_pages_latest(*, space: Space, limit: int) -> tuple[int, list[Page]]:
    """How many live pages the space holds and the latest changed of them (two queries; no
    permission check: the caller has checked can_view_space)."""
    live = Page.objects.filter(space_id=space.pk, is_deleted=False, current_revision__isnull=False)
    count = live.count()
    pages = list(
        live.only("id", "title", "slug", "language", "space_id", "updated_at").order_by(
            "-updated_at", "-pk"
        )[:limit]
    )
    for page in pages:
        page.space = space
    return count, pages


def space_revisions_latest(*, space: Space, limit: int) -> list[Revision]:
    """The latest revisions of the space's live pages, newest first, with page and author (no
    permission check: the caller decides the space may be shown)."""
    revisions = list(
        Revision.objects.filter(page__space_id=space.pk, page__is_deleted=False)
        .select_related("page", "author")
        .order_by("-created_at", "-pk")[:limit]
    )
    for revision in revisions:
        revision.page.space = space
    return revisions


def space_slugs_with_prefix(*, prefix: str) -> set[str]:
    """The addresses of the spaces starting with prefix (the demo data's own)."""
    return set(Space.objects.filter(slug__startswith=prefix).values_list("slug", flat=True))


def page_find(*, space: Space, language: str, slug: str) -> Page | None:
    """The page at this address, deleted or not, or None (no permission check: for services)."""
    return Page.objects.filter(space=space, language=language, slug=slug).first()


def page_translation_find(*, page: Page, language: str) -> Page | None:
    """The live translation of page into language, or None."""
    return Page.objects.filter(
        translation_key=page.translation_key, language=language, is_deleted=False
    ).first()


def revision_find(*, page_id: int, revision_id: int) -> Revision | None:
    """A revision of the page by ids (as stored in a frozen report), with page and space."""
    return (
        Revision.objects.select_related("page", "page__space")
        .filter(pk=revision_id, page_id=page_id)
        .first()
    )


def network_space_find() -> Space | None:
    """The network's space if it exists already (never creates it)."""
    return Space.objects.filter(slug=NETWORK_SPACE_SLUG).first()


def page_choices(*, space: Space, language: str, exclude: Page | None = None) -> list[Page]:
    pages = _live(Page.objects.filter(space=space, language=language)).order_by("title")
    if exclude is not None:
        pages = pages.exclude(pk=exclude.pk)
    return list(pages[:500])


def attachment_list(*, space: Space) -> QuerySet[Attachment]:
    return (
        Attachment.objects.filter(space=space).select_related("uploaded_by").order_by("-created_at")
    )


def attachment_get(*, space: Space, name: str) -> Attachment:
    attachment = Attachment.objects.filter(space=space, name=name).first()
    if attachment is None:
        raise Http404(_("No such attachment."))
    return attachment


def page_translation_urls(
    *, space_slug: str, language: str, slug: str, user: AnyUser
) -> dict[str, str]:
    """{language: address} of the live translations of the page at this address, in one query
    (the page's own language left out); empty when the space is not visible to this user."""
    this_page = Page.objects.filter(space__slug=space_slug, language=language, slug=slug)
    translations = list(
        Page.objects.filter(
            space__slug=space_slug,
            is_deleted=False,
            translation_key__in=this_page.values("translation_key"),
        )
        .exclude(language=language)
        .select_related("space")
        .only("language", "slug", "space")
    )
    if not translations or not can_view_space(user, translations[0].space):
        return {}
    return {
        page.language: reverse(
            "wiki:page", kwargs={"space": space_slug, "lang": page.language, "slug": page.slug}
        )
        for page in translations
    }
