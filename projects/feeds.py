"""The project's feed of the latest choices, and the items it adds to "Follow the latest
additions". As every feed (wikispiral/wiki/feeds.py): the same for every reader, so choices of
a hidden group's territory stay out even for its members."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects import selectors
from projects.models import Choice, Workshop
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


@dataclass
class PublishedWorkshop:
    """A scheduled workshop as the feeds show it."""

    workshop: Workshop

    @property
    def title(self) -> str:
        return _("Workshop: %(title)s") % {"title": self.workshop.title}

    @property
    def link(self) -> str:
        return reverse("projects:workshop", args=[self.workshop.pk])

    @property
    def created_at(self) -> datetime.datetime:
        return self.workshop.created_at

    @property
    def description(self) -> str:
        starts = date_format(self.workshop.starts_at, "DATETIME_FORMAT", use_l10n=True)
        return format_html(
            "<p>{} (UTC) · {}</p><p>{}</p>",
            starts,
            ", ".join(self.workshop.languages),
            excerpt(self.workshop.description, markup=False),
        )

    @property
    def guid(self) -> str:
        return f"{settings.SITE_URL}/right-choices/workshop/{self.workshop.pk}"


def choices_published(*, limit: int = FEED_LENGTH) -> list["PublishedChoice | PublishedWorkshop"]:
    """The project's latest activity: choices recorded and workshops scheduled, newest first."""
    items: list[PublishedChoice | PublishedWorkshop] = [
        *(PublishedChoice(choice) for choice in selectors.latest_choices(limit=limit)),
        *(PublishedWorkshop(w) for w in selectors.latest_workshops(limit=limit)),
    ]
    items.sort(key=lambda item: item.created_at, reverse=True)
    return items[:limit]


class ChoicesFeed(PublicFeed):
    """The latest choices of every participant and workshops scheduled, newest first (RSS
    2.0), in two queries."""

    title = gettext_lazy("The right choices: latest choices and workshops")
    description = gettext_lazy(
        "Choices recorded by the participants of Together let's learn to make the right "
        "choices, and the workshops scheduled."
    )

    def link(self) -> str:
        return reverse("projects:home")

    def items(self) -> list["PublishedChoice | PublishedWorkshop"]:
        return choices_published()

    def item_title(self, item: "PublishedChoice | PublishedWorkshop") -> str:
        return item.title

    def item_link(self, item: "PublishedChoice | PublishedWorkshop") -> str:
        return item.link

    def item_description(self, item: "PublishedChoice | PublishedWorkshop") -> str:
        return item.description

    def item_pubdate(self, item: "PublishedChoice | PublishedWorkshop") -> datetime.datetime:
        return item.created_at

    def item_guid(self, item: "PublishedChoice | PublishedWorkshop") -> str:
        return item.guid


class ChoicesAtomFeed(ChoicesFeed):
    feed_type = Atom1Feed
    subtitle = ChoicesFeed.description
