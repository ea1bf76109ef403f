"""RSS and Atom feeds of wiki changes, and what every feed of the site builds on.

Feeds are read by anonymous feed readers and cached by shared proxies, so their items never
depend on who asks: they show public spaces and live pages only, even to network staff. That
is also why they cross every space on purpose instead of going through a tenant-scoped selector.
"""

import html
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.feedgenerator import SyndicationFeed
from django.utils.html import format_html
from django.utils.translation import gettext as _

from wikispiral.wiki.markup import render_plain
from wikispiral.wiki.models import Page, Revision

FEED_LENGTH = 30
FEED_MAX_AGE = 300
EXCERPT_LENGTH = 300
# Markdown read to build an excerpt: enough for 300 characters of text, bounded for huge pages.
_EXCERPT_SOURCE_LENGTH = 4000


def visible_revisions() -> QuerySet[Revision]:
    """Revisions of live pages in public spaces, newest first (what every feed may show)."""
    return (
        Revision.objects.filter(page__space__is_public=True, page__is_deleted=False)
        .select_related("page", "page__space", "author")
        .order_by("-created_at", "-pk")
    )


def excerpt(text: str, *, markup: bool = True) -> str:
    """At most EXCERPT_LENGTH characters of plain text from Markdown (or from plain text)."""
    text = text[:_EXCERPT_SOURCE_LENGTH]
    text = (render_plain(text) if markup else " ".join(text.split())).strip()
    if len(text) > EXCERPT_LENGTH:
        text = text[:EXCERPT_LENGTH].rstrip() + "…"
    return text


def revision_title(revision: Revision) -> str:
    return _("%(title)s — %(kind)s") % {
        "title": revision.title,
        "kind": revision.get_kind_display(),
    }


def revision_link(revision: Revision) -> str:
    """The page for a creation, the diff with the previous revision for a change."""
    page = revision.page
    if revision.number <= 1:
        return page.get_absolute_url()
    query = urlencode({"from": revision.number - 1, "to": revision.number})
    return f"{page.url_for('diff')}?{query}"


def revision_description(revision: Revision) -> str:
    # Readers render descriptions as HTML, so user text is escaped here (format_html); the
    # feed generator then XML-escapes the result.
    text = excerpt(revision.body)
    if revision.comment:
        return format_html("<p><em>{}</em></p><p>{}</p>", revision.comment, text)
    return format_html("<p>{}</p>", text)


def revision_author_name(revision: Revision) -> str:
    return revision.author_shown or _("anonymous")


def revision_guid(revision: Revision) -> str:
    return f"{settings.SITE_URL}/rev/{revision.pk}"


class PublicFeed[Item, Obj](Feed):
    """A feed read by anyone, never written to: GET and HEAD only, and the response may be
    cached publicly for five minutes. Every feed of the site derives from it.

    Escaping, once and in one place each. Feeds give titles, authors and the channel's
    description as plain text: the generator escapes them as XML (feedparser and most readers
    take an RSS title as text, Atom declares it so), and get_feed escapes the RSS channel's
    description as HTML too. Item descriptions are given as escaped HTML (format_html), since
    readers render them as HTML; never as a template's autoescaped output on top of that."""

    def __call__(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        response = super().__call__(request, *args, **kwargs)
        # Content is the same for every reader (see the module docstring), so shared caches may
        # keep it; five minutes bounds how stale a feed reader's view of the wiki can be.
        patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
        # Labels follow the reader's language, chosen by Accept-Language (already in Vary) or
        # by the language cookie and the account's preference: both travel in Cookie. Feed
        # readers send no cookies, so they still share one cached copy per language.
        patch_vary_headers(response, ("Cookie",))
        return response

    def get_feed(self, obj: Obj, request: HttpRequest) -> SyndicationFeed:
        feed = super().get_feed(obj, request)
        # RSS readers render a channel's description as HTML, and it may hold a page's or a
        # group's name: escaped here, for text (an apostrophe stays one). Atom's subtitle is
        # declared text and stays plain; Atom1Feed ignores description.
        if feed.feed.get("description"):
            feed.feed["description"] = html.escape(feed.feed["description"], quote=False)
        return feed

    def item_title(self, item: Item) -> str:
        # Plain text: Feed's default escapes as HTML first, and readers then show "&#x27;".
        return str(item)

    item_guid_is_permalink = False


class RevisionFeed[Obj](PublicFeed[Revision, Obj]):
    """Items are revisions."""

    def item_title(self, item: Revision) -> str:
        return revision_title(item)

    def item_link(self, item: Revision) -> str:
        return revision_link(item)

    def item_description(self, item: Revision) -> str:
        return revision_description(item)

    def item_pubdate(self, item: Revision) -> datetime:
        return item.created_at

    def item_updateddate(self, item: Revision) -> datetime:
        return item.created_at

    def item_author_name(self, item: Revision) -> str:
        return revision_author_name(item)

    def item_guid(self, item: Revision) -> str:
        return revision_guid(item)


class PageHistoryFeed(RevisionFeed[Page]):
    """The 30 latest revisions of one public, live page (RSS 2.0); 404 otherwise. Two queries."""

    def get_object(self, request: HttpRequest, space: str, lang: str, slug: str) -> Page:
        page = (
            Page.objects.select_related("space")
            .filter(
                space__slug=space,
                language=lang,
                slug=slug,
                space__is_public=True,
                is_deleted=False,
            )
            .first()
        )
        if page is None:
            raise Http404(_("No such page."))
        return page

    def title(self, obj: Page) -> str:
        return _("History of “%(title)s”") % {"title": obj.title}

    def link(self, obj: Page) -> str:
        return obj.url_for("history")

    def description(self, obj: Page) -> str:
        return _("Every change to “%(title)s” on wikispiral.") % {"title": obj.title}

    def items(self, obj: Page) -> list[Revision]:
        revisions = list(obj.revisions.select_related("author").order_by("-number")[:FEED_LENGTH])
        for revision in revisions:
            revision.page = obj
        return revisions
