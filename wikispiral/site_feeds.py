"""Feeds that gather several apps: the site's latest additions, and one group's.

They read the wiki, territories, syntheses and projects (the choices and workshops, the groups'
published indicators, evaluations and actions), so they live here at the project level:
the floors below never import the floors above. They keep the URL names of the pages that link
them (`wiki:feed_latest_rss`, `directory:group_feed_rss`…): wikispiral/urls.py adds them to
those apps' namespaces. Like every feed (wikispiral/wiki/feeds.py), items never depend on who
asks, and the lists cross groups on purpose.
"""

from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.feeds import PublishedChoice, PublishedWorkshop, choices_published
from projects.highlights import PROGRESS_ADDITIONS, ProgressAddition, progress_published
from syntheses.reports import PublishedReport, reports_published
from territories.directory import selectors as directory
from territories.directory.feeds import (
    group_url,
    homogeneous_group_description,
    homogeneous_group_url,
)
from territories.models import CoordinationGroup, HomogeneousGroup
from wikispiral.wiki.feeds import (
    FEED_LENGTH,
    PublicFeed,
    RevisionFeed,
    revision_author_name,
    revision_description,
    revision_guid,
    revision_link,
    revision_title,
    visible_revisions,
)
from wikispiral.wiki.models import Revision

type SiteAddition = (
    Revision | PublishedReport | PublishedChoice | PublishedWorkshop | ProgressAddition
)
type GroupAddition = HomogeneousGroup | Revision | PublishedReport | ProgressAddition


# --- The site's latest additions -------------------------------------------------------------


class LatestAdditionsFeed(RevisionFeed):
    """The 30 latest revisions of public, live pages, published PDF reports of syntheses, the
    right-choices project's choices and workshops, and the published progress indicators,
    evaluation sessions and co-responsibility actions of visible groups, newest first (RSS
    2.0), in seven queries."""

    title = gettext_lazy("Follow the latest additions")
    link = "/"
    description = gettext_lazy("The latest pages and changes on wikispiral, the TOGETHER wiki.")

    def items(self) -> list[SiteAddition]:
        items: list[SiteAddition] = [
            *visible_revisions()[:FEED_LENGTH],
            *reports_published(limit=FEED_LENGTH),
            *choices_published(limit=FEED_LENGTH),
            *progress_published(limit=FEED_LENGTH),
        ]
        items.sort(key=lambda item: item.created_at, reverse=True)
        return items[:FEED_LENGTH]

    # A report (syntheses.reports.PublishedReport), a choice (projects.feeds.PublishedChoice) or
    # an indicator, evaluation or action (projects.highlights) brings its own title, link,
    # description, date and guid; everything else is a revision.
    # Django's Feed hands item_* only what items() returned: the narrower types are sound.

    def item_title(self, item: SiteAddition) -> str:
        return item.title if not isinstance(item, Revision) else super().item_title(item)

    def item_link(self, item: SiteAddition) -> str:
        return item.link if not isinstance(item, Revision) else super().item_link(item)

    def item_description(self, item: SiteAddition) -> str:
        if not isinstance(item, Revision):
            return item.description
        return super().item_description(item)

    def item_pubdate(self, item: SiteAddition) -> datetime:
        return item.created_at

    def item_updateddate(self, item: SiteAddition) -> datetime:
        return item.created_at

    def item_author_name(self, item: SiteAddition) -> str | None:  # type: ignore[override]
        return None if not isinstance(item, Revision) else super().item_author_name(item)

    def item_guid(self, item: SiteAddition) -> str:
        return item.guid if not isinstance(item, Revision) else super().item_guid(item)


class LatestAdditionsAtomFeed(LatestAdditionsFeed):
    feed_type = Atom1Feed
    subtitle = LatestAdditionsFeed.description


# --- One group's latest additions ------------------------------------------------------------

_BRINGS_ITS_OWN = (PublishedReport, *PROGRESS_ADDITIONS)


class GroupAdditionsFeed(PublicFeed):
    """A visible group's new homogeneous groups, page revisions, published reports, and its
    published indicators, evaluation sessions and actions (RSS 2.0); 404 for a hidden or
    unknown group, whoever asks. Seven queries."""

    def get_object(self, request: HttpRequest, cg: str) -> CoordinationGroup:
        group = directory.feed_group_get(slug=cg)
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

    def items(self, obj: CoordinationGroup) -> list[GroupAddition]:
        items: list[GroupAddition] = [
            *directory.group_additions(group=obj),
            *reports_published(tenant=obj, limit=directory.FEED_LENGTH),
            *progress_published(tenant=obj, limit=directory.FEED_LENGTH),
        ]
        items.sort(key=lambda item: item.created_at, reverse=True)
        return items[: directory.FEED_LENGTH]

    # A report or an indicator, evaluation or action brings its own title, link, description,
    # date and guid (_BRINGS_ITS_OWN).

    def item_title(self, item: GroupAddition) -> str:
        if isinstance(item, _BRINGS_ITS_OWN):
            return item.title
        if isinstance(item, Revision):
            return revision_title(item)
        return _("New homogeneous group: %(name)s") % {"name": item.name}

    def item_link(self, item: GroupAddition) -> str:
        if isinstance(item, _BRINGS_ITS_OWN):
            return item.link
        if isinstance(item, HomogeneousGroup):
            return homogeneous_group_url(item)
        return revision_link(item)

    def item_description(self, item: GroupAddition) -> str:
        if isinstance(item, _BRINGS_ITS_OWN):
            return item.description
        if isinstance(item, HomogeneousGroup):
            return homogeneous_group_description(item)
        return revision_description(item)

    def item_pubdate(self, item: GroupAddition) -> datetime:
        return item.created_at

    def item_updateddate(self, item: GroupAddition) -> datetime:
        return item.created_at

    def item_author_name(self, item: GroupAddition) -> str | None:
        if isinstance(item, Revision):
            return revision_author_name(item)
        return None

    def item_guid(self, item: GroupAddition) -> str:
        # The same guids as the wiki's and the homogeneous-groups feeds: one item, one id.
        if isinstance(item, _BRINGS_ITS_OWN):
            return item.guid
        if isinstance(item, Revision):
            return revision_guid(item)
        return f"{settings.SITE_URL}/hg/{item.pk}"


class GroupAdditionsAtomFeed(GroupAdditionsFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: CoordinationGroup) -> str:
        return self.description(obj)


feed_latest_rss = LatestAdditionsFeed()
feed_latest_atom = LatestAdditionsAtomFeed()
group_feed_rss = GroupAdditionsFeed()
group_feed_atom = GroupAdditionsAtomFeed()
