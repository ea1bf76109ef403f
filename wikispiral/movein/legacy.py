"""The old Tiki site's addresses (issue 15): a permanent redirect to what the move-in made of
them, else a helpful 404 that offers to search for the page.

Fifteen years of links point at tiki-index.php?page=..., tiki-view_tracker_item.php?itemId=...
and so on. The import recorded what each old key became (LegacyAddress); here a link is followed
to that object's address as it is today. Two rules:

- Never leak: a target the reader may not see answers the same 404 as an unknown address, so
  nobody learns that a hidden group's item exists. The checks are the targets' own (the wiki's
  `can_view_*`, the group page's gate).
- Redirect only to our own paths, built with reverse() from the stored object; nothing of the
  query string ever reaches the Location header.
"""

import re
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import get_supported_language_variant
from django.views.decorators.http import require_safe

from criteria.selectors import criterion_group_by_external_key
from territories.models import CoordinationGroup, HomogeneousGroup
from territories.permissions import group_role, is_network_staff
from wikispiral.movein.addresses import address_find
from wikispiral.movein.models import LegacyAddress
from wikispiral.tenancy import cross_tenant
from wikispiral.wiki.models import Attachment, Page, Space
from wikispiral.wiki.permissions import AnyUser, can_view_page, can_view_space
from wikispiral.wiki.search import MAX_QUERY_LENGTH, page_search
from wikispiral.wiki.selectors import page_translation_find

Kind = LegacyAddress.Kind

# A redirect anyone may follow is the same for everyone: shared caches may keep it a day (the
# target is resolved when followed, so a page moved later is found again after that).
REDIRECT_MAX_AGE = 24 * 60 * 60
RESULTS_SHOWN = 5
# Tiki's ids are database integers; more digits than this name nothing (and stay cheap).
_ID = re.compile(r"[0-9]{1,18}")
# C0 and C1 controls and DEL: no Tiki page name holds one (the edge refuses most C0 already).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

# What the old trackers' feeds became: the feed names the import records.
FEEDS = {
    "groups": "directory:feed_groups_rss",
    "homogeneous_groups": "directory:feed_homogeneous_rss",
    "changes": "wiki:feed_latest_rss",
}
# What each kind of address may point at; anything else is treated as unknown.
TARGETS: dict[str, tuple[type, ...]] = {
    Kind.PAGE: (Page,),
    Kind.PAGE_REF: (Page,),
    Kind.ITEM: (CoordinationGroup, HomogeneousGroup),
    Kind.FILE: (Attachment,),
    Kind.GALLERY: (Space,),
}


# --- Views --------------------------------------------------------------------------------------


@require_safe
def page(request: HttpRequest) -> HttpResponse:
    """tiki-index.php, tiki-index_p.php, tiki-print.php: ?page=Name or ?page_ref_id=N, with an
    optional &lang=xx; neither: the network's home page."""
    given = request.GET.get("page", "")
    raw_name = given.strip()
    raw_ref = request.GET.get("page_ref_id", "").strip(" ")
    if not raw_name and not raw_ref:
        return _redirect(reverse("wiki:home"), public=True)
    language = _language(request.GET.get("lang", ""))
    target: Any = None
    ref = _id(raw_ref)
    if ref is not None:
        target = _target(Kind.PAGE_REF, ref)
    # Before strip(), which takes some controls (NEL...) for spaces: no name holds one.
    if target is None and raw_name and not _CONTROL.search(given):
        target = _target(Kind.PAGE, raw_name)
    return _follow(request, target, name=raw_name, language=language)


@require_safe
def tracker_item(request: HttpRequest) -> HttpResponse:
    """tiki-view_tracker_item.php?itemId=N: a coordination or homogeneous group."""
    return _follow_id(request, Kind.ITEM, "itemId")


@require_safe
def download_file(request: HttpRequest) -> HttpResponse:
    """tiki-download_file.php?fileId=N (with or without &display): the attachment's file."""
    return _follow_id(request, Kind.FILE, "fileId")


@require_safe
def file_gallery(request: HttpRequest) -> HttpResponse:
    """tiki-list_file_gallery.php?galleryId=N: the attachments of the space that holds them."""
    return _follow_id(request, Kind.GALLERY, "galleryId")


@require_safe
def wiki_rss(request: HttpRequest) -> HttpResponse:
    """tiki-wiki_rss.php: the site's latest additions."""
    return _redirect(reverse("wiki:feed_latest_rss"), public=True)


@require_safe
def tracker_rss(request: HttpRequest) -> HttpResponse:
    """tiki-tracker_rss.php?trackerId=N: the feed the tracker's items went to (all public)."""
    key = _id(request.GET.get("trackerId", ""))
    address = address_find(Kind.TRACKER, key) if key is not None else None
    feed = FEEDS.get(address.feed) if address is not None else None
    if feed is None:
        return _not_found(request)
    return _redirect(reverse(feed), public=True)


# --- Following an address -----------------------------------------------------------------------


