"""E-mail digests, built for everyone of a period at once, then sent.

Building is set-based: one SQL join of the changes with the follows finds every (person,
change) pair to tell: the changes of what she follows, by others, after she followed, after
her last digest (`digest_sent_until`), up to the cut-off; for the people of the period whose
address is confirmed. The pairs are grouped per person in Python, filtered by what each may
still see, kind by kind in bulk (`registry.visible_for_each`), named in each language in bulk,
and rendered one mail per person in her language and time zone. The mails (`Digest` rows) and
the move of everyone's `digest_sent_until` are written in one transaction: a run that dies
leaves nothing, a second run finds nothing left to tell. No query is made per person, except
`visible_keys` for the few who follow something not public (a hidden group's pages).

The cut-off stays NOTIFICATIONS_SETTLE_SECONDS behind the clock: a change is stamped when its
row is written, so one committed a moment later must still fall after the cut-off (the apps
record changes in short transactions; a long recomputation records its changes once it
committed).
"""

import datetime
import logging
import smtplib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import connection, transaction
from django.utils import timezone, translation

from wikispiral.accounts.models import User
from wikispiral.mail import language_or_default
from wikispiral.notifications.models import Change, Digest, Follow, Preference
from wikispiral.notifications.registry import visible_for_each
from wikispiral.notifications.writing import Writer

logger = logging.getLogger(__name__)

Frequency = Preference.Frequency
PERIODS = (Frequency.IMMEDIATE, Frequency.DAILY, Frequency.WEEKLY)
SEND_JOB = "notifications.send"
# A digest reaches back at most this far (a digest that did not run for longer, a beat that was
# down for days, leaves the older changes on the site only): it keeps the join on the index.
REACH = {
    Frequency.IMMEDIATE: datetime.timedelta(days=3),
    Frequency.DAILY: datetime.timedelta(days=3),
    Frequency.WEEKLY: datetime.timedelta(days=10),
}
WRITE_BATCH = 1000
SEND_BATCH = 100
MARK_EVERY = 10

_DEFAULT_FREQUENCY = Preference._meta.get_field("frequency").get_default()

# Who must be told what: the bench times this very statement beside the whole build.
PAIRS_SQL = """
SELECT f.user_id, c.id, u.email, u.username, u.display_name, u.preferred_language,
       u.time_zone, u.is_secretariat, u.is_superuser
FROM {change} c
JOIN {follow} f ON f.kind = c.kind AND f.key = c.key AND f.created_at < c.created_at
JOIN {user} u ON u.id = f.user_id
LEFT JOIN {preference} p ON p.user_id = f.user_id
WHERE c.created_at > %s AND c.created_at <= %s
  AND (c.actor_id IS NULL OR c.actor_id <> f.user_id)
  AND COALESCE(p.frequency, %s) = %s
  AND (p.digest_sent_until IS NULL OR c.created_at > p.digest_sent_until)
  AND u.is_active = %s AND u.email <> '' AND u.email_confirmed_at IS NOT NULL
"""


def pairs_sql() -> str:
    return PAIRS_SQL.format(
        change=Change._meta.db_table,
        follow=Follow._meta.db_table,
        user=User._meta.db_table,
        preference=Preference._meta.db_table,
    )


def pairs_params(period: str, cutoff: datetime.datetime) -> list[Any]:
    adapt = connection.ops.adapt_datetimefield_value
    return [
        adapt(cutoff - REACH[Frequency(period)]),
        adapt(cutoff),
        _DEFAULT_FREQUENCY,
        period,
        True,
    ]


def settled_now() -> datetime.datetime:
    """The cut-off of a run starting now."""
    return timezone.now() - datetime.timedelta(seconds=settings.NOTIFICATIONS_SETTLE_SECONDS)


@dataclass
class Reader:
    user: User
    changes: list[int] = field(default_factory=list)


