"""The project's feed of the latest choices, and the items it adds to "Follow the latest
additions". As every feed (wikispiral/wiki/feeds.py): the same for every reader, so choices of
a hidden group's territory stay out even for its members."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects import selectors
from projects.models import Choice
from wikispiral.wiki.feeds import PublicFeed, excerpt

FEED_LENGTH = 30


@dataclass
class PublishedChoice:
    """A choice as the feeds show it (the duck type of "Follow the latest additions")."""

    choice: Choice

    @property
    def title(self) -> str:
        return _("%(participant)s: %(choice)s") % {
            "participant": self.choice.participant.name,
            "choice": self.choice.title,
        }

    @property
    def link(self) -> str:
        return reverse("projects:choice", args=[self.choice.participant.slug, self.choice.pk])

    @property
    def created_at(self) -> datetime.datetime:
        return self.choice.created_at

    @property
    def description(self) -> str:
        """A line for feed readers (HTML, escaped)."""
        details = [self.choice.get_category_display(), self.choice.get_status_display()]
        return format_html(
            "<p>{}</p><p>{}</p>",
            " · ".join(details),
            excerpt(self.choice.description, markup=False),
        )

    @property
    def guid(self) -> str:
        return f"{settings.SITE_URL}/right-choices/choice/{self.choice.pk}"


def choices_published(*, limit: int = FEED_LENGTH) -> list[PublishedChoice]:
    return [PublishedChoice(choice) for choice in selectors.latest_choices(limit=limit)]


class ChoicesFeed(PublicFeed):
    """The latest choices of every participant, newest first (RSS 2.0), in one query."""

    title = gettext_lazy("The right choices: latest choices")
    description = gettext_lazy(
        "Choices recorded by the participants of Together let's learn to make the right choices."
    )

    def link(self) -> str:
        return reverse("projects:home")

    def items(self) -> list[PublishedChoice]:
        return choices_published()

    def item_title(self, item: PublishedChoice) -> str:
        return escape(item.title)

    def item_link(self, item: PublishedChoice) -> str:
        return item.link

    def item_description(self, item: PublishedChoice) -> str:
        return item.description

    def item_pubdate(self, item: PublishedChoice) -> datetime.datetime:
        return item.created_at

    def item_guid(self, item: PublishedChoice) -> str:
        return item.guid


class ChoicesAtomFeed(ChoicesFeed):
    feed_type = Atom1Feed
    subtitle = ChoicesFeed.description

    def item_title(self, item: PublishedChoice) -> str:
        return item.title