def _follow_id(request: HttpRequest, kind: str, parameter: str) -> HttpResponse:
    key = _id(request.GET.get(parameter, ""))
    return _follow(request, _target(kind, key) if key is not None else None)


def _follow(
    request: HttpRequest, target: Any, *, name: str = "", language: str | None = None
) -> HttpResponse:
    url = _url_for(request.user, target, language) if target is not None else None
    if url is None:
        return _not_found(request, name)
    # Only a redirect that anyone would get may be shared; a member's stays theirs.
    public = not request.user.is_authenticated or (
        _url_for(AnonymousUser(), target, language) == url
    )
    return _redirect(url, public=public)


def _target(kind: str, key: str) -> Any:
    """What the old key of kind became, or None (unknown, gone, or not what kind holds). A
    criterion's item is found by its external key (the import keeps no address per criterion):
    its homogeneous group."""
    address = address_find(kind, key)
    if address is None and kind == Kind.ITEM:
        return criterion_group_by_external_key(keys=[f"tiki-{key}"])
    if address is None or address.content_type is None or address.object_id is None:
        return None
    if address.content_type.model_class() is None:
        return None
    # Groups' rows are tenant-scoped: an old link names one before we know whose it is.
    with cross_tenant():
        target = address.target
    return target if isinstance(target, TARGETS.get(kind, ())) else None


def _url_for(user: AnyUser, target: Any, language: str | None) -> str | None:
    """The target's address if user may see it, else None."""
    try:
        with cross_tenant():
            if isinstance(target, Page):
                return _page_url(user, target, language)
            if isinstance(target, CoordinationGroup):
                return _group_url(user, target)
            if isinstance(target, HomogeneousGroup):
                return _homogeneous_group_url(user, target)
            if isinstance(target, Attachment):
                if not can_view_space(user, target.space):
                    return None
                kwargs = {"space": target.space.slug, "name": target.name}
                return reverse("wiki:attachment_file", kwargs=kwargs)
            if isinstance(target, Space):
                if not can_view_space(user, target):
                    return None
                return reverse("wiki:attachments", kwargs={"space": target.slug})
    except NoReverseMatch:
        # A name our address patterns cannot hold (a slash in a file's name...).
        return None
    return None


def _page_url(user: AnyUser, found: Page, language: str | None) -> str | None:
    if language and language != found.language:
        translation = page_translation_find(page=found, language=language)
        if translation is not None and can_view_page(user, translation):
            return translation.get_absolute_url()
    if found.is_deleted or not can_view_page(user, found):
        return None
    return found.get_absolute_url()


def _group_visible(user: AnyUser, group: CoordinationGroup) -> bool:
    # The group page's own gate (tenant_required(public=True)): visible, or theirs, or staff.
    return not group.is_hidden or is_network_staff(user) or group_role(user, group) is not None


def _group_url(user: AnyUser, group: CoordinationGroup) -> str | None:
    if not _group_visible(user, group):
        return None
    return reverse("directory:group", kwargs={"cg": group.slug})


def _homogeneous_group_url(user: AnyUser, group: HomogeneousGroup) -> str | None:
    """Its wiki page, else its group page (when it has no page the reader may see)."""
    own = group.page
    if own is not None and not own.is_deleted and can_view_page(user, own):
        return own.get_absolute_url()
    tenant = group.tenant
    if not _group_visible(user, tenant):
        return None
    return reverse("groups:homogeneous_group", kwargs={"cg": tenant.slug, "hg": group.slug})


# --- Parameters and answers ----------------------------------------------------------------------


def _id(raw: str) -> str | None:
    """An old id as the import wrote it (digits, no leading zeros), or None."""
    raw = raw.strip(" ")  # only spaces: str.strip() would also take controls (NEL...)
    return str(int(raw)) if _ID.fullmatch(raw) else None


def _language(raw: str) -> str | None:
    """One of our languages for Tiki's lang=xx (pt-br is pt), or None."""
    if not raw or len(raw) > 20:
        return None
    try:
        code = get_supported_language_variant(raw.strip().lower())
    except LookupError:
        return None
    return code if code in dict(settings.LANGUAGES) else None


def _redirect(url: str, *, public: bool) -> HttpResponse:
    response = HttpResponsePermanentRedirect(url)
    if public:
        patch_cache_control(response, public=True, max_age=REDIRECT_MAX_AGE)
    else:
        add_never_cache_headers(response)
    return response


def _not_found(request: HttpRequest, name: str = "") -> HttpResponse:
    """The same page for an unknown address and one the reader may not see: offer a search."""
    query = _CONTROL.sub(" ", name).strip()[:MAX_QUERY_LENGTH]
    hits = page_search(query=query, language=None, limit=RESULTS_SHOWN).results if query else []
    context = {"name": query, "hits": hits}
    response = render(request, "movein/legacy_404.html", context, status=404)
    # An address that leads nowhere today may lead somewhere after the next import.
    add_never_cache_headers(response)
    return response
