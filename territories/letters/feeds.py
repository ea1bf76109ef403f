"""RSS and Atom feeds of the network letters sent (drafts never), newest first, in one query.

As every feed of the site (wikispiral/wiki/feeds.py): read by anonymous feed readers and cached
by shared proxies, so items never depend on who asks, the secretariat included.
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from territories.letters import selectors
from territories.models import NetworkLetter
from wikispiral.wiki.feeds import FEED_LENGTH, PublicFeed, excerpt


class LettersFeed(PublicFeed[NetworkLetter, None]):
    """The 30 latest letters sent (RSS 2.0)."""

    title = gettext_lazy("The network letter")
    description = gettext_lazy("The letters of the TOGETHER network's secretariat.")

    def link(self) -> str:
        return reverse("letters:list")

    def items(self) -> list[NetworkLetter]:
        return list(selectors.letter_list_published()[:FEED_LENGTH])

    def item_title(self, item: NetworkLetter) -> str:
        return item.title

    def item_link(self, item: NetworkLetter) -> str:
        return reverse("letters:detail", kwargs={"letter": item.pk})

    def item_description(self, item: NetworkLetter) -> str:
        # User text is escaped here (format_html); the generator then XML-escapes the result.
        revision = item.page.current_revision
        return format_html("<p>{}</p>", excerpt(revision.body if revision is not None else ""))

    def item_pubdate(self, item: NetworkLetter) -> datetime | None:
        return item.sent_at

    def item_guid(self, item: NetworkLetter) -> str:
        return f"{settings.SITE_URL}/letters/{item.pk}"


class LettersAtomFeed(LettersFeed):
    feed_type = Atom1Feed
    subtitle = LettersFeed.description
