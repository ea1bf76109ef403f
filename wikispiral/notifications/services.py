"""Writes of the notifications engine: recording what changed, following and unfollowing, and
each person's choices.

`change_record` runs inside the caller's transaction and must never cost the caller its save:
it writes one small row, cleans what it is given (long or multi-line titles are cut, never
refused), and touches the broker only after the commit (robustly: a broker that is away is the
sweep's business, not the page's). It fails only for a programming error (an unregistered
kind), which the tests of the caller catch.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wikispiral.accounts.models import User
from wikispiral.errors import DomainError
from wikispiral.notifications import stamps
from wikispiral.notifications.models import Change, Follow, Preference
from wikispiral.notifications.registry import describe, followable_get, key_clean

logger = logging.getLogger(__name__)

Frequency = Preference.Frequency
IMMEDIATE_JOB = "notifications.immediate"
# The network letter: a Follow of this kind and key is the subscription (territories' letter
# reads it to know who gets the letter).
LETTER_KIND = "letter"
LETTER_KEY = "network"
_TITLE_MAX = Change._meta.get_field("title").max_length or 300
_URL_MAX = Change._meta.get_field("url").max_length or 500
_SUMMARY_MAX = Change._meta.get_field("summary").max_length or 300


def _line(text: object, limit: int) -> str:
    """One line of at most limit characters: what a notification or a mail shows."""
    return " ".join(str(text or "").replace("\x00", "").split())[:limit]


def _actor_id(actor: object) -> int | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return getattr(actor, "pk", None)


@dataclass(frozen=True)
class ChangeNote:
    """One change of a bulk record (changes_record)."""

    key: str | int
    title: str
    url: str
    summary: str = ""
    verb: str = ""


def _change(kind: str, note: ChangeNote, actor_id: int | None) -> Change:
    key = key_clean(note.key)
    if key is None:
        raise ValueError(f"not a key: {note.key!r}")
    return Change(
        kind=kind,
        key=key,
        actor_id=actor_id,
        title=_line(note.title, _TITLE_MAX),
        url=str(note.url or "")[:_URL_MAX],
        summary=_line(note.summary, _SUMMARY_MAX),
        verb=_line(note.verb, 40),
    )


def _kind_check(kind: str) -> None:
    if followable_get(kind) is None:
        raise ValueError(f"{kind!r} is not a followable kind (register it in AppConfig.ready)")


def change_record(
    *,
    kind: str,
    key: str | int,
    actor: object | None,
    title: str,
    url: str,
    summary: str = "",
    verb: str = "",
) -> None:
    """Record that the followable thing (kind, key) changed, inside the caller's transaction:
    kind is a registered followable kind ("page", "group", "scope", "action", "event"), key
    its identifier within the kind, actor who changed it (None: the site), title and url what
    a notification shows (url a path on this site), summary one line in the actor's own words
    (an edit summary), verb what happened as a code the kind translates for each reader
    ("edit", "published"; see its registration). One INSERT; the people who follow it at once
    are told by a job after the commit."""
    _kind_check(kind)
    change = _change(kind, ChangeNote(key, title, url, summary, verb), _actor_id(actor))
    change.save()
    _immediate_enqueue(kind, [change.key], change.actor_id)


def changes_record(*, kind: str, notes: Iterable[ChangeNote], actor: object | None = None) -> int:
    """Record many changes of one kind at once (a recomputation's scopes): only those of
    things somebody follows leave a row (a change before anyone follows is never told anyway).
    Returns how many were recorded."""
    _kind_check(kind)
    actor_id = _actor_id(actor)
    changes = [_change(kind, note, actor_id) for note in notes]
    if not changes:
        return 0
    keys = {change.key for change in changes}
    followed = set(
        Follow.objects.filter(kind=kind, key__in=keys).values_list("key", flat=True).distinct()
    )
    changes = [change for change in changes if change.key in followed]
    Change.objects.bulk_create(changes, batch_size=1000)
    if changes:
        _immediate_enqueue(kind, sorted(followed), actor_id)
    return len(changes)


def changes_of_followed(
    *, kind: str, keys: Iterable[str | int], verb: str = "", actor: object | None = None
) -> int:
    """Record one change for each of keys that somebody follows, named as its kind names it
    now (a recomputation's scopes: it knows ids, not titles). A few queries whatever the
    number of keys; returns how many were recorded."""
    _kind_check(kind)
    wanted = {clean for key in keys if (clean := key_clean(key)) is not None}
    if not wanted:
        return 0
    followed = set(
        Follow.objects.filter(kind=kind, key__in=wanted).values_list("key", flat=True).distinct()
    )
    named = describe(kind, followed)
    notes = [
        ChangeNote(key, named[key].title, named[key].url, verb=verb)
        for key in sorted(followed)
        if key in named
    ]
    return changes_record(kind=kind, notes=notes, actor=actor)


def _immediate_enqueue(kind: str, keys: list[str], actor_id: int | None) -> None:
    """Start the job of immediate digests when somebody else who wants them follows this: one
    cheap query; the job waits a little, so changes that arrive meanwhile join one mail."""
    followers = Follow.objects.filter(
        kind=kind, key__in=keys, user__notification_preference__frequency=Frequency.IMMEDIATE
    )
    if actor_id is not None:
        followers = followers.exclude(user_id=actor_id)
    someone = followers.exists()
    if not someone:
        return
    from wikispiral.jobs.services import job_enqueue

    job_enqueue(
        kind=IMMEDIATE_JOB,
        key=IMMEDIATE_JOB,
        delay=settings.NOTIFICATIONS_IMMEDIATE_DELAY_SECONDS,
    )


# --- Following ----------------------------------------------------------------------------------


def follow_add(*, user: User, kind: str, key: str) -> bool:
    """Follow (kind, key); True when it is new. The caller has checked that user may see it."""
    _kind_check(kind)
    clean = key_clean(key)
    if clean is None:
        raise DomainError(_("There is nothing to follow here."))
    _follow, created = Follow.objects.get_or_create(user=user, kind=kind, key=clean)
    stamps.follows_changed(user.pk)
    return created


def follow_remove(*, user: User, kind: str, key: str) -> bool:
    """Stop following (kind, key); True when she followed it."""
    removed, _detail = Follow.objects.filter(user=user, kind=kind, key=str(key)).delete()
    stamps.follows_changed(user.pk)
    return bool(removed)


def follow_edited(*, user: object, kind: str, key: str | int) -> None:
    """The editor of something follows it from now on, as MediaWiki's default "add pages I
    create and edit to my watchlist", unless she turned that off (follow_edits). Inside the
    caller's transaction; two queries at most (the choice, then an insert that a follow
    already there leaves as it is)."""
    user_id = _actor_id(user)
    clean = key_clean(key)
    if user_id is None or clean is None:
        return
    if Preference.objects.filter(user_id=user_id, follow_edits=False).exists():
        return
    if Follow.objects.filter(user_id=user_id, kind=kind, key=clean).exists():
        return
    Follow.objects.bulk_create(
        [Follow(user_id=user_id, kind=kind, key=clean)], ignore_conflicts=True
    )
    stamps.follows_changed(user_id)


# --- Her choices --------------------------------------------------------------------------------


def preference_get(*, user: User) -> Preference:
    """Her choices (the defaults, unsaved, when she never made any)."""
    found = Preference.objects.filter(user=user).first()
    return found if found is not None else Preference(user=user)


@transaction.atomic
def preferences_save(*, user: User, frequency: str, follow_edits: bool, letter: bool) -> Preference:
    """Save how often she wants the digest, whether she follows what she edits, and whether
    she gets the network letter. A new frequency starts from now: switching the digest on
    never mails the changes of the months it was off."""
    if frequency not in Frequency.values:
        raise DomainError(_("Choose how often you want the e-mail digest."), "frequency")
    preference, _created = Preference.objects.select_for_update().get_or_create(user=user)
    fields = ["follow_edits"]
    preference.follow_edits = follow_edits
    if preference.frequency != frequency:
        preference.frequency = frequency
        preference.digest_sent_until = timezone.now()
        fields += ["frequency", "digest_sent_until"]
    preference.save(update_fields=fields)
    if letter:
        Follow.objects.get_or_create(user=user, kind=LETTER_KIND, key=LETTER_KEY)
    else:
        Follow.objects.filter(user=user, kind=LETTER_KIND, key=LETTER_KEY).delete()
    stamps.follows_changed(user.pk)
    return preference


def notifications_seen(*, user: User, at: datetime.datetime) -> None:
    """Her notifications up to at are no longer new."""
    updated = Preference.objects.filter(user=user).update(seen_until=at)
    if not updated:
        Preference.objects.get_or_create(user=user, defaults={"seen_until": at})


UNSUBSCRIBE_WHAT = ("digest", "letter")


@transaction.atomic
def unsubscribe(*, user_id: int, what: str) -> bool:
    """Stop the digest (frequency "never") or the network letter for the person user_id (the
    signed link of a mail names her); False when she no longer exists. Safe twice."""
    if what not in UNSUBSCRIBE_WHAT:
        raise ValueError(what)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    if what == "digest":
        preference, _created = Preference.objects.select_for_update().get_or_create(user=user)
        if preference.frequency != Frequency.NEVER:
            preference.frequency = Frequency.NEVER
            preference.save(update_fields=["frequency"])
    else:
        Follow.objects.filter(user=user, kind=LETTER_KIND, key=LETTER_KEY).delete()
        stamps.follows_changed(user.pk)
    logger.info("user %s unsubscribed from the %s", user_id, what)
    return True
