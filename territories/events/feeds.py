"""RSS and Atom feeds of the network's announced events, the latest announced first.

As every feed of the site (wikispiral/wiki/feeds.py): the same for every reader, so drafts stay
out even for their organisers, and meeting links never appear. One query.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from territories.events import selectors
from territories.events.services import event_url
from territories.models import Event
from wikispiral.text import language_name
from wikispiral.wiki.feeds import PublicFeed, excerpt


class EventsFeed(PublicFeed[Event, None]):
    """The 30 events announced last (RSS 2.0)."""

    title = gettext_lazy("Network events")
    description = gettext_lazy(
        "International meetings, general assemblies, training seminars and network meetings "
        "of the TOGETHER network."
    )

    def link(self) -> str:
        return reverse("events:list")

    def items(self) -> list[Event]:
        return selectors.feed_list()

    def item_title(self, item: Event) -> str:
        if item.status == Event.Status.CANCELLED:
            return _("Cancelled: %(title)s") % {"title": item.title}
        return item.title

    def item_link(self, item: Event) -> str:
        return event_url(item)

    def item_description(self, item: Event) -> str:
        # User text is escaped here (format_html); the generator then XML-escapes the result.
        when = ""
        if item.starts_at is not None and item.ends_at is not None:
            when = selectors.when(item.starts_at, item.ends_at, item.time_zone)
        details = [
            item.get_kind_display(),
            _("%(when)s (%(zone)s time)")
            % {"when": when, "zone": selectors.zone_label(item.time_zone)},
            ", ".join(language_name(code) for code in item.languages),
            item.place or (_("On-line") if item.is_online else ""),
        ]
        summary = format_html("<p>{}</p>", " · ".join(detail for detail in details if detail))
        if item.description:
            summary += format_html("<p>{}</p>", excerpt(item.description, markup=False))
        return summary

    def item_pubdate(self, item: Event) -> datetime.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Event) -> datetime.datetime:
        return item.modified_at

    def item_guid(self, item: Event) -> str:
        return f"{settings.SITE_URL}/events/{item.pk}"

    def item_categories(self, item: Event) -> list[str]:
        return [str(item.get_kind_display())]


class EventsAtomFeed(EventsFeed):
    feed_type = Atom1Feed
    subtitle = EventsFeed.description
