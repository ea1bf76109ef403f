"""Reading what a person follows and what changed there.

Her notifications are not stored per person: they are the changes of what she follows, made by
others after she followed, joined at read time (an EXISTS on her follows, which the unique
index of (user, kind, key) answers). Each shown page of them is then filtered by what she may
still see and named as its thing is named now, one query per kind on the page.
"""

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wikispiral.accounts.models import User
from wikispiral.notifications.models import Change, Follow, Preference
from wikispiral.notifications.registry import (
    AnyUser,
    describe,
    followable_get,
    key_clean,
    visible,
)
from wikispiral.notifications.services import LETTER_KEY, LETTER_KIND
from wikispiral.notifications.stamps import follows_stamp

PER_PAGE = 50


FOLLOWING_CACHE_SECONDS = 60 * 60


def is_following(*, user: AnyUser, kind: str, key: object) -> bool:
    """Whether user follows (kind, key), for the follow button of a page: remembered in the
    cache under her follows' stamp (any follow or unfollow of hers retires it), so a page
    seen again costs no query; none at all for an anonymous visitor."""
    clean = key_clean(key)
    if not user.is_authenticated or clean is None:
        return False
    digest = hashlib.blake2b(f"{kind}:{clean}".encode(), digest_size=12).hexdigest()
    cache_key = f"notifications:following:{user.pk}:{follows_stamp(user.pk)}:{digest}"
    found = cache.get(cache_key)
    if found is None:
        found = Follow.objects.filter(user_id=user.pk, kind=kind, key=clean).exists()
        cache.set(cache_key, found, FOLLOWING_CACHE_SECONDS)
    return bool(found)


def letter_subscribed(*, user: User) -> bool:
    return Follow.objects.filter(user=user, kind=LETTER_KIND, key=LETTER_KEY).exists()


def follower_ids(*, kind: str, key: str) -> "QuerySet[Follow, int]":
    """Ids of the people who follow (kind, key), lazily: for a filter of the caller's own query
    (`pk__in=follower_ids(...)`, one subquery)."""
    return Follow.objects.filter(kind=kind, key=key).values_list("user_id", flat=True)


def keep_since(now: datetime.datetime | None = None) -> datetime.datetime:
    """Changes older than this are forgotten (and shown nowhere)."""
    return (now or timezone.now()) - datetime.timedelta(days=settings.NOTIFICATIONS_KEEP_DAYS)


def changes_for(*, user: User) -> QuerySet[Change]:
    """The changes of what user follows, made by others after she followed, newest first."""
    followed = Follow.objects.filter(
        user_id=user.pk,
        kind=OuterRef("kind"),
        key=OuterRef("key"),
        created_at__lt=OuterRef("created_at"),
    )
    return (
        Change.objects.filter(Exists(followed), created_at__gte=keep_since())
        .exclude(actor_id=user.pk)
        .select_related("actor")
        .only(
            "kind",
            "key",
            "title",
            "url",
            "summary",
            "verb",
            "created_at",
            "actor__username",
            "actor__display_name",
        )
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class Notification:
    kind_label: str
    title: str
    url: str
    what: str
    who: str
    summary: str
    at: datetime.datetime
    is_new: bool


def _visible_and_named(
    user: AnyUser, changes: Iterable[Change]
) -> tuple[dict[str, set[str]], dict[tuple[str, str], tuple[str, str]]]:
    keys: dict[str, set[str]] = defaultdict(set)
    for change in changes:
        keys[change.kind].add(change.key)
    seen = {kind: visible(kind, user, found) for kind, found in keys.items()}
    names = {}
    for kind, found in seen.items():
        for key, described in describe(kind, found).items():
            names[(kind, key)] = (described.title, described.url)
    return seen, names


def notification_rows(
    *, user: AnyUser, changes: Iterable[Change], seen_until: datetime.datetime | None
) -> list[Notification]:
    """The changes user may still see, named as their things are named now (their title at
    the time of the change when the thing is gone)."""
    changes = list(changes)
    seen, names = _visible_and_named(user, changes)
    rows = []
    for change in changes:
        if change.key not in seen.get(change.kind, ()):
            continue
        followable = followable_get(change.kind)
        title, url = names.get((change.kind, change.key), (change.title, change.url))
        rows.append(
            Notification(
                kind_label=str(followable.label) if followable else "",
                title=title or change.title,
                url=url or change.url,
                what=followable.verb_label(change.verb) if followable else _("Changed"),
                who=change.actor.public_name if change.actor_id and change.actor else "",
                summary=change.summary,
                at=change.created_at,
                is_new=seen_until is None or change.created_at > seen_until,
            )
        )
    return rows


@dataclass
class NotificationsPage:
    page: Page
    rows: list[Notification]
    seen_until: datetime.datetime | None


def notifications_page(*, user: User, number: str | int) -> NotificationsPage:
    """One page of her notifications (the first when number is not one, the last when it is
    past it)."""
    preference = Preference.objects.filter(user=user).first()
    seen_until = preference.seen_until if preference else None
    paginator = Paginator(changes_for(user=user), PER_PAGE)
    page = paginator.get_page(number)
    rows = notification_rows(user=user, changes=page.object_list, seen_until=seen_until)
    return NotificationsPage(page=page, rows=rows, seen_until=seen_until)


@dataclass(frozen=True)
class Followed:
    kind: str
    key: str
    title: str
    url: str
    since: datetime.datetime
    # False: it is gone or she may no longer see it (no title shown).
    available: bool


@dataclass
class FollowedKind:
    kind: str
    label: str
    items: list[Followed]


def following_list(*, user: User) -> list[FollowedKind]:
    """What she follows, by kind (in the order kinds were registered), newest first: her watch
    list. One query for the follows, then one or two per kind."""
    follows: dict[str, list[Follow]] = defaultdict(list)
    for follow in Follow.objects.filter(user=user).order_by("-created_at", "-pk"):
        follows[follow.kind].append(follow)
    groups = []
    for kind, rows in follows.items():
        followable = followable_get(kind)
        keys = {row.key for row in rows}
        seen = visible(kind, user, keys)
        names = describe(kind, seen)
        items = [
            Followed(
                kind=kind,
                key=row.key,
                title=names[row.key].title if row.key in names else "",
                url=names[row.key].url if row.key in names else "",
                since=row.created_at,
                available=row.key in names,
            )
            for row in rows
        ]
        label = str(followable.label) if followable else kind
        groups.append(FollowedKind(kind=kind, label=label, items=items))
    return groups
