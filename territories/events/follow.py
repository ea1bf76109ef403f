"""Events as things a person follows (the notifications engine's "event" kind, key: the event's
id): how they are named and linked, and who may see them (drafts: their organisers only).
Registered from TerritoriesConfig.ready()."""

from collections.abc import Collection

from django.utils.translation import gettext_lazy

from territories.events.permissions import can_manage_event
from territories.events.selectors import PUBLIC_STATUSES
from territories.events.services import event_url
from territories.models import Event
from wikispiral.notifications.registry import AnyUser, Described, Followable, int_keys


def _events(keys: Collection[str]) -> dict[str, Event]:
    ids = int_keys(keys)
    found = Event.objects.filter(pk__in=list(ids)).only("pk", "title", "slug", "status", "project")
    return {ids[event.pk]: event for event in found}


def _describe(keys: Collection[str]) -> dict[str, Described]:
    return {key: Described(event.title, event_url(event)) for key, event in _events(keys).items()}


def _public(keys: Collection[str]) -> set[str]:
    return {key for key, event in _events(keys).items() if event.status in PUBLIC_STATUSES}


def _visible(user: AnyUser, keys: Collection[str]) -> set[str]:
    return {
        key
        for key, event in _events(keys).items()
        if event.status in PUBLIC_STATUSES or can_manage_event(user, event)
    }


EVENTS = Followable(
    kind="event",
    label=gettext_lazy("Event"),
    follow_label=gettext_lazy("Follow this event"),
    following_label=gettext_lazy("You follow this event"),
    describe=_describe,
    visible_keys=_visible,
    public_keys=_public,
    verbs={
        "published": gettext_lazy("Announced"),
        "changed": gettext_lazy("Changed"),
        "programme": gettext_lazy("Programme changed"),
        "cancelled": gettext_lazy("Cancelled"),
        "report": gettext_lazy("Report written"),
    },
)
