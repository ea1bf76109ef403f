"""RSS and Atom feeds of coordination groups and of homogeneous groups.

One group's latest additions (its homogeneous groups, pages and published reports) gather
several apps: that feed lives at the project level, in wikispiral/site_feeds.py.

As the wiki's feeds (wikispiral/wiki/feeds.py): read by anonymous feed readers and cached by
shared proxies, so items never depend on who asks. Hidden groups and everything they own stay
out, even for their members and the secretariat, and the lists cross groups on purpose (the
selectors say so with cross_tenant()).
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from territories.directory import selectors
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.wiki.feeds import (
    PublicFeed,
    excerpt,
)


def group_url(group: CoordinationGroup) -> str:
    return reverse("directory:group", kwargs={"cg": group.slug})


def homogeneous_group_url(homogeneous: HomogeneousGroup) -> str:
    return reverse(
        "groups:homogeneous_group", kwargs={"cg": homogeneous.tenant.slug, "hg": homogeneous.slug}
    )


def _place(group: CoordinationGroup) -> str:
    parts = [group.locality, group.region, group.country]
    return ", ".join(place.label() for place in parts if place is not None)


class _Atom:
    """Mixin for the Atom twin of a feed."""

    feed_type = Atom1Feed


# --- Coordination groups --------------------------------------------------------------------


class CoordinationGroupsFeed(PublicFeed):
    """The 30 most recently opened or changed visible groups (RSS 2.0), in one query."""

    title = gettext_lazy("Feed Coordination Groups")
    description = gettext_lazy("New and updated coordination groups of the TOGETHER network.")

    def link(self) -> str:
        return reverse("directory:directory")

    def items(self) -> list[CoordinationGroup]:
        return selectors.group_feed_list()

    def item_title(self, item: CoordinationGroup) -> str:
        return item.name

    def item_link(self, item: CoordinationGroup) -> str:
        return group_url(item)

    def item_description(self, item: CoordinationGroup) -> str:
        # User text is escaped here (format_html); the generator then XML-escapes the result.
        return format_html(
            "<p>{} · {} · {}</p><p>{}</p>",
            item.get_kind_display(),
            _place(item),
            _("Not yet validated") if item.awaiting_validation else item.get_status_display(),
            excerpt(item.platform_description, markup=False),
        )

    def item_pubdate(self, item: CoordinationGroup) -> datetime:
        return item.created_at

    def item_updateddate(self, item: CoordinationGroup) -> datetime:
        return item.modified_at

    def item_guid(self, item: CoordinationGroup) -> str:
        return f"{settings.SITE_URL}/cg/{item.pk}"


class CoordinationGroupsAtomFeed(_Atom, CoordinationGroupsFeed):
    subtitle = CoordinationGroupsFeed.description


# --- Homogeneous groups ---------------------------------------------------------------------


def _homogeneous_title(item: HomogeneousGroup) -> str:
    return _("%(name)s — %(group)s") % {"name": item.name, "group": item.tenant.name}


def homogeneous_group_description(item: HomogeneousGroup) -> str:
    details = [item.profile_label, item.participants_text]
    if item.meeting_dates:
        details.append(
            _("meets on %(dates)s")
            % {"dates": ", ".join(str(date) for date in item.meeting_dates[:5])}
        )
    # Never the notes: the group's page shows them to its members only.
    return format_html("<p>{}</p>", " · ".join(detail for detail in details if detail))


class HomogeneousGroupsFeed(PublicFeed):
    """The 30 newest homogeneous groups of visible groups (RSS 2.0), in one query."""

    title = gettext_lazy("Feed Homogeneous Groups")
    description = gettext_lazy("New homogeneous groups of citizens in the TOGETHER network.")

    def link(self) -> str:
        return reverse("directory:directory")

    def items(self) -> list[HomogeneousGroup]:
        return selectors.homogeneous_group_feed_list()

    def item_title(self, item: HomogeneousGroup) -> str:
        return _homogeneous_title(item)

    def item_link(self, item: HomogeneousGroup) -> str:
        return homogeneous_group_url(item)

    def item_description(self, item: HomogeneousGroup) -> str:
        return homogeneous_group_description(item)

    def item_pubdate(self, item: HomogeneousGroup) -> datetime:
        return item.created_at

    def item_updateddate(self, item: HomogeneousGroup) -> datetime:
        return item.modified_at

    def item_guid(self, item: HomogeneousGroup) -> str:
        return f"{settings.SITE_URL}/hg/{item.pk}"


class HomogeneousGroupsAtomFeed(_Atom, HomogeneousGroupsFeed):
    subtitle = HomogeneousGroupsFeed.description