def _pairs(period: str, cutoff: datetime.datetime) -> dict[int, Reader]:
    """Everyone of the period with something to be told, and the ids of what (one query)."""
    readers: dict[int, Reader] = {}
    with connection.cursor() as cursor:
        cursor.execute(pairs_sql(), pairs_params(period, cutoff))
        for row in cursor.fetchall():
            user_id, change_id = row[0], row[1]
            reader = readers.get(user_id)
            if reader is None:
                email, username, name, language, zone, secretariat, superuser = row[2:]
                # Enough of her for the visibility rules and the mail (never saved).
                user = User(
                    pk=user_id,
                    email=email,
                    username=username,
                    display_name=name,
                    preferred_language=language,
                    time_zone=zone,
                    is_secretariat=bool(secretariat),
                    is_superuser=bool(superuser),
                    is_active=True,
                )
                reader = readers[user_id] = Reader(user=user)
            reader.changes.append(change_id)
    return readers


def _changes(ids: set[int], period: str, cutoff: datetime.datetime) -> dict[int, Change]:
    """The changes of the window that somebody is told of (one query)."""
    window = Change.objects.filter(
        created_at__gt=cutoff - REACH[Frequency(period)], created_at__lte=cutoff
    ).select_related("actor")
    fields = ["kind", "key", "title", "url", "summary", "verb", "created_at"]
    window = window.only(*fields, "actor__username", "actor__display_name")
    return {change.pk: change for change in window.iterator(chunk_size=5000) if change.pk in ids}


def _visible(readers: dict[int, Reader], changes: dict[int, Change]) -> None:
    """Drop from each reader what she may no longer see: per kind, for everyone at once."""
    wanted: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for user_id, reader in readers.items():
        for change_id in reader.changes:
            change = changes[change_id]
            wanted[change.kind][user_id].add(change.key)
    users = {user_id: reader.user for user_id, reader in readers.items()}
    seen = {kind: visible_for_each(kind, wants, users) for kind, wants in wanted.items()}
    for user_id, reader in readers.items():
        reader.changes = [
            change_id
            for change_id in reader.changes
            if changes[change_id].key in seen[changes[change_id].kind].get(user_id, ())
        ]


@dataclass
class Built:
    readers: int = 0
    digests: int = 0
    changes: int = 0
    cutoff: datetime.datetime | None = None


def digests_build(
    *,
    period: str,
    cutoff: datetime.datetime | None = None,
    before_commit: Callable[[], None] | None = None,
) -> Built:
    """Build the digests of every person of period (immediate, daily, weekly) up to cutoff (the
    settled clock by default) and record them for sending, in one transaction that also moves
    each one's digest_sent_until to cutoff. before_commit runs last inside the transaction
    (the job's claim check; tests stop there). Safe twice: a second run finds nothing."""
    if period not in PERIODS:
        raise ValueError(period)
    cutoff = cutoff or settled_now()
    built = Built(cutoff=cutoff)
    with transaction.atomic():
        readers = _pairs(period, cutoff)
        built.readers = len(readers)
        digests: list[Digest] = []
        if readers:
            wanted = {change_id for reader in readers.values() for change_id in reader.changes}
            changes = _changes(wanted, period, cutoff)
            _visible(readers, changes)
            by_language: dict[str, list[Reader]] = defaultdict(list)
            for reader in readers.values():
                if reader.changes:
                    language = language_or_default(reader.user.preferred_language)
                    by_language[language].append(reader)
            for language, group in sorted(by_language.items()):
                with translation.override(language):
                    writer = Writer(period=period, changes=changes)
                    writer.name_things({pk for reader in group for pk in reader.changes})
                    digests += [
                        writer.write(user=reader.user, change_ids=reader.changes, cutoff=cutoff)
                        for reader in group
                    ]
            _digests_save(digests)
            _sent_until(readers, cutoff)
            built.digests = len(digests)
            built.changes = sum(digest.changes for digest in digests)
        if digests:
            from wikispiral.jobs.services import job_enqueue

            job_enqueue(kind=SEND_JOB, key=SEND_JOB)
        if before_commit is not None:
            before_commit()
    return built


