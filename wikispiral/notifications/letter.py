"""The network letter as a followable thing: following ("letter", "network") is subscribing to
it. The letter's sender (territories) reads the follows; this floor only offers the choice
(the settings page, the one-click unsubscribe) and never records changes of it."""

from collections.abc import Collection

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wikispiral.notifications.registry import AnyUser, Described, Followable
from wikispiral.notifications.services import LETTER_KEY, LETTER_KIND


def _describe(keys: Collection[str]) -> dict[str, Described]:
    if LETTER_KEY not in keys:
        return {}
    return {LETTER_KEY: Described(_("The network letter"), reverse("notifications:settings"))}


def _visible(user: AnyUser, keys: Collection[str]) -> set[str]:
    return {LETTER_KEY} & set(keys) if user.is_authenticated else set()


def _public(keys: Collection[str]) -> set[str]:
    return {LETTER_KEY} & set(keys)


LETTER = Followable(
    kind=LETTER_KIND,
    label=gettext_lazy("Network letter"),
    follow_label=gettext_lazy("Subscribe to the network letter"),
    following_label=gettext_lazy("You get the network letter"),
    describe=_describe,
    visible_keys=_visible,
    public_keys=_public,
)
