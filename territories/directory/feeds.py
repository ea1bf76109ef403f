"""RSS and Atom feeds of coordination groups, of homogeneous groups, and of one group's news.

As the wiki's feeds (wikispiral/wiki/feeds.py): read by anonymous feed readers and cached by
shared proxies, so items never depend on who asks. Hidden groups and everything they own stay
out, even for their members and the secretariat, and the lists cross groups on purpose (the
selectors say so with cross_tenant()).
"""

from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from syntheses.reports import PublishedReport, reports_published
from territories.directory import selectors
from territories.directory.selectors import FEED_LENGTH
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.wiki.feeds import (
    PublicFeed,
    excerpt,
    revision_author_name,
    revision_description,
    revision_guid,
    revision_link,
    revision_title,
)
from wikispiral.wiki.models import Revision


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


def _homogeneous_description(item: HomogeneousGroup) -> str:
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
        return _homogeneous_description(item)

    def item_pubdate(self, item: HomogeneousGroup) -> datetime:
        return item.created_at

    def item_updateddate(self, item: HomogeneousGroup) -> datetime:
        return item.modified_at

    def item_guid(self, item: HomogeneousGroup) -> str:
        return f"{settings.SITE_URL}/hg/{item.pk}"


class HomogeneousGroupsAtomFeed(_Atom, HomogeneousGroupsFeed):
    subtitle = HomogeneousGroupsFeed.description


# --- One group's latest additions -----------------------------------------------------------


class GroupAdditionsFeed(PublicFeed):
    """A visible group's new homogeneous groups, page revisions and published reports (RSS
    2.0); 404 for a hidden or unknown group, whoever asks. Four queries."""

    def get_object(self, request: HttpRequest, cg: str) -> CoordinationGroup:
        group = selectors.feed_group_get(slug=cg)
        if group is None:
            raise Http404(_("No such coordination group."))
        return group

    def title(self, obj: CoordinationGroup) -> str:
        return _("%(name)s: latest additions") % {"name": obj.name}

    def link(self, obj: CoordinationGroup) -> str:
        return group_url(obj)

    def description(self, obj: CoordinationGroup) -> str:
        return _("New homogeneous groups and page changes of %(name)s on wikispiral.") % {
            "name": obj.name
        }

    def items(self, obj: CoordinationGroup) -> list[HomogeneousGroup | Revision | PublishedReport]:
        items = [
            *selectors.group_additions(group=obj),
            *reports_published(tenant=obj, limit=FEED_LENGTH),
        ]
        items.sort(key=lambda item: item.created_at, reverse=True)
        return items[:FEED_LENGTH]

    def item_title(self, item: HomogeneousGroup | Revision | PublishedReport) -> str:
        if isinstance(item, PublishedReport):
            return item.title
        if isinstance(item, Revision):
            return revision_title(item)
        return _("New homogeneous group: %(name)s") % {"name": item.name}

    def item_link(self, item: HomogeneousGroup | Revision | PublishedReport) -> str:
        if isinstance(item, PublishedReport):
            return item.link
        if isinstance(item, HomogeneousGroup):
            return homogeneous_group_url(item)
        return revision_link(item)

    def item_description(self, item: HomogeneousGroup | Revision | PublishedReport) -> str:
        if isinstance(item, PublishedReport):
            return item.description
        if isinstance(item, HomogeneousGroup):
            return _homogeneous_description(item)
        return revision_description(item)

    def item_pubdate(self, item: HomogeneousGroup | Revision | PublishedReport) -> datetime:
        return item.created_at

    def item_updateddate(self, item: HomogeneousGroup | Revision | PublishedReport) -> datetime:
        return item.created_at

    def item_author_name(self, item: HomogeneousGroup | Revision | PublishedReport) -> str | None:
        if isinstance(item, Revision):
            return revision_author_name(item)
        return None

    def item_guid(self, item: HomogeneousGroup | Revision | PublishedReport) -> str:
        # The same guids as the wiki's and the homogeneous-groups feeds: one item, one id.
        if isinstance(item, PublishedReport):
            return item.guid
        if isinstance(item, Revision):
            return revision_guid(item)
        return f"{settings.SITE_URL}/hg/{item.pk}"


class GroupAdditionsAtomFeed(_Atom, GroupAdditionsFeed):
    def subtitle(self, obj: CoordinationGroup) -> str:
        return self.description(obj)
