"""The kinds of things a person may follow, registered by the floors that own them.

This floor knows nothing of pages, groups, syntheses or actions: each app registers its kind
from its `AppConfig.ready()` (`register_followable`), saying how to name and link its things in
bulk (`describe`), which of them anyone may see (`public_keys`, one query for many keys) and
which a given person may see (`visible_keys`). A notification about something a person can no
longer see (a page of a space gone private, a hidden group, an action back to draft) never
reaches her, on the site or by mail: every list and every digest goes through `visible_keys`.

Keys are strings ("12", "cg-7", "network"); a key a kind cannot read (a tampered form) is
simply not described and not visible, never an error.
"""

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from wikispiral.accounts.models import User
from wikispiral.typing import StrOrPromise

AnyUser = User | AnonymousUser
MAX_KEY_LENGTH = 100
VisibleMany = Callable[[Mapping[int, set[str]], Mapping[int, User]], dict[int, set[str]]]


@dataclass(frozen=True)
class Described:
    """How a followable thing is named and linked now (in the active language)."""

    title: str
    url: str


@dataclass(frozen=True)
class Followable:
    kind: str
    # What it is ("Wiki page"), and the button's words on its page.
    label: StrOrPromise
    follow_label: StrOrPromise
    following_label: StrOrPromise
    # {key: Described} for the keys that name something (unknown keys are left out).
    describe: Callable[[Collection[str]], dict[str, Described]]
    # The keys among keys that this person may see (unknown keys are left out).
    visible_keys: Callable[[AnyUser, Collection[str]], set[str]]
    # The keys anyone may see, in one query for all: the digest asks visible_keys only for
    # the rest, person by person (drafts, hidden groups: few). None: none is public.
    public_keys: Callable[[Collection[str]], set[str]] | None = None
    # What happened ("edit", "published"...), as each reader reads it.
    verbs: Mapping[str, StrOrPromise] = field(default_factory=dict)
    # visible_keys for many people at once ({user id: keys} -> {user id: the keys she may
    # see}), in a few queries whatever their number: the digest asks it for the keys that are
    # not public. None: visible_keys person by person.
    visible_keys_many: VisibleMany | None = None

    def verb_label(self, verb: str) -> str:
        label = self.verbs.get(verb)
        return str(label) if label is not None else _("Changed")


_KINDS: dict[str, Followable] = {}


def register_followable(followable: Followable) -> None:
    """Make a kind of thing followable (called from AppConfig.ready)."""
    _KINDS[followable.kind] = followable


def followable_get(kind: str) -> Followable | None:
    return _KINDS.get(kind)


def followable_kinds() -> list[str]:
    return list(_KINDS)


def key_clean(key: object) -> str | None:
    """A key as stored (a string of at most MAX_KEY_LENGTH characters, no NUL), or None."""
    text = str(key).strip()
    if not text or len(text) > MAX_KEY_LENGTH or "\x00" in text:
        return None
    return text


def int_keys(keys: Iterable[str]) -> dict[int, str]:
    """{id: key} for the keys that are ids (the kinds whose key is a primary key)."""
    found = {}
    for key in keys:
        if key.isdecimal() and len(key) <= 18:
            found[int(key)] = key
    return found


def describe(kind: str, keys: Collection[str]) -> dict[str, Described]:
    followable = _KINDS.get(kind)
    if followable is None or not keys:
        return {}
    return followable.describe(keys)


def visible(kind: str, user: AnyUser, keys: Collection[str]) -> set[str]:
    """The keys of kind among keys that user may see (none for an unknown kind)."""
    followable = _KINDS.get(kind)
    if followable is None or not keys:
        return set()
    return followable.visible_keys(user, keys) & set(keys)


def visible_for_each(
    kind: str, wanted: Mapping[int, set[str]], users: Mapping[int, User]
) -> dict[int, set[str]]:
    """{user id: the keys of wanted[user id] she may see}, for many people at once: the public
    keys in one call for everyone, visible_keys person by person only for the others."""
    followable = _KINDS.get(kind)
    if followable is None:
        return {}
    every_key = set().union(*wanted.values()) if wanted else set()
    public = followable.public_keys(every_key) if followable.public_keys else set()
    seen = {user_id: keys & public for user_id, keys in wanted.items()}
    rests = {user_id: rest for user_id, keys in wanted.items() if (rest := keys - public)}
    if not rests:
        return seen
    if followable.visible_keys_many is not None:
        for user_id, keys in followable.visible_keys_many(rests, users).items():
            seen[user_id] |= keys & rests.get(user_id, set())
        return seen
    for user_id, rest in rests.items():
        seen[user_id] |= followable.visible_keys(users[user_id], rest) & rest
    return seen


def staff_ids(users: Mapping[int, User], user_ids: Iterable[int]) -> set[int]:
    """Those of user_ids who belong to the network staff (they see everything)."""
    return {user_id for user_id in user_ids if users[user_id].is_network_staff}
