"""Writing the digest mails: one per person, in her language and her time zone.

A run writes tens of thousands of mails, so a mail is not a template rendered from scratch: the
frame of the mail (notifications/email/digest.txt: greeting, introduction, links) and its
subject are rendered once per language, period and count with slots, then each person's
name, zone, list of things and unsubscribe link go into the slots; the list is written here,
in the active language, with dates and times formatted once per language, day and minute.
Everything a reader reads still goes through the translations (the templates, gettext).
"""

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.template.loader import get_template
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wikispiral.accounts.models import User
from wikispiral.mail import absolute_url
from wikispiral.notifications.models import Change, Digest
from wikispiral.notifications.registry import describe, followable_get
from wikispiral.notifications.tokens import (
    unsubscribe_address,
    unsubscribe_headers,
    unsubscribe_url,
)

# One mail names at most this many things (the rest: "and N more" with the link to the site),
# and at most this many changes of each.
MAX_THINGS = 40
MAX_CHANGES_PER_THING = 5
# Slots of the frame, filled for each person (a NUL never comes from data: it is refused at
# the edge and stripped from what changes record).
_NAME, _ZONE, _THINGS, _UNSUBSCRIBE = (f"\x00{slot}\x00" for slot in ("n", "z", "t", "u"))


def zone_of(name: str) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name) if name else datetime.UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


@dataclass
class Thing:
    title: str
    label: str
    url: str
    changes: list[Change]


class Writer:
    """Writes the digests of one language and one period (call it inside that language)."""

    def __init__(self, *, period: str, changes: dict[int, Change]) -> None:
        self.period = period
        self.changes = changes
        self.names: dict[tuple[str, str], tuple[str, str]] = {}
        self.labels: dict[str, str] = {}
        self.verbs: dict[tuple[str, str], str] = {}
        self.subjects: dict[int, str] = {}
        self.days: dict[datetime.date, str] = {}
        self.minutes: dict[tuple[int, int], str] = {}
        self.when_pattern = _("%(date)s, %(time)s")
        self.quote = _("“%(summary)s”")
        self.unsubscribe_address = unsubscribe_address()
        self.frame = get_template("notifications/email/digest.txt").render(
            {
                "name": _NAME,
                "zone": _ZONE,
                "things": _THINGS,
                "unsubscribe_url": _UNSUBSCRIBE,
                "period": period,
                "notifications_url": absolute_url(reverse("notifications:list")),
                "settings_url": absolute_url(reverse("notifications:settings")),
            }
        )
        self.subject_template = get_template("notifications/email/digest_subject.txt")

    def name_things(self, change_ids: Collection[int]) -> None:
        """Name every thing these changes are about, as it is named now (in bulk, per kind)."""
        keys: dict[str, set[str]] = defaultdict(set)
        for change_id in change_ids:
            change = self.changes[change_id]
            keys[change.kind].add(change.key)
        for kind, found in keys.items():
            followable = followable_get(kind)
            self.labels[kind] = str(followable.label) if followable else ""
            for key, described in describe(kind, found).items():
                self.names[(kind, key)] = (described.title, absolute_url(described.url))

    def _what(self, change: Change) -> str:
        found = self.verbs.get((change.kind, change.verb))
        if found is None:
            followable = followable_get(change.kind)
            label = followable.verb_label(change.verb) if followable else _("Changed")
            found = self.verbs[(change.kind, change.verb)] = label[:1].upper() + label[1:]
        return found

    def _when(self, moment: datetime.datetime, zone: datetime.tzinfo) -> str:
        local = moment.astimezone(zone)
        day = self.days.get(local.date())
        if day is None:
            day = self.days[local.date()] = formats.date_format(local.date(), "DATE_FORMAT")
        minute = self.minutes.get((local.hour, local.minute))
        if minute is None:
            time = datetime.time(local.hour, local.minute)
            minute = self.minutes[(local.hour, local.minute)] = formats.time_format(
                time, "TIME_FORMAT"
            )
        return self.when_pattern % {"date": day, "time": minute}

    def _subject(self, count: int) -> str:
        found = self.subjects.get(count)
        if found is None:
            rendered = self.subject_template.render({"period": self.period, "count": count})
            found = self.subjects[count] = " ".join(rendered.split())[:300]
        return found

    def _things(self, change_ids: list[int]) -> list[Thing]:
        grouped: dict[tuple[str, str], list[Change]] = defaultdict(list)
        for change_id in change_ids:
            change = self.changes[change_id]
            grouped[(change.kind, change.key)].append(change)
        things = []
        for (kind, key), changes in grouped.items():
            changes.sort(key=lambda change: (change.created_at, change.pk), reverse=True)
            newest = changes[0]
            title, url = self.names.get((kind, key), ("", ""))
            things.append(
                Thing(
                    title=title or newest.title,
                    label=self.labels.get(kind, ""),
                    url=url or absolute_url(newest.url),
                    changes=changes,
                )
            )
        things.sort(key=lambda thing: (thing.changes[0].created_at, thing.changes[0].pk))
        things.reverse()
        return things

    def _list(self, things: list[Thing], zone: datetime.tzinfo) -> str:
        parts = []
        for thing in things[:MAX_THINGS]:
            parts.append(
                f"\n\n{thing.title} ({thing.label})" if thing.label else f"\n\n{thing.title}"
            )
            parts.append(f"\n{thing.url}")
            for change in thing.changes[:MAX_CHANGES_PER_THING]:
                parts.append(f"\n  - {self._when(change.created_at, zone)} · {self._what(change)}")
                if change.actor_id and change.actor is not None:
                    parts.append(f" · {change.actor.public_name}")
                if change.summary:
                    parts.append(" · " + self.quote % {"summary": change.summary})
            more = len(thing.changes) - MAX_CHANGES_PER_THING
            if more > 0:
                parts.append(
                    "\n  - "
                    + ngettext("and %(count)d more change", "and %(count)d more changes", more)
                    % {"count": more}
                )
        more_things = len(things) - MAX_THINGS
        if more_things > 0:
            parts.append(
                "\n\n"
                + ngettext(
                    "And %(count)d more thing you follow changed.",
                    "And %(count)d more things you follow changed.",
                    more_things,
                )
                % {"count": more_things}
            )
        return "".join(parts)

    def write(self, *, user: User, change_ids: list[int], cutoff: datetime.datetime) -> Digest:
        zone = zone_of(user.time_zone)
        link = unsubscribe_url(user_id=user.pk, what="digest", address=self.unsubscribe_address)
        body = (
            self.frame.replace(_NAME, user.public_name)
            .replace(_ZONE, user.time_zone or "UTC")
            .replace(_THINGS, self._list(self._things(change_ids), zone))
            .replace(_UNSUBSCRIBE, link)
        )
        return Digest(
            user_id=user.pk,
            period=self.period,
            to=user.email,
            subject=self._subject(len(change_ids)),
            body=body,
            headers=unsubscribe_headers(url=link),
            changes=len(change_ids),
            covers_until=cutoff,
        )