def _digests_save(digests: list[Digest]) -> None:
    Digest.objects.bulk_create(digests, batch_size=WRITE_BATCH)


def _sent_until(readers: dict[int, Reader], cutoff: datetime.datetime) -> None:
    """Everyone who had something to be told (even if she may no longer see it) is done up to
    cutoff: one upsert per thousand people."""
    Preference.objects.bulk_create(
        [Preference(user_id=user_id, digest_sent_until=cutoff) for user_id in readers],
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["digest_sent_until"],
    )


def immediate_waiting(*, cutoff: datetime.datetime | None = None) -> bool:
    """Whether somebody who wants immediate digests has something to be told up to cutoff (the
    settled clock by default): one query, for the sweep and for the job's follow-up."""
    cutoff = cutoff or settled_now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM ({pairs_sql()}) pairs LIMIT 1",  # noqa: S608 (our table names)
            pairs_params(Frequency.IMMEDIATE, cutoff),
        )
        return cursor.fetchone() is not None


# --- Sending ------------------------------------------------------------------------------------


def digests_waiting() -> bool:
    return Digest.objects.filter(sent_at__isnull=True, failed_at__isnull=True).exists()


def _refused(digest: Digest, problem: str) -> None:
    logger.warning("digest %s to user %s refused: %s", digest.pk, digest.user_id, problem)
    Digest.objects.filter(pk=digest.pk).update(failed_at=timezone.now(), problem=problem[:300])


def _mark_sent(ids: list[int]) -> None:
    if ids:
        Digest.objects.filter(pk__in=ids, sent_at__isnull=True).update(sent_at=timezone.now())
        ids.clear()


def digests_send(
    *, checkpoint: Callable[[], None] | None = None, progress: Callable[[int], None] | None = None
) -> int:
    """Send every digest waiting, a batch per SMTP connection, marked sent every MARK_EVERY
    mails and whenever the sending stops (an error included): a worker killed outright sends
    at most that many again, as a killed mail job sends its one mail again; marking each mail
    alone would wait for a disk flush per mail. An address the server refuses for good is
    marked failed and skipped; a server that is away raises, and the job tries again later
    with what is left. Returns how many were sent."""
    sent = 0
    waiting = Digest.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
    total = waiting.count()
    while True:
        batch = list(waiting.order_by("pk")[:SEND_BATCH])
        if not batch:
            return sent
        taken: list[int] = []
        mailer = mailers.default
        try:
            with mailer:
                for digest in batch:
                    message = EmailMessage(
                        subject=digest.subject,
                        body=digest.body,
                        to=[digest.to],
                        headers=digest.headers or None,
                    )
                    try:
                        mailer.send_messages([message])
                    except smtplib.SMTPRecipientsRefused as refused:
                        _refused(digest, str(refused.recipients))
                        continue
                    except smtplib.SMTPResponseException as error:
                        if error.smtp_code < 500:
                            raise
                        _refused(digest, f"{error.smtp_code} {error.smtp_error!r}")
                        continue
                    taken.append(digest.pk)
                    sent += 1
                    if len(taken) >= MARK_EVERY:
                        _mark_sent(taken)
                    if checkpoint is not None:
                        checkpoint()
        finally:
            _mark_sent(taken)
        if progress is not None and total:
            progress(min(99, sent * 100 // total))


def notifications_forget(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Forget the changes older than NOTIFICATIONS_KEEP_DAYS and the digests sent or refused
    more than 30 days ago (a batch each per run)."""
    from wikispiral.notifications.selectors import keep_since

    now = now or timezone.now()
    old = Change.objects.filter(created_at__lt=keep_since(now)).values_list("pk", flat=True)
    changes = Change.objects.filter(pk__in=list(old[:50_000])).delete()[0]
    done = Digest.objects.filter(created_at__lt=now - datetime.timedelta(days=30)).exclude(
        sent_at__isnull=True, failed_at__isnull=True
    )
    digests = Digest.objects.filter(pk__in=list(done.values_list("pk", flat=True)[:50_000]))
    return changes, digests.delete()[0]
